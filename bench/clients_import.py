"""How fast `frontoffice clients import` reads a CSV of Polish clients, against the naive import.

Workload: N rows generated with Faker pl_PL (names with diacritics, birth dates,
mobile phones, e-mails, addresses, every second row a valid PESEL), 3 % of them
near-copies of an earlier row (dropped diacritics, another phone format) that
must be flagged as probable duplicates. The file is imported into an empty
organisation of a fresh SQLite database (or the one in DATABASE_URL).

- ours:     importing.client_import — in-memory blocking, bulk writes, 500 rows per transaction
- baseline: per row, matching.find_matches (database blocking) then services.client_create,
            one transaction per row — what a straightforward import does. Measured on the
            first B rows only (it is the slow one), as rows per second.

Prints rows/s of each and the ratio.
    python bench/clients_import.py                 # 100,000 rows; baseline on 2,000
    python bench/clients_import.py --quick         # smoke: 300 rows; baseline on 100
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def generate(rows: int, seed: int = 7) -> bytes:
    from faker import Faker
    from stdnum.pl import pesel

    fake = Faker("pl_PL")
    Faker.seed(seed)
    rng = random.Random(seed)
    lines = [
        "external_id,given_name,family_name,date_of_birth,sex,phone,email,street,city,postal_code,country,"
        "id_type,id_number"
    ]
    people: list[list[str]] = []
    for n in range(rows):
        if people and rng.random() < 0.03:
            given, family, born, sex, phone, email, street, city, code = rng.choice(people)
            family = family.translate(str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ"))
            phone = f"+48 {phone[:3]} {phone[3:6]} {phone[6:]}"
            identifier = ("", "")
        else:
            sex = rng.choice(["female", "male"])
            given = fake.first_name_female() if sex == "female" else fake.first_name_male()
            family = fake.last_name_female() if sex == "female" else fake.last_name_male()
            born = fake.date_of_birth(minimum_age=1, maximum_age=95).isoformat()
            phone = f"{rng.choice('5678')}{rng.randrange(10**8):08d}"
            email = f"{n}.{fake.user_name()}@example.com"
            street, city, code = fake.street_address(), fake.city(), fake.postcode()
            people.append([given, family, born, sex, phone, email, street, city, code])
            identifier = ("", "")
            if n % 2 == 0:
                base = f"{n:010d}"
                identifier = ("other", f"BENCH{base}")
                if rng.random() < 0.5:
                    from datetime import date

                    d = date.fromisoformat(born)
                    month = d.month + (20 if d.year >= 2000 else 0)
                    stem = f"{d.year % 100:02d}{month:02d}{d.day:02d}{n % 10000:04d}"
                    identifier = ("pesel", stem + pesel.calc_check_digit(stem))
        cells = [f"E{n}", given, family, born, sex, phone, email, street, city, code, "PL", *identifier]
        lines.append(",".join(f'"{cell}"' if "," in cell else cell for cell in cells))
    return ("\n".join(lines) + "\n").encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=2_000)
    parser.add_argument("--quick", action="store_true", help="smoke mode: 300 rows, baseline on 100")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.baseline_rows = 300, 100

    workdir = tempfile.mkdtemp(prefix="bench-import-")
    os.environ["FRONTOFFICE_VAR_DIR"] = workdir  # never the real database (DATABASE_URL still wins)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from frontoffice.clients.importing import client_import, parse, row_to_data
    from frontoffice.clients.matching import find_matches
    from frontoffice.clients.services import client_create
    from frontoffice.core.models import Organisation

    call_command("migrate", verbosity=0)
    raw = generate(args.rows)
    print(f"Workload: {args.rows:,} rows ({len(raw) / 1e6:.1f} MB), {connection.vendor}")

    ours_org = Organisation.objects.create(name="Bench ours", slug=f"bench-ours-{os.getpid()}", kind="clinic")
    started = time.perf_counter()
    summary = client_import(organisation=ours_org, actor=None, raw=raw)
    ours_seconds = time.perf_counter() - started
    ours_rate = summary.read / ours_seconds
    print(
        f"ours:     {summary.read:,} rows in {ours_seconds:.1f} s = {ours_rate:,.0f} rows/s "
        f"(imported {summary.imported:,}, flagged {summary.flagged:,}, errors {summary.error_rows:,})"
    )
    started = time.perf_counter()
    again = client_import(organisation=ours_org, actor=None, raw=raw)
    print(f"ours, re-run of the same file: {time.perf_counter() - started:.1f} s, skipped {again.skipped:,}")

    base_org = Organisation.objects.create(name="Bench naive", slug=f"bench-naive-{os.getpid()}", kind="clinic")
    rows = [row for row in parse(raw).rows if row][: args.baseline_rows]
    started = time.perf_counter()
    for row in rows:
        data, _problems = row_to_data(row)
        if data is None:
            continue
        with transaction.atomic():
            from frontoffice.clients.importing import _match_query

            matches = find_matches(organisation=base_org, query=_match_query(data))
            if any(match.level == "exact" for match in matches):
                continue
            client = client_create(organisation=base_org, actor=None, data=data)
            if matches:
                client.needs_review = True
                client.save(update_fields=["needs_review"])
    base_seconds = time.perf_counter() - started
    base_rate = len(rows) / base_seconds
    print(f"baseline: {len(rows):,} rows in {base_seconds:.1f} s = {base_rate:,.0f} rows/s")
    print(
        f"ratio:    {ours_rate / base_rate:.1f}× faster; 100,000 rows ≈ {100_000 / ours_rate:.0f} s ours, "
        f"{100_000 / base_rate:.0f} s baseline"
    )


if __name__ == "__main__":
    main()
