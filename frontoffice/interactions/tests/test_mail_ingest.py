"""Storing a message read from a mailbox: threading, bounces, auto-replies, malformed mail, attachments."""

from __future__ import annotations

from email.message import EmailMessage as StdEmailMessage

from frontoffice.interactions import services as interaction_services
from frontoffice.interactions.choices import Channel, Direction
from frontoffice.interactions.mail import services as mail_services
from frontoffice.interactions.mail.parsing import parse
from frontoffice.interactions.mail.sanitise import sanitise_html
from frontoffice.interactions.models import Case, EmailAttachment, EmailMessage, Interaction
from frontoffice.interactions.models.mail import DeliveryStatus

from .fixtures_mail import make_mail

PDF = b"%PDF-1.4\n% skierowanie\n"


def _ingest(mailbox, message) -> Interaction | None:
    raw = message.as_bytes() if isinstance(message, StdEmailMessage) else message
    return mail_services.message_ingest(mailbox=mailbox, raw=raw)


def test_a_new_mail_opens_an_email_case_and_the_same_mail_again_is_ignored(mailbox):
    # Given a message from a stranger
    message = make_mail(sender="Anna Nowak <anna@example.invalid>")
    # When it is stored twice
    first = _ingest(mailbox, message)
    second = _ingest(mailbox, message)
    # Then one contact on one new e-mail case, at the mailbox's branch
    assert second is None and first is not None
    assert first.branch == mailbox.branch and first.contact_address == "anna@example.invalid"
    assert first.case is not None and first.case.channel == Channel.EMAIL and first.case.subject == "Pytanie o wizytę"
    assert Interaction.objects.count() == 1


def test_a_case_number_in_the_subject_joins_that_case(mailbox, agent):
    # Given a case opened at the counter
    case = interaction_services.case_open(branch=mailbox.branch, subject="Zwrot", actor=agent)
    # When a mail without threading headers names it in the subject
    interaction = _ingest(mailbox, make_mail(subject=f"Dokumenty [{case.number}]"))
    # Then it joins that case
    assert interaction.case == case and Case.objects.count() == 1


def test_references_to_a_merged_case_lead_to_the_surviving_case(mailbox, agent):
    # Given a mail's case was merged into another
    first = _ingest(mailbox, make_mail(message_id="<m1@example.invalid>"))
    survivor = interaction_services.case_open(branch=mailbox.branch, subject="Główna", actor=agent)
    Case.objects.filter(pk=first.case_id).update(merged_into=survivor)
    # When the answer to it arrives
    answer = make_mail(message_id="<m2@example.invalid>", subject="Re: Pytanie o wizytę")
    answer["References"] = "<m1@example.invalid>"
    # Then it joins the survivor
    assert _ingest(mailbox, answer).case == survivor


def test_a_bounce_opens_no_case_joins_the_original_and_marks_the_reply_bounced(
    mailbox, agent, django_capture_on_commit_callbacks
):
    # Given a case with a reply we sent (which could not be sent: no server, it stays queued)
    inbound = _ingest(mailbox, make_mail(message_id="<q@example.invalid>"))
    with django_capture_on_commit_callbacks(execute=False):
        reply = mail_services.email_reply(case=inbound.case, body="Odpowiedź", actor=agent, to="zly@example.invalid")
    # When the mailer daemon reports it undeliverable
    report = StdEmailMessage()
    report["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.invalid>"
    report["To"] = "biuro@przychodnia.invalid"
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Message-ID"] = "<bounce-1@mx.example.invalid>"
    report.set_content("The mail system: user unknown")
    returned = StdEmailMessage()
    returned["Message-ID"] = reply.message_id
    returned["Subject"] = reply.subject
    report.add_attachment(returned)
    report.replace_header("Content-Type", 'multipart/report; report-type="delivery-status"; boundary="b"')
    stored = _ingest(mailbox, report.as_bytes())
    # Then no case is opened: the report joins the original case and the reply is marked bounced
    assert Case.objects.count() == 1
    assert stored.case == inbound.case and stored.email.is_bounce
    reply.refresh_from_db()
    assert reply.status == DeliveryStatus.BOUNCED


def test_a_bounce_nobody_can_place_opens_no_case(mailbox):
    interaction = _ingest(
        mailbox,
        make_mail(sender="MAILER-DAEMON@mx.example.invalid", subject="Delivery Status Notification (Failure)"),
    )
    assert interaction.case is None and interaction.email.is_bounce and Case.objects.count() == 0


def test_auto_replies_are_recognised_and_never_answered_automatically(mailbox):
    for index, headers in enumerate(
        [
            {"Auto-Submitted": "auto-replied"},
            {"X-Autoreply": "yes"},
            {"Precedence": "bulk"},
            {"X-Auto-Response-Suppress": "All"},
        ]
    ):
        interaction = _ingest(mailbox, make_mail(message_id=f"<auto-{index}@example.invalid>", headers=headers))
        assert interaction.email.is_auto_submitted, headers
        assert not mail_services.may_auto_reply(interaction.email)
    person = _ingest(mailbox, make_mail(message_id="<person@example.invalid>", headers={"Auto-Submitted": "no"}))
    assert not person.email.is_auto_submitted and mail_services.may_auto_reply(person.email)


def test_malformed_mail_becomes_a_case_with_a_note_of_what_could_not_be_read(mailbox):
    # Given a message with no Message-ID, a charset nobody knows and a broken MIME boundary
    raw = (
        b"From: Kazimierz <kazik@example.invalid>\r\n"
        b"Subject: Zepsuta wiadomosc\r\n"
        b'Content-Type: multipart/mixed; boundary="nie-ma"\r\n\r\n'
        b"--inna-granica\r\n"
        b"Content-Type: text/plain; charset=x-nieznany\r\n\r\n"
        b"Prosz\xea o kontakt\r\n"
    )
    # When it is stored
    interaction = _ingest(mailbox, raw)
    # Then it is a case with what could be read, and the note says what could not
    assert interaction.case is not None
    message = interaction.email
    assert message.message_id.endswith("@generated.frontoffice.invalid>")
    assert "no Message-ID" in message.problems and "damaged" in message.problems
    assert "Could not be read" in interaction.summary
    # And the same bytes again are recognised by the generated id
    assert _ingest(mailbox, raw) is None


def test_a_bad_charset_is_read_with_replacement_characters(mailbox):
    raw = (
        b"From: kazik@example.invalid\r\nMessage-ID: <cs@example.invalid>\r\nSubject: Test\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nZa\xbf\xf3\xb3\xe6 g\xea\xb6l\xb1 ja\xbc\xf1\r\n"
    )
    message = _ingest(mailbox, raw).email
    assert "\ufffd" in message.text_body and "character set" in message.problems


def test_attachments_are_kept_privately_and_an_oversized_one_is_listed_with_a_note(mailbox, settings):
    # Given a limit of 1 MB and a mail with a small PDF and a 2 MB file
    settings.MAIL_ATTACHMENT_MAX_BYTES = 1024 * 1024
    message = make_mail()
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="skierowanie.pdf")
    message.add_attachment(b"x" * (2 * 1024 * 1024), maintype="application", subtype="zip", filename="skan.zip")
    # When it is stored
    interaction = _ingest(mailbox, message)
    # Then the PDF is kept, the zip listed as not kept, and the note says so
    kept, skipped = EmailAttachment.objects.order_by("pk")
    assert (kept.filename, kept.skipped, kept.size) == ("skierowanie.pdf", False, len(PDF))
    kept.file.open("rb")
    assert kept.file.read() == PDF
    assert "skierowanie" not in kept.file.name
    assert (skipped.filename, skipped.skipped, bool(skipped.file)) == ("skan.zip", True, False)
    assert "skan.zip" in interaction.email.problems and interaction.case is not None


