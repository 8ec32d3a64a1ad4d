"""Staff answer web chats through the API: take, reply, end — the same services as the agent's pages."""

import json

import pytest

from frontoffice.interactions.chat import services as chat_services
from frontoffice.interactions.models.chat import MESSAGE_MAX_LENGTH, ChatAuthor, ChatStatus

pytestmark = pytest.mark.django_db


def _post(client, path, body=None, **headers):
    return client.post(
        f"/api/v1/interactions/chats/{path}", json.dumps(body or {}), content_type="application/json", headers=headers
    )


def test_an_agent_takes_a_chat_and_answers_the_visitor(client, agent, waiting_chat):
    client.force_login(agent)

    taken = _post(client, f"{waiting_chat.pk}/take")
    sent = _post(client, f"{waiting_chat.pk}/messages", {"text": "Dzień dobry, już sprawdzam."})

    assert taken.status_code == 200
    assert taken.json()["status"] == ChatStatus.ACTIVE
    assert taken.json()["agent_id"] == agent.pk
    assert sent.status_code == 201
    assert sent.json()["author"] == ChatAuthor.AGENT
    assert sent.json()["staff_id"] == agent.pk
    last = waiting_chat.messages.order_by("pk").last()
    assert (last.text, last.staff) == ("Dzień dobry, już sprawdzam.", agent)


def test_the_same_idempotency_key_sends_the_answer_once(client, agent, waiting_chat):
    chat_services.chat_take(conversation=waiting_chat, agent=agent)
    client.force_login(agent)

    first = _post(client, f"{waiting_chat.pk}/messages", {"text": "Halo"}, idempotency_key="odp-1")
    again = _post(client, f"{waiting_chat.pk}/messages", {"text": "Halo"}, idempotency_key="odp-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert waiting_chat.messages.filter(author=ChatAuthor.AGENT).count() == 1


def test_an_agent_who_has_not_taken_the_chat_is_told_to_take_it_first(client, agent, clerk, waiting_chat):
    chat_services.chat_take(conversation=waiting_chat, agent=clerk)
    client.force_login(agent)

    response = _post(client, f"{waiting_chat.pk}/messages", {"text": "Halo"})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "Take the chat before you answer." in response.text
    assert not waiting_chat.messages.filter(author=ChatAuthor.AGENT).exists()


def test_an_answer_longer_than_the_limit_is_refused_and_nothing_is_sent(client, agent, waiting_chat):
    chat_services.chat_take(conversation=waiting_chat, agent=agent)
    client.force_login(agent)

    response = _post(client, f"{waiting_chat.pk}/messages", {"text": "x" * (MESSAGE_MAX_LENGTH + 1)})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].endswith("text")
    assert not waiting_chat.messages.filter(author=ChatAuthor.AGENT).exists()


def test_answering_an_ended_chat_is_a_conflict(client, agent, waiting_chat):
    chat_services.chat_take(conversation=waiting_chat, agent=agent)
    chat_services.chat_end(conversation=waiting_chat, actor=agent)
    client.force_login(agent)

    response = _post(client, f"{waiting_chat.pk}/messages", {"text": "Jeszcze jedno"})

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "This chat has ended."


def test_a_chat_taken_by_someone_else_is_a_conflict(client, agent, clerk, waiting_chat):
    chat_services.chat_take(conversation=waiting_chat, agent=clerk)
    client.force_login(agent)

    response = _post(client, f"{waiting_chat.pk}/take")

    assert response.status_code == 409
    assert response.json()["detail"] == "Another agent has already taken this chat."
    waiting_chat.refresh_from_db()
    assert waiting_chat.agent == clerk


def test_the_agent_ends_the_chat(client, agent, waiting_chat):
    chat_services.chat_take(conversation=waiting_chat, agent=agent)
    client.force_login(agent)

    response = _post(client, f"{waiting_chat.pk}/end")

    assert response.status_code == 200
    assert response.json()["status"] == ChatStatus.ENDED
    assert response.json()["ended_at"] is not None


def test_a_chat_of_another_branch_is_not_found(client, outsider_branch, waiting_chat):
    client.force_login(outsider_branch)

    response = _post(client, f"{waiting_chat.pk}/messages", {"text": "Halo"})

    assert response.status_code == 404
    assert not waiting_chat.messages.filter(author=ChatAuthor.AGENT).exists()
