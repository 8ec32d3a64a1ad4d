"""The state machines alone, without the database."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import ValidationError

from frontoffice.desk import workflow
from frontoffice.desk.choices import VisitStatus as S

ALL = list(S.values)


@pytest.mark.parametrize(
    ("vertical", "path"),
    [
        ("clinic", [S.PLANNED, S.ARRIVED, S.IN_PROGRESS, S.FINISHED]),
        ("hotel", [S.BOOKED, S.CHECKED_IN, S.CHECKED_OUT]),
        ("retail", [S.OPEN, S.PAID, S.FULFILLED, S.RETURNED]),
        ("office", [S.OPEN, S.PAID, S.RETURNED]),
    ],
)
def test_the_main_path_of_each_vertical_is_allowed(vertical, path):
    assert workflow.INITIAL[vertical] == path[0]
    for source, target in itertools.pairwise(path):
        workflow.check_transition(vertical, source, target)
    assert workflow.is_final(vertical, path[-1])


@pytest.mark.parametrize(
    ("vertical", "source", "target"),
    [
        ("clinic", S.PLANNED, S.CANCELLED),
        ("clinic", S.PLANNED, S.NO_SHOW),
        ("clinic", S.ARRIVED, S.CANCELLED),
        ("hotel", S.BOOKED, S.NO_SHOW),
        ("hotel", S.BOOKED, S.CANCELLED),
        ("retail", S.OPEN, S.CANCELLED),
    ],
)
def test_side_exits_are_allowed(vertical, source, target):
    workflow.check_transition(vertical, source, target)


def test_every_other_move_is_refused():
    for vertical in workflow.TRANSITIONS:
        for source in ALL:
            for target in ALL:
                allowed = target in workflow.TRANSITIONS[vertical].get(source, ())
                if allowed:
                    continue
                with pytest.raises(ValidationError):
                    workflow.check_transition(vertical, source, target)


def test_a_refusal_names_both_statuses():
    with pytest.raises(ValidationError) as caught:
        workflow.check_transition("clinic", S.FINISHED, S.ARRIVED)
    assert caught.value.messages == ["A visit cannot go from “Finished” to “Arrived”."]
    assert caught.value.code == "invalid_transition"


def test_a_clinic_no_show_cannot_come_back_and_a_stay_cannot_skip_check_in():
    with pytest.raises(ValidationError):
        workflow.check_transition("clinic", S.NO_SHOW, S.ARRIVED)
    with pytest.raises(ValidationError):
        workflow.check_transition("hotel", S.BOOKED, S.CHECKED_OUT)


def test_statuses_of_a_vertical_follow_the_flow():
    assert workflow.statuses_of("hotel") == [S.BOOKED, S.CHECKED_IN, S.CANCELLED, S.NO_SHOW, S.CHECKED_OUT]
    assert S.PAID not in workflow.statuses_of("clinic")


def test_guards_apply_only_to_their_status_and_vertical():
    def guard(visit, to_status, actor):
        raise ValidationError("no")

    workflow.register_guard(guard, to_status=S.ARRIVED, vertical="clinic")
    try:
        assert guard in workflow.guards_for("clinic", S.ARRIVED)
        assert guard not in workflow.guards_for("clinic", S.CANCELLED)
        assert guard not in workflow.guards_for("hotel", S.ARRIVED)
    finally:
        workflow.unregister(guard)
    assert guard not in workflow.guards_for("clinic", S.ARRIVED)


def test_every_guard_refusal_is_reported_together(monkeypatch):
    monkeypatch.setattr(workflow, "_GUARDS", [])  # only this test's guards, not those the apps register

    class Visit:
        vertical = "retail"

    def first(visit, to_status, actor):
        raise ValidationError("Balance open.")

    def second(visit, to_status, actor):
        raise ValidationError("Coverage missing.")

    workflow.register_guard(first, to_status=S.PAID)
    workflow.register_guard(second, to_status=S.PAID)
    try:
        with pytest.raises(ValidationError) as caught:
            workflow.run_guards(Visit(), S.PAID, None)
    finally:
        workflow.unregister(first)
        workflow.unregister(second)
    assert caught.value.messages == ["Balance open.", "Coverage missing."]
