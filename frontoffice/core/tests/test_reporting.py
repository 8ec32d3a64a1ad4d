"""Reporting events are written with their dimensions and read back as they were recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from frontoffice.core.models import ReportingEvent
from frontoffice.core.reporting import EventKind, record_event, reporting_modules

MOMENT = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def test_an_event_keeps_its_dimensions_and_measure(organisation, branch, agent):
    event = record_event(
        organisation=organisation,
        branch=branch,
        kind=EventKind.CALL_ANSWERED,
        occurred_at=MOMENT,
        subject=("call", 41),
        channel="phone",
        agent=agent,
        team_id=7,
        value=18.0,
        data={"queue": "main"},
    )

    stored = ReportingEvent.objects.get(pk=event.pk)
    assert (stored.organisation_id, stored.branch_id, stored.agent_id) == (organisation.pk, branch.pk, agent.pk)
    assert (stored.kind, stored.subject_type, stored.subject_id) == ("call.answered", "call", 41)
    assert (stored.channel, stored.team_id, stored.value, stored.data) == ("phone", 7, 18.0, {"queue": "main"})
    assert stored.occurred_at == MOMENT


def test_an_event_recorded_in_a_rolled_back_change_is_gone(organisation):
    try:
        with transaction.atomic():
            record_event(
                organisation=organisation.pk, kind=EventKind.CASE_CREATED, occurred_at=MOMENT, subject=("case", 1)
            )
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass

    assert not ReportingEvent.objects.filter(organisation=organisation).exists()


def test_the_backfill_command_asks_every_app_with_a_reporting_module(organisation, capsys):
    labels = [label for label, _module in reporting_modules()]
    assert {"interactions", "feedback", "desk"} <= set(labels)

    call_command("reporting_backfill", organisation=organisation.slug)

    out = capsys.readouterr().out
    assert f"{organisation.slug}: " in out and "interactions 0" in out


@pytest.mark.django_db
def test_the_backfill_command_refuses_an_unknown_organisation():
    with pytest.raises(CommandError):
        call_command("reporting_backfill", organisation="no-such-organisation")


def test_buffered_events_are_written_together_when_the_block_ends(organisation):
    from frontoffice.core.reporting import buffered

    with transaction.atomic():
        with buffered():
            for n in range(3):
                record_event(
                    organisation=organisation.pk, kind=EventKind.CALL_OFFERED, occurred_at=MOMENT, subject=("call", n)
                )
            assert not ReportingEvent.objects.filter(organisation=organisation).exists()

        assert sorted(ReportingEvent.objects.values_list("subject_id", flat=True)) == [0, 1, 2]


def test_buffered_events_of_a_failed_block_are_never_written(organisation):
    from frontoffice.core.reporting import buffered

    try:
        with transaction.atomic(), buffered():
            record_event(
                organisation=organisation.pk, kind=EventKind.CALL_OFFERED, occurred_at=MOMENT, subject=("c", 1)
            )
            raise RuntimeError("the batch failed")
    except RuntimeError:
        pass

    record_event(organisation=organisation.pk, kind=EventKind.CALL_OFFERED, occurred_at=MOMENT, subject=("c", 2))
    assert list(ReportingEvent.objects.values_list("subject_id", flat=True)) == [2]  # written at once again
