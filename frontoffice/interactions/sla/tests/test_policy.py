"""Policy selection, pausing statuses and the escalation ladder (office(): Mon–Fri 08:00–16:00)."""

import pytest

from frontoffice.interactions.sla.clock import ClockEvent, SlaClock
from frontoffice.interactions.sla.policy import (
    Conditions,
    EscalationMoment,
    EscalationRole,
    EscalationStep,
    SlaPolicy,
    SlaTarget,
    escalations_due,
    select_policy,
)

from .helpers import HOUR, office, waw

VIP = SlaPolicy(
    "VIP clients",
    {SlaTarget.FIRST_RESPONSE: HOUR, SlaTarget.RESOLUTION: 8 * HOUR},
    Conditions(client_flags=frozenset({"vip"})),
    order=10,
)
URGENT_PHONE = SlaPolicy(
    "Urgent calls",
    {SlaTarget.FIRST_RESPONSE: 15 * 60},
    Conditions(channels=frozenset({"phone"}), priorities=frozenset({"urgent"})),
    order=20,
)
DEFAULT = SlaPolicy(
    "Everyone else",
    {SlaTarget.FIRST_RESPONSE: 4 * HOUR, SlaTarget.NEXT_RESPONSE: 8 * HOUR, SlaTarget.RESOLUTION: 40 * HOUR},
    pause_statuses=frozenset({"pending_customer", "pending_internal"}),
)
POLICIES = [DEFAULT, URGENT_PHONE, VIP]  # given out of order on purpose: `order` decides


def test_first_matching_policy_by_order_wins():
    assert select_policy(POLICIES, channel="phone", priority="urgent", client_flags={"vip"}) is VIP
    assert select_policy(POLICIES, channel="phone", priority="urgent") is URGENT_PHONE
    assert select_policy(POLICIES, channel="email", priority="urgent") is DEFAULT
    assert select_policy(POLICIES, channel="phone", priority="normal", client_flags={"regular"}) is DEFAULT
    assert select_policy([VIP, URGENT_PHONE], channel="chat", priority="normal") is None


def test_targets_and_pausing_statuses():
    assert URGENT_PHONE.target_seconds(SlaTarget.FIRST_RESPONSE) == 900
    assert URGENT_PHONE.target_seconds(SlaTarget.RESOLUTION) is None
    assert URGENT_PHONE.new_clock(SlaTarget.RESOLUTION, office()) is None
    assert VIP.pauses("pending_customer") and not VIP.pauses("pending_internal")
    assert DEFAULT.pauses("pending_internal")
    assert VIP.event_for_status("pending_customer") is ClockEvent.PAUSE
    assert VIP.event_for_status("open") is ClockEvent.RESUME
    clock = VIP.new_clock(SlaTarget.RESOLUTION, office())
    assert clock is not None and clock.target_seconds == 8 * HOUR
    with pytest.raises(ValueError, match="no calendar"):
        VIP.new_clock(SlaTarget.RESOLUTION)


def test_a_status_walk_pauses_and_resumes_the_clock():
    # Case opened Mon 09:00 (8 h resolution, VIP); pending customer 10:00–Tue 10:00; open again.
    # Used: Mon 09–10 = 1 h; 7 h left from Tue 10:00: Tue 10–16 = 6 h, Wed 08:00 + 1 h = 09:00.
    clock = VIP.new_clock(SlaTarget.RESOLUTION, office())
    clock.start(waw("2026-11-23 09:00"))
    for status, at in [("pending_customer", "2026-11-23 10:00"), ("open", "2026-11-24 10:00")]:
        clock.feed(VIP.event_for_status(status), waw(at))
    assert clock.due_at == waw("2026-11-25 09:00")


LADDER = (
    EscalationStep(EscalationRole.AGENT, EscalationMoment.BEFORE_BREACH, 60),
    EscalationStep(EscalationRole.SUPERVISOR, EscalationMoment.AT_BREACH),
    EscalationStep(EscalationRole.MANAGER, EscalationMoment.AFTER_BREACH, 60),
    EscalationStep(EscalationRole.EXECUTIVE, EscalationMoment.AFTER_BREACH, 240),
)


def ladder_clock() -> SlaClock:
    # 8 h from Mon 23 Nov 2026 08:00 → due Mon 16:00 (closing time).
    clock = SlaClock(8 * HOUR, office())
    clock.start(waw("2026-11-23 08:00"))
    return clock


def keys(due):
    return [item.key for item in due]


def test_escalation_steps_fall_due_each_once():
    clock, sent = ladder_clock(), set()

    def run(at):
        due = escalations_due(LADDER, clock, waw(at), sent)
        sent.update(keys(due))
        return due

    assert run("2026-11-23 14:59") == []  # 1 h 1 min left
    # 15:00: 1 h left → the agent is warned; the step is due since 15:00 (16:00 − 1 h).
    due = run("2026-11-23 15:00")
    assert keys(due) == ["agent:before:60"]
    assert due[0].due_at == waw("2026-11-23 15:00")
    assert run("2026-11-23 15:30") == []  # already sent
    # 16:00: the breach instant → the supervisor.
    due = run("2026-11-23 16:00")
    assert keys(due) == ["supervisor:at:0"]
    assert due[0].due_at == waw("2026-11-23 16:00")
    # Overnight nothing more: overdue business time stays 0 until Tue 08:00.
    assert run("2026-11-24 07:59") == []
    # Tue 09:00: 1 business hour overdue (Tue 08–09) → the manager; the executive needs 4 h (Tue 12:00).
    due = run("2026-11-24 09:00")
    assert keys(due) == ["manager:after:60"]
    assert due[0].due_at == waw("2026-11-24 09:00")
    assert run("2026-11-24 11:59") == []
    assert keys(run("2026-11-24 12:00")) == ["executive:after:240"]
    assert run("2026-11-25 12:00") == []


def test_a_late_job_gets_every_missed_step_at_once_in_ladder_order():
    due = escalations_due(LADDER, ladder_clock(), waw("2026-11-24 12:00"))
    assert keys(due) == ["agent:before:60", "supervisor:at:0", "manager:after:60", "executive:after:240"]
    assert [item.step.role for item in due] == list(EscalationRole)


def test_paused_or_stopped_clocks_do_not_escalate():
    clock = ladder_clock()
    clock.pause(waw("2026-11-23 15:30"))  # 30 min left, frozen
    assert escalations_due(LADDER, clock, waw("2026-11-24 12:00")) == []
    clock.resume(waw("2026-11-24 08:00"))
    # 30 min left from Tue 08:00 → the agent's warning is due (it was due before the pause, not sent).
    assert keys(escalations_due(LADDER, clock, waw("2026-11-24 08:00"))) == ["agent:before:60"]
    clock.stop(waw("2026-11-24 08:10"))
    assert escalations_due(LADDER, clock, waw("2026-11-24 12:00")) == []


def test_ladder_validation():
    with pytest.raises(ValueError, match="no minutes"):
        EscalationStep(EscalationRole.MANAGER, EscalationMoment.AT_BREACH, 5)
    with pytest.raises(ValueError, match="negative"):
        EscalationStep(EscalationRole.MANAGER, EscalationMoment.AFTER_BREACH, -5)
    with pytest.raises(ValueError, match="repeats"):
        SlaPolicy("Twice", {}, escalation=(LADDER[0], LADDER[0]))


def test_labels_translate_to_polish():
    from django.utils import translation

    with translation.override("pl"):
        assert SlaTarget.FIRST_RESPONSE.label == "Pierwsza odpowiedź"
        assert EscalationRole.EXECUTIVE.label == "Wyższe kierownictwo"
