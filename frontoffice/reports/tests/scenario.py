"""A fixed, hand-made week of reporting events for the golden tests.

Przychodnia Testowa, Europe/Warsaw (UTC+1 in early March 2026), days D2 = Mon 2 March,
D3 = Tue 3 March, D4 = Wed 4 March. Branch North (agents A1 and A2, team 1) and branch South
(agent A3, team 2). Every metric's expected figure is worked out by hand in test_golden.py.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from frontoffice.core.reporting import EventKind as K
from frontoffice.core.reporting import record_event

WARSAW = ZoneInfo("Europe/Warsaw")
D2, D3, D4 = dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)
TEAM_1, TEAM_2 = 11, 12


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=WARSAW)


@dataclass
class Cast:
    organisation: Any
    north: Any
    south: Any
    a1: Any
    a2: Any
    a3: Any


_numbers = itertools.count(1)


def events(cast: Cast) -> list[dict[str, Any]]:
    """The scenario as keyword arguments for ``record_event``, in the order they happen within each group."""
    north, south, a1, a2, a3 = cast.north, cast.south, cast.a1, cast.a2, cast.a3
    team = {a1: TEAM_1, a2: TEAM_1, a3: TEAM_2}
    branch_of = {a1: north, a2: north, a3: south}
    out: list[dict[str, Any]] = []

    def add(kind: str, when: dt.datetime, who: Any, channel: str = "", value: float | None = None, **extra: Any):
        out.append(
            {
                "kind": kind,
                "occurred_at": when,
                "branch": branch_of[who],
                "agent": who,
                "team_id": team[who],
                "channel": channel,
                "value": value,
                "subject": extra.pop("subject", ("test", next(_numbers))),
                **extra,
            }
        )

    # Surveys: 24 sent; answers CSAT 5 4 2 5 3 (+ a 6, off the scale), NPS 10 9 8 6 0 7 10, CES 7 5 4 6 2.
    for i in range(24):
        add(K.SURVEY_SENT, at(D2, 8, i), [a1, a2, a3][i % 3], "email", data={"survey_type": "csat"})
    for who, when, score in [
        (a1, at(D2, 10), 5),
        (a2, at(D2, 11), 4),
        (a3, at(D3, 0, 30), 2),  # 23:30 UTC on 2 March: a local Tuesday
        (a1, at(D3, 9), 5),
        (a2, at(D4, 9), 3),
        (a1, at(D4, 10), 6),  # off the 1–5 scale: ignored by CSAT, still an answer
    ]:
        add(K.SURVEY_ANSWERED, when, who, "email", score, data={"survey_type": "csat", "scale": "1-5"})
    for who, score in zip([a1, a2, a3, a1, a2, a3, a1], [10, 9, 8, 6, 0, 7, 10], strict=True):
        add(K.SURVEY_ANSWERED, at(D3, 14), who, "sms", score, data={"survey_type": "nps", "scale": "0-10"})
    for who, score in zip([a1, a2, a3, a1, a3], [7, 5, 4, 6, 2], strict=True):
        add(K.SURVEY_ANSWERED, at(D4, 15), who, "in_person", score, data={"survey_type": "ces", "scale": "1-7"})

    # Cases: c1–c3 created on D2, c4–c5 on D3, c6 on D4.
    # SLA policies (business_seconds, as the clocks record them): open Mon–Fri 08:00–16:00 Warsaw, pausing
    # on pending customer; c5's policy also pauses on pending internal. c3 matched no policy: no business time.
    cases = {n: ("case", 900 + n) for n in range(1, 7)}
    created = {1: at(D2, 9), 2: at(D2, 10), 3: at(D2, 11), 4: at(D3, 11), 5: at(D3, 12), 6: at(D4, 9)}
    owner = {1: a1, 2: a2, 3: a1, 4: a3, 5: a3, 6: a2}
    for n, when in created.items():
        add(K.CASE_CREATED, when, owner[n], "email", subject=cases[n])
    # First replies, all within opening hours: business = calendar, c3 has none.
    for n, seconds, business in zip([1, 2, 3, 4, 5], [60, 120, 300, 30, 600], [60, 120, None, 30, 600], strict=True):
        add(
            K.CASE_FIRST_RESPONSE,
            created[n] + dt.timedelta(seconds=seconds),
            owner[n],
            "email",
            seconds,
            subject=cases[n],
            data={} if business is None else {"business_seconds": business},
        )
    # Next replies at 16:00 on D3; c5 waited pending internal 15:55:00–15:58:20 (200 s paused of 400).
    for n, seconds, business in zip([1, 2, 4, 5], [100, 200, 300, 400], [100, 200, 300, 200], strict=True):
        add(
            K.CASE_RESPONSE,
            at(D3, 16),
            owner[n],
            "email",
            seconds,
            subject=cases[n],
            data={"business_seconds": business},
        )
    # c1: 09:00–10:00 on D2, all business time. c2: 10:00 D2 – 10:00 D3 across the night: 10:00–16:00 (6 h)
    # + 08:00–10:00 (2 h) = 28 800 s. c4: 11:00–13:00 on D3, pending customer 11:30–12:30: 3 600 s.
    add(
        K.CASE_RESOLVED,
        at(D2, 10),
        a1,
        "email",
        3600,
        subject=cases[1],
        data={"replies": 1, "reopened": False, "business_seconds": 3600},
    )
    add(
        K.CASE_RESOLVED,
        at(D3, 10),
        a2,
        "email",
        86400,
        subject=cases[2],
        data={"replies": 2, "reopened": False, "business_seconds": 28800},
    )
    add(
        K.CASE_RESOLVED,
        at(D3, 13),
        a3,
        "email",
        7200,
        subject=cases[4],
        data={"replies": 1, "reopened": False, "business_seconds": 3600},
    )
    add(K.CASE_REOPENED, at(D3, 15), a1, "email", subject=cases[1])
    add(K.CASE_RESOLVED, at(D4, 9), a1, "email", 172800, subject=cases[1], data={"replies": 2, "reopened": True})
    for target, met, breached in [("first_response", 3, 1), ("next_response", 1, 1), ("resolution", 2, 0)]:
        for _ in range(met):
            add(K.SLA_MET, at(D3, 17), a1, "email", data={"target": target})
        for _ in range(breached):
            add(K.SLA_BREACHED, at(D3, 17), a3, "email", data={"target": target})

    # Contacts (client, topic): 101/1 on D2 by phone and again on D3 by e-mail; 102/1 chat D2; 102/2 SMS D3;
    # 103/1 in person D2 and again by web form 8 days later; one letter from an unknown sender on D4.
    for who, when, channel, client, topic in [
        (a1, at(D2, 9), "phone", 101, 1),
        (a2, at(D3, 10), "email", 101, 1),
        (a3, at(D2, 12), "chat", 102, 1),
        (a3, at(D3, 12), "sms", 102, 2),
        (a1, at(D2, 15), "in_person", 103, 1),
        (a1, at(dt.date(2026, 3, 10), 16), "web_form", 103, 1),
        (a2, at(D4, 11), "letter", None, None),
    ]:
        add(K.CONTACT_RECEIVED, when, who, channel, client_id=client, topic_id=topic)
    for i in range(8):
        add(K.VISIT_FINISHED, at(D3, 8, i), [a1, a3][i % 2], "in_person", data={"vertical": "clinic"})

    # Phone (North): 10 offered; answered after 5 15 20 25 40 90 s; abandoned after 30 and 60 s, short after 3 and 4 s.
    for i in range(10):
        add(K.CALL_OFFERED, at(D2, 12, i), [a1, a2][i % 2], "phone")
    for i, wait in enumerate([5, 15, 20, 25, 40, 90]):
        add(K.CALL_ANSWERED, at(D2, 12, i), [a1, a2][i % 2], "phone", wait)
    for wait, short in [(30, False), (60, False), (3, True), (4, True)]:
        add(K.CALL_ABANDONED, at(D2, 13), a1, "phone", wait, data={"short": short})
    for i, (talk, hold, wrap) in enumerate(
        [(240, 30, 30), (150, 0, 50), (300, 60, 40), (80, 0, 20), (200, 20, 30), (300, 0, 50)]
    ):
        add(
            K.CALL_ENDED,
            at(D2, 14, i),
            [a1, a2][i % 2],
            "phone",
            talk + hold + wrap,
            data={"talk": talk, "hold": hold, "wrap": wrap},
        )
    for state, seconds in [("on_call", 3000), ("wrap_up", 600), ("available", 2400), ("break", 900)]:
        add(K.AGENT_STATE, at(D2, 18), a1, "phone", seconds, data={"state": state})

    # Desk (South): three clients served.
    for service, to_call, to_start in [(300, 120, 30), (600, 600, 60), (420, 300, 45)]:
        add(
            K.QUEUE_SERVED,
            at(D4, 12),
            a3,
            "in_person",
            service,
            data={"wait": to_call, "walk": to_start},
        )
    return out


def record(cast: Cast, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        record_event(organisation=cast.organisation, **row)
