"""E-mail through real servers: dovecot holds the customer's mail, aiosmtpd takes our replies."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from frontoffice.interactions.choices import Channel, ClientMatch, Direction
from frontoffice.interactions.mail import services as mail_services
from frontoffice.interactions.models import Case, EmailMessage, Interaction, Mailbox
from frontoffice.interactions.models.mail import DeliveryStatus

from .fixtures_mail import make_mail


def test_customer_mail_reply_and_answer_thread_into_one_case(
    live_mailbox, dovecot, smtp_server, caller, agent, django_capture_on_commit_callbacks
):
    # Given Jan, a client, writes to the clinic's mailbox
    dovecot.append(make_mail(message_id="<pytanie-1@example.invalid>"))

    # When the mailbox is read
    assert mail_services.mailbox_poll(mailbox=live_mailbox) == 1

    # Then his mail is an inbound e-mail contact, matched to him, on a new e-mail case
    inbound = Interaction.objects.get(external_id="<pytanie-1@example.invalid>")
    assert (inbound.channel, inbound.direction) == (Channel.EMAIL, Direction.INBOUND)
    assert (inbound.client, inbound.client_match) == (caller, ClientMatch.AUTOMATIC)
    case = inbound.case
    assert case is not None and case.channel == Channel.EMAIL and case.client == caller
    assert inbound.email.text_body.startswith("Dzień dobry")

    # When the agent replies from the case
    with django_capture_on_commit_callbacks(execute=True):
        reply = mail_services.email_reply(case=case, body="Oczywiście, proszę zadzwonić.", actor=agent)

    # Then our SMTP server got it, threaded to his mail and carrying the case number
    reply.refresh_from_db()
    assert reply.status == DeliveryStatus.SENT
    [sent] = smtp_server.messages
    assert sent["To"] == "jan.w@example.invalid"
    assert sent["Subject"] == f"Re: Pytanie o wizytę [{case.number}]"
    assert sent["In-Reply-To"] == "<pytanie-1@example.invalid>"
    assert sent["References"] == "<pytanie-1@example.invalid>"
    assert sent["Message-ID"] == reply.message_id
    assert reply.interaction.direction == Direction.OUTBOUND and reply.interaction.case == case

    # When Jan answers that reply (his client sets In-Reply-To and keeps the subject)
    answer = make_mail(subject=str(sent["Subject"]), message_id="<odpowiedz-2@example.invalid>", body="Dziękuję!")
    answer["In-Reply-To"] = sent["Message-ID"]
    answer["References"] = f"<pytanie-1@example.invalid> {sent['Message-ID']}"
    dovecot.append(answer)
    assert mail_services.mailbox_poll(mailbox=live_mailbox) == 1

    # Then it joins the same case, and no other case was opened
    assert Interaction.objects.get(external_id="<odpowiedz-2@example.invalid>").case == case
    assert Case.objects.count() == 1


def test_reading_twice_fetches_nothing_new_and_stores_nothing_twice(live_mailbox, dovecot):
    # Given two messages were read
    dovecot.append(make_mail(message_id="<a@example.invalid>"))
    dovecot.append(make_mail(message_id="<b@example.invalid>", subject="Druga sprawa"))
    assert mail_services.mailbox_poll(mailbox=live_mailbox) == 2
    # When the mailbox is read again, and again after the server renumbered the folder
    assert mail_services.mailbox_poll(mailbox=live_mailbox) == 0
    Mailbox.objects.filter(pk=live_mailbox.pk).update(uid_validity=1, last_uid=0)
    live_mailbox.refresh_from_db()
    # Then the Message-IDs keep each message once
    assert mail_services.mailbox_poll(mailbox=live_mailbox) == 0
    assert EmailMessage.objects.count() == 2
    assert live_mailbox.uid_validity != 1


def test_a_mailbox_that_is_down_backs_off_doubling_and_recovers(mailbox, dovecot):
    # Given the mailbox points at a port where nothing listens
    now = timezone.now()
    # When it is read three times
    for _attempt in range(3):
        mail_services.mailbox_poll(mailbox=mailbox, now=now)
    # Then it is down, with the error and the next attempt four minutes on
    mailbox.refresh_from_db()
    assert mailbox.is_down and mailbox.consecutive_failures == 3
    assert "ConnectionRefusedError" in mailbox.last_error
    assert mailbox.next_attempt_at == now + timedelta(minutes=4)
    assert mail_services.backoff(10) == timedelta(hours=1)
    # When the server is reachable again
    mailbox.imap_port = dovecot.port
    mailbox.save()
    dovecot.clear()
    mail_services.mailbox_poll(mailbox=mailbox, now=now)
    # Then it is up
    mailbox.refresh_from_db()
    assert not mailbox.is_down and mailbox.last_error == "" and mailbox.last_success_at == now


def test_the_periodic_job_reads_due_mailboxes_only(live_mailbox, dovecot):
    # Given a message waits and the mailbox is due
    dovecot.append(make_mail(message_id="<sweep@example.invalid>"))
    now = timezone.now()
    # When the sweep runs twice in a row
    assert mail_services.mail_poll_due(now) == 1
    dovecot.append(make_mail(message_id="<later@example.invalid>"))
    # Then the second run leaves the mailbox alone until its interval has passed
    assert mail_services.mail_poll_due(now + timedelta(seconds=30)) == 0
    assert mail_services.mail_poll_due(now + timedelta(seconds=61)) == 1


def test_a_reply_that_cannot_be_sent_is_kept_and_sent_later(
    live_mailbox, dovecot, smtp_server, agent, django_capture_on_commit_callbacks
):
    # Given a case from a customer's mail, and the SMTP server unreachable
    dovecot.append(make_mail(message_id="<pytanie-9@example.invalid>"))
    mail_services.mailbox_poll(mailbox=live_mailbox)
    case = Case.objects.get()
    Mailbox.objects.filter(pk=live_mailbox.pk).update(smtp_port=1)
    # When the agent replies
    with django_capture_on_commit_callbacks(execute=True):
        reply = mail_services.email_reply(case=case, body="Odpowiedź", actor=agent)
    # Then the reply waits in the queue with the error
    reply.refresh_from_db()
    assert reply.status == DeliveryStatus.QUEUED and reply.attempts == 1 and reply.send_error
    # When the server is back and the retry falls due
    Mailbox.objects.filter(pk=live_mailbox.pk).update(smtp_port=smtp_server.port)
    assert mail_services.mail_send_due(reply.next_attempt_at) == 1
    # Then it went out once
    reply.refresh_from_db()
    assert reply.status == DeliveryStatus.SENT and len(smtp_server.messages) == 1
