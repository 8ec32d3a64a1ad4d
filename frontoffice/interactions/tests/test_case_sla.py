"""SLA clocks on real cases, across business hours, holidays and pauses, against hand-computed values.

The office is open Monday–Friday 08:00–16:00 (Europe/Warsaw). 20 November 2026 is a Friday;
11 November 2026 (a Wednesday) is Independence Day.
"""

import pytest

from frontoffice.interactions import services
from frontoffice.interactions.cases import services as case_services
from frontoffice.interactions.choices import CaseStatus, Channel, Direction
from frontoffice.interactions.models import CaseEvent, CaseSla, SlaPolicyRecord

from .fixtures_cases import warsaw

pytestmark = pytest.mark.django_db


def _open(branch, actor, client, at, channel=Channel.EMAIL):
    return services.case_open(
        branch=branch, subject="Reklamacja butów", actor=actor, channel=channel, client=client, opened_at=at
    )


def _clock(case, target):
    return CaseSla.objects.filter(case=case, target=target).order_by("-pk").first()


def _reply(branch, case, agent, at):
    return services.interaction_record(
        branch=branch,
        channel=case.channel,
        actor=agent,
        direction=Direction.OUTBOUND,
        staff=agent,
        started_at=at,
        case=case,
    )


def test_a_case_opened_on_friday_afternoon_is_due_for_first_response_on_monday(branch, agent, caller, office_policy):
    # Given a case opened on Friday at 15:00 with a 4-hour first-response target
    case = _open(branch, agent, caller, warsaw(2026, 11, 20, 15, 0))

    # Then 1 hour is used on Friday and 3 on Monday: due Monday 11:00
    assert _clock(case, "first_response").due_at == warsaw(2026, 11, 23, 11, 0)
    # and the 8-hour resolution: 1 hour Friday, 7 hours Monday: due Monday 15:00
    assert _clock(case, "resolution").due_at == warsaw(2026, 11, 23, 15, 0)


def test_a_holiday_does_not_count(branch, agent, caller, office_policy):
    # Given a case opened the day before Independence Day at 15:00
    case = _open(branch, agent, caller, warsaw(2026, 11, 10, 15, 0))

    # Then Wednesday 11 November is skipped: 1 hour Tuesday, 3 hours Thursday
    assert _clock(case, "first_response").due_at == warsaw(2026, 11, 12, 11, 0)


def test_the_first_reply_records_business_and_calendar_time(branch, agent, caller, office_policy):
    # Given a case opened on Friday at 15:00
    case = _open(branch, agent, caller, warsaw(2026, 11, 20, 15, 0))

    # When the agent replies on Monday at 10:00
    _reply(branch, case, agent, warsaw(2026, 11, 23, 10, 0))

    # Then the target was met with 3 business hours and 67 calendar hours used
    clock = _clock(case, "first_response")
    assert clock.status == "stopped" and clock.fulfilled is True
    event = CaseEvent.objects.get(case=case, kind="first_response")
    assert (event.business_seconds, event.calendar_seconds) == (3 * 3600, 67 * 3600)
    case.refresh_from_db()
    assert case.first_response_at == warsaw(2026, 11, 23, 10, 0)
    assert case.status == CaseStatus.OPEN


def test_waiting_for_the_customer_pauses_the_resolution_clock_and_moves_its_deadline(
    branch, agent, caller, office_policy
):
    # Given a case opened Friday 15:00, answered Monday 10:00
    case = _open(branch, agent, caller, warsaw(2026, 11, 20, 15, 0))
    _reply(branch, case, agent, warsaw(2026, 11, 23, 10, 0))

    # When it waits for the customer from Monday 10:30
    case_services.case_set_status(
        case=case, status=CaseStatus.PENDING_CUSTOMER, actor=agent, at=warsaw(2026, 11, 23, 10, 30)
    )
    resolution = _clock(case, "resolution")
    assert resolution.status == "paused" and resolution.due_at is None

    # and the customer writes back on Tuesday at 09:00
    services.interaction_record(
        branch=branch,
        channel=Channel.EMAIL,
        actor=None,
        started_at=warsaw(2026, 11, 24, 9, 0),
        client=caller,
        case=case,
    )

    # Then the case is open again; 3.5 hours were used, 4.5 remain from Tuesday 09:00: due Tuesday 13:30
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert _clock(case, "resolution").due_at == warsaw(2026, 11, 24, 13, 30)

    # When it is resolved on Tuesday at 12:00
    case_services.case_set_status(case=case, status=CaseStatus.RESOLVED, actor=agent, at=warsaw(2026, 11, 24, 12, 0))

    # Then it was resolved in 6.5 business hours; the pause (Monday 10:30 – Tuesday 09:00) counts in neither
    event = CaseEvent.objects.get(case=case, kind="resolved")
    assert event.business_seconds == 6 * 3600 + 1800
    assert event.calendar_seconds == (67 * 3600 + 1800) + 3 * 3600
    assert _clock(case, "resolution").fulfilled is True


