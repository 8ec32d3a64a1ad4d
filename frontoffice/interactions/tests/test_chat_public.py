"""The visitor's side of the web chat: JSON views opened by the widget token, CORS for allowed websites only."""

import json
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from frontoffice.interactions.chat import public
from frontoffice.interactions.chat import services as chat_services
from frontoffice.interactions.models import Case, ChatConversation
from frontoffice.interactions.models.chat import ChatStatus, HoursSource

from .fixtures_chat import SHOP


def post(client, name, widget, body, **headers):
    return client.post(
        reverse(f"interactions:{name}", kwargs={"token": widget.token}),
        json.dumps(body),
        content_type="application/json",
        headers={"Origin": SHOP, **headers},
    )


def test_the_widget_reads_its_greeting_and_colours_in_the_pages_language(client, widget):
    response = client.get(
        reverse("interactions:chat_widget_config", kwargs={"token": widget.token}),
        {"language": "pl"},
        headers={"Origin": SHOP},
    )
    assert response.status_code == 200
    assert response.json()["greeting"] == "Dzień dobry! W czym możemy pomóc?"
    assert response.json()["online"] is True
    assert response["Access-Control-Allow-Origin"] == SHOP


def test_the_widget_gets_its_texts_from_the_catalogue_in_the_visitors_language(client, widget):
    config = reverse("interactions:chat_widget_config", kwargs={"token": widget.token})

    polish = client.get(config, {"language": "pl"}, headers={"Origin": SHOP}).json()
    english = client.get(config, {"language": "en"}, headers={"Origin": SHOP}).json()

    assert polish["language"] == "pl"
    assert polish["texts"]["open"] == "Czat z nami"
    assert polish["texts"]["agent"] == "Konsultant"
    assert english["texts"]["open"] == "Chat with us"
    assert set(polish["texts"]) == set(english["texts"])
    assert all(polish["texts"].values())


def test_the_widget_script_holds_no_texts_of_its_own():
    script = (finders.find("interactions/chat-widget.js") or "").strip()
    source = Path(script).read_text(encoding="utf-8")

    assert "Czat z nami" not in source
    assert "Chat with us" not in source
    assert "config.texts" in source


def test_another_website_gets_no_cors_permission(client, widget):
    response = client.get(
        reverse("interactions:chat_widget_config", kwargs={"token": widget.token}),
        headers={"Origin": "https://evil.example"},
    )
    assert "Access-Control-Allow-Origin" not in response


