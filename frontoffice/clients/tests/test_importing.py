"""Client import from CSV (command, page and API) and export."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from stdnum.pl import pesel

from frontoffice.clients.importing import CHECKING, COLUMNS, WRITING, ImportFileError, client_import, parse
from frontoffice.clients.models import Client
from frontoffice.clients.services import ClientData, IdentifierData, client_create
from frontoffice.core.models import AuditEntry

HEADER = list(COLUMNS)


def valid_pesel(stem: str = "9001021234") -> str:
    return stem + pesel.calc_check_digit(stem)


def row(external_id: str, given: str = "Anna", family: str = "Nowak", **cells: str) -> dict[str, str]:
    return {"external_id": external_id, "given_name": given, "family_name": family, **cells}


def make_csv(rows: list[dict[str, str]], *, delimiter: str = ",", encoding: str = "utf-8", bom: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    for cells in rows:
        writer.writerow([cells.get(column, "") for column in HEADER])
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


@pytest.fixture
def imports_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path / "imports"


def run(organisation, raw, **kwargs):
    return client_import(organisation=organisation, actor=None, raw=raw, **kwargs)


# --- reading files ---------------------------------------------------------------------------


def test_cp1250_semicolon_file_from_polish_excel_keeps_the_polish_letters(organisation):
    # Given a file as Polish Excel saves it: Windows-1250, semicolons
    raw = make_csv([row("A1", "Żaneta", "Łęcka", city="Łódź")], delimiter=";", encoding="cp1250")
    # When it is imported
    summary = run(organisation, raw)
    # Then the encoding and delimiter are detected and the letters survive
    assert (summary.encoding, summary.delimiter, summary.imported) == ("Windows-1250", "semicolon", 1)
    client = Client.objects.get(external_id="A1")
    assert (client.given_name, client.family_name, client.addresses.get().city) == ("Żaneta", "Łęcka", "Łódź")


def test_utf8_file_with_bom_and_tabs_is_read(organisation):
    raw = make_csv([row("A1", "Zofia", "Żółw")], delimiter="\t", bom=True)
    summary = run(organisation, raw)
    assert (summary.encoding, summary.delimiter, summary.imported) == ("UTF-8 with BOM", "tab", 1)
    assert Client.objects.get(external_id="A1").family_name == "Żółw"


def test_a_wrong_header_is_refused_naming_the_expected_columns(organisation):
    raw = b"id,first,last\n1,Anna,Nowak\n"
    with pytest.raises(ImportFileError) as error:
        parse(raw.replace(b",", b";"))
    assert "external_id, given_name, family_name" in str(error.value)
    assert "Not recognised: id, first, last" in str(error.value)


def test_an_unknown_delimiter_is_refused_with_the_accepted_ones(organisation):
    raw = make_csv([row("A1")]).replace(b",", b"|")
    with pytest.raises(ImportFileError, match="comma, a semicolon or a tab"):
        run(organisation, raw)
    assert not Client.objects.exists()


def test_a_binary_or_undecodable_file_is_refused(organisation):
    with pytest.raises(ImportFileError, match="not a text file"):
        parse(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(ImportFileError, match="encoding"):
        parse(b"external_id\x81\x98")  # bytes that are neither UTF-8 nor cp1250


# --- rows ------------------------------------------------------------------------------------


def test_valid_rows_are_imported_and_invalid_ones_reported_by_line_and_column(organisation):
    # Given one good row and one with a bad PESEL, phone and date
    raw = make_csv(
        [
            row(
                "A1", date_of_birth="02.01.1990", sex="K", phone="600 700 800", id_type="pesel", id_number=valid_pesel()
            ),
            row("A2", date_of_birth="1990-13-45", phone="12", id_type="pesel", id_number="12345678901"),
        ]
    )
    # When imported
    summary = run(organisation, raw)
    # Then the good row is in, with its phone in E.164 and its PESEL
    assert (summary.read, summary.imported, summary.error_rows) == (2, 1, 1)
    client = Client.objects.get(external_id="A1")
    assert client.contacts.get().value == "+48600700800"
    assert client.identifiers.get().kind == "pesel"
    # And the bad row is reported on line 3, per column, with the registration form's messages
    columns = {error.column for error in summary.errors if error.row == 3}
    assert columns == {"date_of_birth", "phone", "id_number"}
    assert any("PESEL" in error.message for error in summary.errors)


def test_missing_family_name_and_external_id_are_errors(organisation):
    summary = run(organisation, make_csv([{"given_name": "Anna"}]))
    assert {error.column for error in summary.errors} == {"external_id", "family_name"}
    assert summary.imported == 0


def test_rerunning_the_same_file_changes_nothing(organisation):
    # Given a file imported once
    raw = make_csv([row("A1"), row("A2", "Jan", "Kowalski", phone="600100200")])
    run(organisation, raw)
    before = (Client.objects.count(), Client.history.count(), AuditEntry.objects.count())
    # When it is imported again
    summary = run(organisation, raw)
    # Then every row is skipped and nothing is written
    assert (summary.imported, summary.skipped) == (0, 2)
    assert (Client.objects.count(), Client.history.count(), AuditEntry.objects.count()) == before


def test_a_repeated_external_id_in_the_file_is_an_error(organisation):
    summary = run(organisation, make_csv([row("A1"), row("A1", "Jan", "Kowalski")]))
    assert summary.imported == 1
    assert summary.errors[0].row == 3 and "line 2" in summary.errors[0].message


def test_likely_duplicates_within_the_file_are_imported_and_flagged(organisation):
    # Given the same person twice, the second time without diacritics and with another phone format
    raw = make_csv(
        [
            row("A1", "Zofia", "Żółw", date_of_birth="1980-05-12", phone="600100200"),
            row("A2", "Zofia", "Zolw", date_of_birth="1980-05-12", phone="+48 600-100-200"),
        ]
    )
    summary = run(organisation, raw)
    # Then both are imported, the second flagged for review, nothing merged
    assert (summary.imported, summary.flagged) == (2, 1)
    assert list(Client.objects.order_by("external_id").values_list("needs_review", flat=True)) == [False, True]


def test_likely_duplicates_of_existing_clients_are_imported_and_flagged(organisation, clerk):
    # Given a client registered at the desk
    client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(given_name="Jan", family_name="Kowalski", date_of_birth=None, phones=["600100200"]),
    )
    # When the file has him with a typo in the family name
    summary = run(organisation, make_csv([row("A1", "Jan", "Kowalsky", phone="600 100 200")]))
    # Then he is imported, flagged
    assert (summary.imported, summary.flagged) == (1, 1)
    assert Client.objects.get(external_id="A1").needs_review
    # And a different person is not flagged
    assert run(organisation, make_csv([row("A2", "Ewa", "Zielińska", phone="700800900")])).flagged == 0


def test_an_identifier_an_existing_client_has_is_an_error_naming_the_client(organisation, clerk):
    number = valid_pesel()
    existing = client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(given_name="Anna", family_name="Nowak", identifiers=[IdentifierData("pesel", number)]),
    )
    summary = run(organisation, make_csv([row("A1", "Anna", "Nowakowska", id_type="pesel", id_number=number)]))
    assert summary.imported == 0
    assert summary.errors[0].column == "id_number"
    assert existing.number in summary.errors[0].message


def test_dry_run_checks_everything_and_writes_nothing(organisation):
    summary = run(organisation, make_csv([row("A1"), row("A2", family="")]), dry_run=True)
    assert (summary.imported, summary.error_rows) == (1, 1)
    assert not Client.objects.exists()


# --- the command -----------------------------------------------------------------------------


def test_command_imports_prints_a_summary_and_writes_the_errors_file(organisation, branch, tmp_path):
    source, errors = tmp_path / "clients.csv", tmp_path / "errors.csv"
    source.write_bytes(make_csv([row("A1", "Łucja"), row("A2", phone="12")], delimiter=";", encoding="cp1250"))
    out = io.StringIO()
    call_command("clients_import", str(source), organisation="testowa", branch="north", errors=str(errors), stdout=out)
    assert "Windows-1250, semicolon-separated" in out.getvalue()
    assert "imported" in out.getvalue()
    assert Client.objects.get(external_id="A1").registered_at_branch == branch
    lines = list(csv.reader(errors.read_text(encoding="utf-8").splitlines()))
    assert lines[0] == ["row", "column", "message"]
    assert lines[1][:2] == ["3", "phone"]


def test_command_dry_run_imports_nothing(organisation, tmp_path):
    source = tmp_path / "clients.csv"
    source.write_bytes(make_csv([row("A1")]))
    out = io.StringIO()
    call_command("clients_import", str(source), organisation="testowa", dry_run=True, stdout=out)
    assert "dry run" in out.getvalue()
    assert not Client.objects.exists()


def test_the_import_reports_progress_every_batch_and_at_the_end_of_each_stage(organisation):
    reports = []
    raw = make_csv([row(f"A{n}", family=f"Nowak{n}") for n in range(5)] + [row("B1", family="")])
    run(organisation, raw, batch_size=2, progress=lambda *report: reports.append(report))
    assert reports == [
        (CHECKING, 2, 6),
        (CHECKING, 4, 6),
        (CHECKING, 6, 6),
        (WRITING, 2, 5),
        (WRITING, 4, 5),
        (WRITING, 5, 5),
    ]
    assert Client.objects.count() == 5


def test_a_dry_run_reports_only_the_check(organisation):
    reports = []
    run(organisation, make_csv([row("A1")]), dry_run=True, progress=lambda *report: reports.append(report))
    assert reports == [(CHECKING, 1, 1)]


def test_command_prints_progress_to_stderr_when_asked_and_the_same_summary(organisation, tmp_path):
    source = tmp_path / "clients.csv"
    source.write_bytes(make_csv([row("A1"), row("A2", family="Kowalska"), row("A3", family="Wiśniewska")]))
    quiet_out, quiet_err = io.StringIO(), io.StringIO()
    call_command(
        "clients_import", str(source), organisation="testowa", dry_run=True, stdout=quiet_out, stderr=quiet_err
    )
    out, err = io.StringIO(), io.StringIO()
    call_command("clients_import", str(source), organisation="testowa", progress=True, stdout=out, stderr=err)
    # Without a terminal and without --progress: no progress lines
    assert "rows/s" not in quiet_err.getvalue()
    # With --progress: one line per stage here (3 rows are one batch), with rows done of all and a rate
    lines = err.getvalue().splitlines()
    assert [line.split(" (")[0] for line in lines] == ["checking rows: 3/3", "writing clients: 3/3"]
    assert all(line.endswith(" rows/s)") for line in lines)
    assert "imported" in out.getvalue() and "rows/s" not in out.getvalue()


def test_command_refuses_an_unknown_organisation_and_a_bad_file(organisation, tmp_path):
    source = tmp_path / "clients.csv"
    source.write_bytes(b"a|b|c\n")
    with pytest.raises(CommandError, match="No organisation"):
        call_command("clients_import", str(source), organisation="nope")
    with pytest.raises(CommandError, match="comma, a semicolon or a tab"):
        call_command("clients_import", str(source), organisation="testowa")


# --- the page --------------------------------------------------------------------------------


def upload(browser, raw, name="clients.csv"):
    file = io.BytesIO(raw)
    file.name = name
    return browser.post(reverse("clients:import_upload"), {"file": file})


def test_manager_uploads_sees_a_preview_confirms_and_downloads_the_errors(login, manager, imports_dir):
    browser = login(manager)
    raw = make_csv([row("A1", "Zofia", "Żółw"), row("A2", phone="12")], delimiter=";", encoding="cp1250")
    # When the manager uploads the file
    response = upload(browser, raw)
    assert response.status_code == 302
    token = response["Location"].rstrip("/").split("/")[-1]
    # Then it waits on the server, not in the session, and nothing is imported yet
    assert (imports_dir / f"{token}.csv").read_bytes() == raw
    preview = browser.get(response["Location"])
    assert preview.status_code == 200
    assert not Client.objects.exists()
    text = preview.content.decode()
    assert "Windows-1250" in text and "semicolon" in text and "Żółw" in text
    assert preview.context["summary"].imported == 1 and preview.context["summary"].error_rows == 1
    # When they confirm
    result = browser.post(reverse("clients:import_confirm", args=[token]), follow=True)
    # Then the valid row is imported and the errors can be downloaded
    assert result.status_code == 200
    assert Client.objects.filter(external_id="A1").exists()
    assert result.context["summary"]["imported"] == 1
    errors = browser.get(reverse("clients:import_errors", args=[token]))
    assert errors["Content-Type"].startswith("text/csv")
    assert "3,phone," in errors.content.decode("utf-8-sig")
    # And confirming twice imports nothing more
    browser.post(reverse("clients:import_confirm", args=[token]))
    assert Client.objects.count() == 1


@pytest.mark.parametrize(
    ("delimiter", "english", "polish"),
    [
        (";", "columns separated by semicolons", "kolumny rozdzielone średnikami"),
        (",", "columns separated by commas", "kolumny rozdzielone przecinkami"),
        ("\t", "columns separated by tabs", "kolumny rozdzielone tabulatorami"),
    ],
)
def test_the_preview_names_the_delimiter_in_a_whole_sentence(login, manager, imports_dir, delimiter, english, polish):
    browser = login(manager)
    location = upload(browser, make_csv([row("A1")], delimiter=delimiter, bom=True))["Location"]
    assert f"clients.csv: UTF-8 with BOM, {english}." in browser.get(location).content.decode()
    manager.language = "pl"
    manager.save(update_fields=["language"])
    text = login(manager).get(location).content.decode()
    assert f"clients.csv: UTF-8 z BOM, {polish}. Nic jeszcze nie zaimportowano." in text


def test_a_bad_file_gets_a_clear_message_and_nothing_is_stored(login, manager, imports_dir):
    response = upload(login(manager), b"id;name\n1;Anna\n")
    assert response.status_code == 400
    assert "external_id, given_name" in response.content.decode()
    assert not imports_dir.exists() or not any(imports_dir.iterdir())
    assert not Client.objects.exists()


def test_only_the_uploader_can_open_an_upload(login, manager, admin, imports_dir):
    token = upload(login(manager), make_csv([row("A1")]))["Location"].rstrip("/").split("/")[-1]
    response = login(admin).get(reverse("clients:import_preview", args=[token]))
    assert response.status_code == 404


def test_clerk_cannot_import(login, clerk, imports_dir):
    assert login(clerk).get(reverse("clients:import_upload")).status_code == 403


# --- export ----------------------------------------------------------------------------------


def test_export_has_the_import_columns_and_reimports_as_unchanged(login, manager, organisation, other_organisation):
    # Given imported clients and one of another organisation
    raw = make_csv(
        [row("A1", "Zofia", "Żółw", phone="600100200", city="Kraków", id_type="pesel", id_number=valid_pesel())]
    )
    run(organisation, raw)
    run(other_organisation, make_csv([row("X1", "Obcy", "Klient")]))
    # When the manager exports
    response = login(manager).get(reverse("clients:export_csv"))
    content = b"".join(response.streaming_content)
    # Then the file has the import's header, the organisation's clients only, and reads back as unchanged
    lines = list(csv.reader(content.decode("utf-8-sig").splitlines()))
    assert lines[0] == HEADER
    assert [line[0] for line in lines[1:]] == ["A1"]
    assert lines[1][5] == "+48600100200" and lines[1][8] == "Kraków"
    assert run(organisation, content).skipped == 1


def test_export_has_no_query_per_client(login, manager, organisation, django_assert_max_num_queries):
    run(organisation, make_csv([row(f"A{n}", family=f"Nowak{n}", phone=f"60010020{n}") for n in range(8)]))
    browser = login(manager)
    with django_assert_max_num_queries(12):
        response = browser.get(reverse("clients:export_csv"))
        content = b"".join(response.streaming_content)
    assert content.count(b"\n") == 9


# --- the API ---------------------------------------------------------------------------------


def test_api_import_dry_run_returns_the_summary_and_errors(login, manager):
    file = io.BytesIO(make_csv([row("A1"), row("A2", phone="12")]))
    file.name = "c.csv"
    response = login(manager).post("/api/v1/clients/transfer/import", {"file": file, "dry_run": "true"})
    assert response.status_code == 200
    body = response.json()
    assert (body["dry_run"], body["imported"], body["error_rows"]) == (True, 1, 1)
    assert body["errors"][0] == {"row": 3, "column": "phone", "message": body["errors"][0]["message"]}
    assert not Client.objects.exists()


def test_api_import_of_a_bad_file_is_a_422_problem(login, manager):
    file = io.BytesIO(b"a|b\n")
    file.name = "c.csv"
    response = login(manager).post("/api/v1/clients/transfer/import", {"file": file})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content)["errors"][0]["field"] == "file"


def test_api_export_csv(login, admin, organisation):
    run(organisation, make_csv([row("A1")]))
    response = login(admin).get("/api/v1/clients/transfer/export.csv")
    assert response.status_code == 200
    assert b"A1,Anna,Nowak" in b"".join(response.streaming_content)
