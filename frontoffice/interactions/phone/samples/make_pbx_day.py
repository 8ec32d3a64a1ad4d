"""Writes pbx-day.jsonl: an invented day of PBX events for ``frontoffice cti replay`` and the replay test.

50 calls between 08:00 and 16:00 (Warsaw) on Monday 23 November 2026, three agents (extensions 201–203):
32 inbound calls answered (4 with hold, 3 transferred), 11 inbound calls nobody answered (6 missed, 5
abandoned; one number calls twice while its callback is open), 1 forwarded elsewhere, 6 outbound (4
answered, 2 not). Every answered call ends with a wrap-up. Three delivery faults are planted: one event
sent twice, one ``answer`` after its call's ``hangup``, and one ``hangup`` sent before its ``newCall``.

Run ``python make_pbx_day.py > pbx-day.jsonl``; the numbers are fixed, so the file is the same each time.
"""

import json
import random
from datetime import UTC, datetime, timedelta

AGENTS = [("201", "Ola Nowak"), ("202", "Piotr Zieliński"), ("203", "Ewa Maj")]
LINE = "+48221234500"
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 08:00 in Warsaw

rng = random.Random(6)  # noqa: S311 (invented sample data, not secrets)
events: list[tuple[datetime, int, dict]] = []
order = 0


def emit(at: datetime, event: dict) -> None:
    global order
    order += 1
    events.append((at, order, {**event, "timestamp": at.isoformat().replace("+00:00", "Z")}))


def number(i: int) -> str:
    return f"+4860{(1000000 + i * 7919) % 10000000:07d}"


kinds = (
    ["answered"] * 25
    + ["hold"] * 4
    + ["transfer"] * 3
    + ["missed"] * 6
    + ["abandoned"] * 5
    + ["forwarded"]
    + ["out_answered"] * 4
    + ["out_missed"] * 2
)
rng.shuffle(kinds)
repeat_of = None
for i, kind in enumerate(kinds):
    at = START + timedelta(minutes=i * 9 + rng.randint(0, 3))
    call_id = f"day-{i + 1:03d}"
    ext, name = AGENTS[i % 3]
    caller = number(i)
    if kind == "missed" and repeat_of is None:
        repeat_of = caller
    elif kind == "abandoned" and repeat_of is not None and repeat_of != "used":
        caller, repeat_of = repeat_of, "used"  # the same number again, while its callback is open
    if kind.startswith("out_"):
        base = {"from": LINE, "to": caller, "direction": "out", "callId": call_id}
        emit(at, {"event": "newCall", **base, "user[]": [name]})
        if kind == "out_answered":
            answer = at + timedelta(seconds=rng.randint(5, 20))
            end = answer + timedelta(seconds=rng.randint(60, 240))
            emit(answer, {"event": "answer", **base, "answeringNumber": ext})
            emit(end, {"event": "hangup", **base, "cause": "normalClearing", "answeringNumber": ext})
            emit(end + timedelta(seconds=rng.randint(15, 60)), {"event": "wrapup_end", **base, "user[]": [name]})
        else:
            emit(at + timedelta(seconds=30), {"event": "hangup", **base, "cause": "noAnswer"})
        continue
    base = {"from": caller, "to": LINE, "direction": "in", "callId": call_id}
    emit(at, {"event": "newCall", **base, "user[]": [a[1] for a in AGENTS], "queue": "recepcja"})
    if kind in ("missed", "abandoned", "forwarded"):
        cause = {"missed": "noAnswer", "abandoned": "cancel", "forwarded": "forwarded"}[kind]
        emit(at + timedelta(seconds=rng.randint(10, 45)), {"event": "hangup", **base, "cause": cause})
        continue
    answer = at + timedelta(seconds=rng.randint(3, 25))
    emit(answer, {"event": "answer", **base, "answeringNumber": ext})
    end = answer + timedelta(seconds=rng.randint(90, 300))
    who = ext
    if kind == "hold":
        emit(answer + timedelta(seconds=40), {"event": "hold", **base})
        emit(answer + timedelta(seconds=70), {"event": "unhold", **base})
    if kind == "transfer":
        who = AGENTS[(i + 1) % 3][0]
        emit(answer + timedelta(seconds=50), {"event": "transfer", **base, "transferTo": who})
    emit(end, {"event": "hangup", **base, "cause": "normalClearing", "answeringNumber": who})
    emit(end + timedelta(seconds=1), {"event": "wrapup_start", **base})
    emit(end + timedelta(seconds=rng.randint(20, 90)), {"event": "wrapup_end", **base})

events.sort(key=lambda item: (item[0], item[1]))
lines = [event for _at, _order, event in events]
# The planted faults: a repeated event, an answer after its hangup, a hangup before its newCall.
lines.insert(11, dict(lines[10]))
late = next(i for i, e in enumerate(lines) if e["event"] == "hangup" and e["cause"] == "cancel")
late_call = lines[late]["callId"]
lines.insert(late + 1, {**lines[late], "event": "answer", "answeringNumber": "201", "cause": None})
lines[late + 1].pop("cause")
first_missed = next(
    i for i, e in enumerate(lines) if e["event"] == "hangup" and e["cause"] == "noAnswer" and e["direction"] == "in"
)
missed_new = next(
    i for i, e in enumerate(lines) if e["event"] == "newCall" and e["callId"] == lines[first_missed]["callId"]
)
lines[missed_new], lines[first_missed] = lines[first_missed], lines[missed_new]
for line in lines:
    print(json.dumps(line, ensure_ascii=False))