def test_the_preflight_is_answered_for_the_allowed_website(client, widget):
    response = client.options(
        reverse("interactions:chat_visitor_start", kwargs={"token": widget.token}),
        headers={"Origin": SHOP, "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == SHOP
    assert "X-Chat-Key" in response["Access-Control-Allow-Headers"]


def test_a_visitor_starts_a_chat_writes_and_reads_the_answer_by_polling(client, widget, agent):
    # When a visitor starts a chat
    started = post(client, "chat_visitor_start", widget, {"name": "Ewa", "email": "", "text": "Dzień dobry"})
    assert started.status_code == 201
    key = started.json()["key"]
    assert [m["text"] for m in started.json()["messages"]] == ["Dzień dobry"]
    # And writes again with the key in the header
    sent = post(client, "chat_visitor_send", widget, {"text": "Mam pytanie"}, **{"X-Chat-Key": key})
    assert sent.status_code == 201
    last = sent.json()["message"]["id"]
    # And an agent takes the chat and answers
    chat = ChatConversation.objects.get()
    chat_services.chat_take(conversation=chat, agent=agent)
    chat_services.chat_reply(conversation=chat, agent=agent, text="Słucham")
    # Then polling since the last message brings the answer and the new status
    polled = client.get(
        reverse("interactions:chat_visitor_messages", kwargs={"token": widget.token}),
        {"key": key, "since": last},
        headers={"Origin": SHOP},
    )
    assert polled.json()["status"] == ChatStatus.ACTIVE
    assert [m["author"] for m in polled.json()["messages"]] == ["system", "agent"]
    assert polled.json()["messages"][-1]["text"] == "Słucham"


def test_html_from_a_visitor_is_kept_as_text_and_escaped_on_the_agents_page(client, widget, agent):
    started = post(client, "chat_visitor_start", widget, {"text": "<script>alert(1)</script>"})
    assert started.json()["messages"][0]["text"] == "<script>alert(1)</script>"
    client.force_login(agent)
    page = client.get(reverse("interactions:chat_conversation", kwargs={"pk": ChatConversation.objects.get().pk}))
    assert b"<script>alert(1)</script>" not in page.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page.content


def test_a_too_long_message_is_refused_with_a_translated_reason(client, widget):
    response = post(client, "chat_visitor_start", widget, {"text": "x" * 2001, "language": "pl"})
    assert response.status_code == 400
    assert "2000" in response.json()["detail"]
    assert "znaków" in response.json()["detail"]
    assert not ChatConversation.objects.exists()


def test_a_visitor_writing_too_fast_is_slowed_down(client, widget, monkeypatch):
    monkeypatch.setattr(public, "VISITOR_LIMIT", (3, 60))
    key = post(client, "chat_visitor_start", widget, {"text": "1"}).json()["key"]
    codes = [post(client, "chat_visitor_send", widget, {"text": "x", "key": key}).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]


def test_one_address_starting_many_chats_is_slowed_down(client, widget, monkeypatch):
    monkeypatch.setattr(public, "START_LIMIT", (2, 600))
    codes = [post(client, "chat_visitor_start", widget, {"text": "x"}).status_code for _ in range(3)]
    assert codes == [201, 201, 429]


def test_a_wrong_key_or_token_is_refused(client, widget):
    assert post(client, "chat_visitor_send", widget, {"text": "x", "key": "nie-ten"}).status_code == 404
    response = client.get(reverse("interactions:chat_widget_config", kwargs={"token": "no-such-widget"}))
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_widget"


def test_outside_hours_a_chat_cannot_start_and_the_offline_form_opens_a_case(client, branch, manager):
    # Given a widget whose own hours never include now (an empty week)
    widget = chat_services.widget_create(
        branch=branch, actor=manager, name="Strona", allowed_origins=SHOP, hours_source=HoursSource.OWN
    )
    # When a visitor tries to chat, they are told to leave a message
    refused = post(client, "chat_visitor_start", widget, {"text": "Halo?"})
    assert refused.status_code == 409
    assert refused.json()["error"] == "offline"
    # And the message they leave becomes an e-mail case
    left = post(
        client,
        "chat_visitor_offline",
        widget,
        {"name": "Ewa", "email": "ewa@example.invalid", "text": "Proszę o kontakt"},
    )
    assert left.status_code == 201
    assert "e-mail" in left.json()["detail"]
    assert Case.objects.get().subject == "Proszę o kontakt"


def test_the_visitor_stream_answers_no_stream_outside_asgi(client, waiting_chat, widget):
    response = client.get(
        reverse("interactions_events:chat_visitor_stream", kwargs={"token": widget.token}),
        {"key": chat_services.visitor_key(waiting_chat)},
        headers={"Origin": SHOP},
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == SHOP


@pytest.mark.parametrize("body", [b"[1, 2]", b"{not json"])
def test_a_body_that_is_not_a_json_object_is_refused(client, widget, body):
    response = client.post(
        reverse("interactions:chat_visitor_start", kwargs={"token": widget.token}),
        body,
        content_type="application/json",
    )
    assert response.status_code == 400


def test_behind_a_trusted_proxy_the_visitors_address_comes_from_x_forwarded_for(rf, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    request = rf.get("/", headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}, REMOTE_ADDR="10.0.0.2")
    assert public.client_ip(request) == "198.51.100.7"
    settings.AXES_IPWARE_PROXY_COUNT = 0
    assert public.client_ip(request) == "10.0.0.2"


def test_when_nobody_takes_the_chat_in_time_the_visitor_is_offered_the_email_form(client, widget):
    # Given a widget that offers the e-mail form at once
    widget.answer_within_minutes = 0
    widget.save()
    key = post(client, "chat_visitor_start", widget, {"text": "Halo?"}).json()["key"]
    # When the widget polls, it is told to offer the form
    polled = client.get(reverse("interactions:chat_visitor_messages", kwargs={"token": widget.token}), {"key": key})
    assert polled.json()["offer_offline"] is True
