"""The staff pages of the web chat: the agent's inbox and conversation, and the manager's widget set-up."""

from django.urls import reverse

from frontoffice.interactions.chat import services as chat_services
from frontoffice.interactions.models import ChatWidget
from frontoffice.interactions.models.chat import ChatStatus


def test_an_agent_sees_the_waiting_chat_and_takes_it(client, agent, waiting_chat):
    client.force_login(agent)
    inbox = client.get(reverse("interactions:chat_inbox"))
    assert inbox.status_code == 200
    assert "Ewa Nowak" in inbox.text
    assert "1 visitor waiting" in inbox.text
    taken = client.post(reverse("interactions:chat_take", kwargs={"pk": waiting_chat.pk}))
    assert taken["Location"] == reverse("interactions:chat_conversation", kwargs={"pk": waiting_chat.pk})
    waiting_chat.refresh_from_db()
    assert waiting_chat.agent == agent


def test_a_chat_taken_by_someone_else_sends_the_second_agent_back_with_a_message(client, agent, clerk, waiting_chat):
    chat_services.chat_take(conversation=waiting_chat, agent=clerk)
    client.force_login(agent)
    response = client.post(reverse("interactions:chat_take", kwargs={"pk": waiting_chat.pk}), follow=True)
    assert "Another agent has already taken this chat." in response.text
    waiting_chat.refresh_from_db()
    assert waiting_chat.agent == clerk


def test_the_reply_box_sends_with_htmx_and_asks_the_log_to_refresh(client, agent, waiting_chat):
    chat_services.chat_take(conversation=waiting_chat, agent=agent)
    client.force_login(agent)
    response = client.post(
        reverse("interactions:chat_reply", kwargs={"pk": waiting_chat.pk}),
        {"text": "Wyniki są gotowe."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "chat-refresh"
    assert waiting_chat.messages.last().text == "Wyniki są gotowe."


def test_an_empty_reply_is_refused_on_the_form(client, agent, waiting_chat):
    chat_services.chat_take(conversation=waiting_chat, agent=agent)
    client.force_login(agent)
    response = client.post(reverse("interactions:chat_reply", kwargs={"pk": waiting_chat.pk}), {"text": ""})
    assert response.status_code == 400


def test_the_agent_ends_the_chat_and_opens_a_case(client, agent, waiting_chat):
    chat_services.chat_take(conversation=waiting_chat, agent=agent)
    client.force_login(agent)
    client.post(reverse("interactions:chat_open_case", kwargs={"pk": waiting_chat.pk}), {"subject": "Wyniki badań"})
    client.post(reverse("interactions:chat_end", kwargs={"pk": waiting_chat.pk}))
    waiting_chat.refresh_from_db()
    assert waiting_chat.status == ChatStatus.ENDED
    assert waiting_chat.interaction.case.subject == "Wyniki badań"


def test_the_inbox_needs_few_queries_with_many_chats(client, agent, widget, django_assert_max_num_queries):
    for number in range(15):
        chat_services.chat_start(widget=widget, name=f"Gość {number}", text="Dzień dobry")
    client.force_login(agent)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("interactions:chat_inbox"))
    assert response.text.count("Take chat with") == 15


def test_a_manager_creates_a_widget_and_sees_the_embed_snippet(client, manager, branch):
    client.force_login(manager)
    response = client.post(
        reverse("interactions:chat_widget_create"),
        {
            "name": "Strona główna",
            "branch": branch.pk,
            "allowed_origins": "https://www.przychodnia.example",
            "greeting_en": "Hello",
            "greeting_pl": "Dzień dobry",
            "accent_colour": "#123456",
            "text_colour": "#ffffff",
            "hours_source": "own",
            "own_hours": "1 08:00-16:00",
            "answer_within_minutes": 3,
            "is_active": "on",
        },
    )
    widget = ChatWidget.objects.get()
    assert response["Location"] == reverse("interactions:chat_widget_edit", kwargs={"pk": widget.pk})
    page = client.get(response["Location"])
    assert f'data-widget="{widget.token}"' in page.content.decode().replace("&quot;", '"')
    assert "/static/interactions/chat-widget.js" in page.text


def test_bad_own_hours_are_shown_on_the_field_with_the_input_kept(client, manager, branch):
    client.force_login(manager)
    response = client.post(
        reverse("interactions:chat_widget_create"),
        {
            "name": "Strona",
            "branch": branch.pk,
            "accent_colour": "#123456",
            "text_colour": "#ffffff",
            "hours_source": "own",
            "own_hours": "pon 8-16",
            "answer_within_minutes": 3,
        },
    )
    assert response.status_code == 400
    assert "Line 1" in response.text
    assert "pon 8-16" in response.text


def test_staff_read_chats_and_their_messages_through_the_api(client, agent, waiting_chat):
    client.force_login(agent)
    listed = client.get("/api/v1/interactions/chats", {"status": "waiting"})
    assert listed.status_code == 200
    assert [row["visitor_name"] for row in listed.json()["items"]] == ["Ewa Nowak"]
    assert listed.json()["items"][0]["interaction_id"] == waiting_chat.interaction_id
    first = waiting_chat.messages.first()
    messages = client.get(f"/api/v1/interactions/chats/{waiting_chat.pk}/messages")
    assert [m["text"] for m in messages.json()] == ["Czy są już moje wyniki?"]
    newer = client.get(f"/api/v1/interactions/chats/{waiting_chat.pk}/messages", {"since": first.pk})
    assert newer.json() == []
