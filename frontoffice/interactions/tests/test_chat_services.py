"""The web chat's services: starting, taking, answering, ending, opening a case, the offline form, hours."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from frontoffice.interactions.chat import services
from frontoffice.interactions.chat.hours import is_within, parse_hours, widget_is_online
from frontoffice.interactions.choices import CaseStatus, Channel, ClientMatch, Outcome
from frontoffice.interactions.models import Interaction
from frontoffice.interactions.models.chat import ChatAuthor, ChatStatus, HoursSource

WARSAW = ZoneInfo("Europe/Warsaw")


def test_a_visitors_chat_is_one_chat_contact_matched_to_the_client_by_email(widget, caller):
    # When a visitor who is a known client starts a chat with their e-mail
    chat = services.chat_start(widget=widget, name="Jan", email="jan.w@example.invalid", text="Dzień dobry")
    # Then there is one chat contact, matched to the client, waiting with the first message
    interaction = chat.interaction
    assert interaction.channel == Channel.CHAT
    assert interaction.client == caller
    assert interaction.client_match == ClientMatch.AUTOMATIC
    assert interaction.answered_at is None
    assert chat.status == ChatStatus.WAITING
    assert [(m.author, m.text) for m in chat.messages.all()] == [(ChatAuthor.VISITOR, "Dzień dobry")]


def test_the_visitor_key_opens_only_its_own_chat(widget, waiting_chat, branch, manager):
    # Given the key of a chat
    key = services.visitor_key(waiting_chat)
    # Then it opens that chat on its widget, and nothing on another widget or when tampered with
    assert services.conversation_for_key(widget=widget, key=key) == waiting_chat
    other = services.widget_create(branch=branch, actor=manager, name="Sklep", hours_source=HoursSource.ALWAYS)
    assert services.conversation_for_key(widget=other, key=key) is None
    assert services.conversation_for_key(widget=widget, key=key[:-2] + "xx") is None


def test_only_one_agent_can_take_a_chat(waiting_chat, agent, clerk):
    # Given an agent took the chat
    services.chat_take(conversation=waiting_chat, agent=agent)
    # When a clerk presses "take" on the page they loaded before
    stale = type(waiting_chat).objects.get(pk=waiting_chat.pk)
    stale.status = ChatStatus.WAITING
    with pytest.raises(services.AlreadyTaken):
        services.chat_take(conversation=stale, agent=clerk)
    # Then the chat stays the agent's, answered once
    waiting_chat.refresh_from_db()
    assert waiting_chat.agent == agent
    assert waiting_chat.interaction.staff == agent
    assert waiting_chat.interaction.answered_at is not None


def test_an_agent_answers_only_a_chat_they_took(waiting_chat, agent, clerk):
    services.chat_take(conversation=waiting_chat, agent=agent)
    with pytest.raises(ValidationError):
        services.chat_reply(conversation=waiting_chat, agent=clerk, text="Sprawdzę")
    message = services.chat_reply(conversation=waiting_chat, agent=agent, text="Tak, są gotowe.")
    assert message.author == ChatAuthor.AGENT
    assert message.staff == agent


def test_messages_are_length_limited_and_never_empty(waiting_chat):
    with pytest.raises(ValidationError):
        services.chat_visitor_say(conversation=waiting_chat, text="   ")
    with pytest.raises(ValidationError):
        services.chat_visitor_say(conversation=waiting_chat, text="x" * 2001)
    assert services.chat_visitor_say(conversation=waiting_chat, text="x" * 2000).text == "x" * 2000


def test_ending_a_chat_sets_its_end_and_outcome_and_refuses_more_messages(waiting_chat, agent):
    services.chat_take(conversation=waiting_chat, agent=agent)
    # When the agent ends it (twice, as a double click would)
    services.chat_end(conversation=waiting_chat, actor=agent)
    services.chat_end(conversation=waiting_chat, actor=agent)
    # Then it ended once, with an outcome, and the visitor can write no more
    interaction = Interaction.objects.get(pk=waiting_chat.interaction_id)
    assert interaction.ended_at is not None
    assert interaction.outcome == Outcome.INFORMATION
    assert waiting_chat.messages.filter(author=ChatAuthor.SYSTEM, text="The chat has ended.").count() == 1
    with pytest.raises(services.ChatClosed):
        services.chat_visitor_say(conversation=waiting_chat, text="Jeszcze jedno")


def test_an_agent_opens_a_case_from_the_chat(waiting_chat, agent):
    services.chat_take(conversation=waiting_chat, agent=agent)
    case = services.chat_open_case(conversation=waiting_chat, actor=agent)
    assert case.channel == Channel.CHAT
    assert case.subject == "Czy są już moje wyniki?"
    assert case.owner == agent
    waiting_chat.interaction.refresh_from_db()
    assert waiting_chat.interaction.case == case
    with pytest.raises(ValidationError):
        services.chat_open_case(conversation=waiting_chat, actor=agent)


def test_the_offline_form_becomes_an_email_case_and_ends_the_waiting_chat(widget, waiting_chat):
    # When the visitor nobody answered leaves a message for e-mail
    case = services.chat_offline_message(
        widget=widget,
        name="Ewa Nowak",
        email="ewa.nowak@example.invalid",
        text="Proszę o wyniki mailem.",
        conversation=waiting_chat,
    )
    # Then a web-form contact holds the message and opened a new case
    assert case.channel == Channel.WEB_FORM
    assert case.status == CaseStatus.NEW
    contact = case.interactions.get()
    assert contact.summary == "Proszę o wyniki mailem."
    assert contact.contact_address == "ewa.nowak@example.invalid"
    # And the chat ended as missed
    waiting_chat.refresh_from_db()
    assert waiting_chat.status == ChatStatus.ENDED
    assert waiting_chat.interaction.outcome == Outcome.MISSED


def test_the_offline_form_needs_an_email_address(widget):
    with pytest.raises(ValidationError) as error:
        services.chat_offline_message(widget=widget, name="Ewa", email="", text="Pytanie")
    assert "email" in error.value.message_dict


def test_own_hours_are_read_in_the_branchs_time_zone():
    periods = parse_hours("1 08:00-16:00\n6 09:00-12:00")
    monday_morning = datetime.datetime(2026, 11, 23, 8, 30, tzinfo=WARSAW)
    monday_evening = datetime.datetime(2026, 11, 23, 16, 0, tzinfo=WARSAW)
    sunday = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=WARSAW)
    assert is_within(periods, monday_morning, WARSAW)
    assert not is_within(periods, monday_evening, WARSAW)
    assert not is_within(periods, sunday, WARSAW)


@pytest.mark.parametrize("line", ["8 08:00-16:00", "1 16:00-08:00", "poniedziałek 8-16"])
def test_a_bad_hours_line_is_refused_with_its_number(line):
    with pytest.raises(ValidationError):
        parse_hours(line)


def test_a_widget_on_the_branchs_hours_is_offline_when_the_branch_is_closed(branch, manager):
    from frontoffice.core.models import OpeningHours

    OpeningHours.objects.create(branch=branch, weekday=0, opens_at=datetime.time(8), closes_at=datetime.time(16))
    widget = services.widget_create(branch=branch, actor=manager, name="Strona", hours_source=HoursSource.BRANCH)
    assert widget_is_online(widget, datetime.datetime(2026, 11, 23, 9, 0, tzinfo=WARSAW))
    assert not widget_is_online(widget, datetime.datetime(2026, 11, 23, 20, 0, tzinfo=WARSAW))


def test_allowed_websites_must_be_origins(branch, manager):
    with pytest.raises(ValidationError) as error:
        services.widget_create(branch=branch, actor=manager, name="Strona", allowed_origins="https://a.example/kontakt")
    assert "allowed_origins" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.widget_create(branch=branch, actor=manager, name="Strona", allowed_origins="javascript:alert(1)")


def test_chats_nobody_wrote_in_for_an_hour_are_ended_by_the_sweep(widget, waiting_chat, agent):
    from django.utils import timezone

    from frontoffice.interactions.chat.tasks import end_idle_chats

    # Given a waiting chat and a chat in progress, both quiet
    active = services.chat_start(widget=widget, name="Adam", text="Dzień dobry")
    services.chat_take(conversation=active, agent=agent)
    # When the sweep runs within the hour, nothing ends; after it, both end
    assert end_idle_chats(timezone.now() + datetime.timedelta(minutes=30)) == 0
    assert end_idle_chats(timezone.now() + datetime.timedelta(minutes=61)) == 2
    assert end_idle_chats(timezone.now() + datetime.timedelta(minutes=62)) == 0
    waiting_chat.refresh_from_db()
    active.refresh_from_db()
    assert (waiting_chat.status, waiting_chat.interaction.outcome) == (ChatStatus.ENDED, Outcome.ABANDONED)
    assert (active.status, active.interaction.outcome) == (ChatStatus.ENDED, Outcome.INFORMATION)