def test_an_unanswered_customer_message_starts_a_next_response_clock(branch, agent, caller, office_policy):
    # Given a case answered on Monday 10:00
    case = _open(branch, agent, caller, warsaw(2026, 11, 20, 15, 0))
    _reply(branch, case, agent, warsaw(2026, 11, 23, 10, 0))

    # When the customer writes at 15:00 (2-hour next-response target)
    services.interaction_record(
        branch=branch,
        channel=Channel.EMAIL,
        actor=None,
        started_at=warsaw(2026, 11, 23, 15, 0),
        client=caller,
        case=case,
    )

    # Then 1 hour is left on Monday and 1 on Tuesday: due Tuesday 09:00
    assert _clock(case, "next_response").due_at == warsaw(2026, 11, 24, 9, 0)

    # When the agent answers on Tuesday at 09:30, the target was missed by half an hour
    _reply(branch, case, agent, warsaw(2026, 11, 24, 9, 30))
    clock = _clock(case, "next_response")
    assert clock.fulfilled is False
    assert clock.breached_at == warsaw(2026, 11, 24, 9, 0)


def test_a_reopened_case_counts_the_reopening_and_starts_a_new_resolution_clock(branch, agent, caller, office_policy):
    case = _open(branch, agent, caller, warsaw(2026, 11, 23, 9, 0))
    case_services.case_set_status(case=case, status=CaseStatus.RESOLVED, actor=agent, at=warsaw(2026, 11, 23, 10, 0))

    case_services.case_set_status(case=case, status=CaseStatus.OPEN, actor=agent, at=warsaw(2026, 11, 23, 12, 0))

    case.refresh_from_db()
    assert case.reopen_count == 1 and case.resolved_at is None
    assert CaseSla.objects.filter(case=case, target="resolution").count() == 2
    assert _clock(case, "resolution").due_at == warsaw(2026, 11, 24, 12, 0)
    assert CaseEvent.objects.filter(case=case, kind="reopened").count() == 1


def test_a_closed_case_is_final(branch, agent, caller, office_policy):
    case = _open(branch, agent, caller, warsaw(2026, 11, 23, 9, 0))
    case_services.case_set_status(case=case, status=CaseStatus.CLOSED, actor=agent)

    with pytest.raises(Exception, match="cannot go from"):
        case_services.case_set_status(case=case, status=CaseStatus.OPEN, actor=agent)


def test_the_first_matching_policy_in_order_applies(organisation, branch, agent, caller, office_policy):
    # Given a VIP policy tried before the office policy
    SlaPolicyRecord.objects.create(
        organisation=organisation,
        name="VIP",
        order=10,
        client_flags=["vip"],
        first_response_minutes=60,
        always_open=True,
    )
    caller.is_vip = True
    caller.save()

    case = _open(branch, agent, caller, warsaw(2026, 11, 21, 22, 0))  # a Saturday night

    clock = _clock(case, "first_response")
    assert clock.policy.name == "VIP"
    assert clock.due_at == warsaw(2026, 11, 21, 23, 0)
    assert _clock(case, "resolution") is None  # the VIP policy sets no resolution target


def test_without_a_matching_policy_a_case_has_no_clocks(branch, agent, caller):
    case = _open(branch, agent, caller, warsaw(2026, 11, 23, 9, 0))

    assert not CaseSla.objects.filter(case=case).exists()