def test_html_mail_is_stored_sanitised():
    message = make_mail()
    message.add_alternative(
        '<p onclick="x()">Dzień dobry<script>alert(1)</script><style>p{}</style>'
        '<img src="https://sledzenie.example.invalid/p.gif" alt="logo"></p>',
        subtype="html",
    )
    parsed = parse(message.as_bytes())
    assert "script" not in parsed.html_body and "onclick" not in parsed.html_body and "style" not in parsed.html_body
    assert "<img" not in parsed.html_body and 'class="remote-image"' in parsed.html_body
    assert parsed.text_body.startswith("Dzień dobry")


def test_sanitising_keeps_basic_formatting_and_safe_links():
    html = sanitise_html('<h2>Tytuł</h2><ul><li><a href="javascript:alert(1)">zły</a></li></ul><b>ok</b>')
    assert "<h2>Tytuł</h2>" in html and "<b>ok</b>" in html and "javascript" not in html


def test_an_outbound_reply_is_recorded_before_it_is_sent(mailbox, caller, agent, django_capture_on_commit_callbacks):
    # Given a case of Jan's opened from his mail
    case = _ingest(mailbox, make_mail()).case
    # When an agent replies while the server is unreachable
    with django_capture_on_commit_callbacks(execute=True):
        reply = mail_services.email_reply(case=case, body="Zapraszamy", actor=agent)
    # Then the reply is an outbound contact on the case, waiting to be sent again
    reply.refresh_from_db()
    assert reply.interaction.direction == Direction.OUTBOUND and reply.interaction.staff == agent
    assert reply.status == DeliveryStatus.QUEUED and reply.send_error
    assert EmailMessage.objects.filter(interaction__case=case).count() == 2


def test_nul_characters_are_dropped_so_any_database_can_store_the_mail(mailbox):
    raw = (
        b"From: kazik@example.invalid\r\nMessage-ID: <nul@example.invalid>\r\nSubject: Zero\x00bajt\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nTekst\x00z zerem\r\n"
    )
    message = _ingest(mailbox, raw).email
    assert "\x00" not in message.text_body and "\x00" not in message.subject


def test_an_empty_return_path_or_failed_recipients_header_marks_a_bounce():
    for headers in ({"Return-Path": "<>"}, {"X-Failed-Recipients": "zly@example.invalid"}):
        assert parse(make_mail(headers=headers).as_bytes()).is_bounce, headers
    assert not parse(make_mail().as_bytes()).is_bounce


def test_a_reply_on_a_counter_case_goes_to_the_clients_address_from_the_branch_mailbox(
    mailbox, caller, agent, django_capture_on_commit_callbacks
):
    # Given a case opened at the counter for Jan, with no e-mail yet
    case = interaction_services.case_open(branch=mailbox.branch, subject="Faktura", actor=agent, client=caller)
    # When the agent answers it by e-mail
    with django_capture_on_commit_callbacks(execute=False):
        reply = mail_services.email_reply(case=case, body="Faktura w załączeniu.", actor=agent)
    # Then it goes to Jan's address on file, from the branch's mailbox, with the case number
    assert (reply.to, reply.mailbox, reply.in_reply_to) == ("jan.w@example.invalid", mailbox, "")
    assert reply.subject == f"Faktura [{case.number}]"
