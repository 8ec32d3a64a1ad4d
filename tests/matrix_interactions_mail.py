"""Permission-matrix entries for e-mail (merged into tests/test_permission_matrix.py).

Managers and administrators set up mailboxes (``manage_channels``); everyone who sees contacts
reads e-mails and their attachments (not security staff); who works cases replies. Mailboxes and
e-mails belong to ``branch`` (``scoped``): outsiders get 404.
"""

from __future__ import annotations

from typing import Any

from tests.permission_cases import Case, api_case

MANAGERS = frozenset({"manager", "admin"})
VIEWERS = frozenset({"clerk", "agent", "manager", "executive", "admin"})
WORKERS = frozenset({"clerk", "agent", "manager", "admin"})


def _mailbox(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["mail_mailbox"].pk}


def _email(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["mail_interaction"].pk}


CASES: dict[str, Case] = {
    "interactions:mailbox_list": Case(roles=MANAGERS),
    "interactions:mailbox_create": Case(roles=MANAGERS),
    "interactions:mailbox_edit": Case(roles=MANAGERS, kwargs=_mailbox, scoped=True),
    "interactions:mailbox_test": Case(roles=MANAGERS, kwargs=_mailbox, scoped=True, method="post", ok=(302,)),
    "interactions:mailbox_check": Case(roles=MANAGERS, kwargs=_mailbox, scoped=True, method="post", ok=(302,)),
    "interactions:email_detail": Case(roles=VIEWERS, kwargs=_email, scoped=True),
    "interactions:email_reply": Case(
        roles=WORKERS,
        kwargs=_email,
        scoped=True,
        method="post",
        data=lambda ctx: {"body": "Dzień dobry, odpowiadamy na pytanie."},
        ok=(302,),
    ),
    "interactions:email_attachment": Case(
        roles=VIEWERS, kwargs=lambda ctx: {"pk": ctx["mail_attachment"].pk}, scoped=True
    ),
    "api:interactions_mail_mailbox_list": api_case(roles=MANAGERS),
    "api:interactions_mail_mailbox_get": api_case(
        roles=MANAGERS, kwargs=lambda ctx: {"mailbox_id": ctx["mail_mailbox"].pk}, scoped=True
    ),
    "api:interactions_mail_contact_messages": api_case(
        roles=VIEWERS, kwargs=lambda ctx: {"interaction_id": ctx["mail_interaction"].pk}, scoped=True
    ),
    "api:interactions_mail_case_messages": api_case(
        roles=VIEWERS, kwargs=lambda ctx: {"case_id": ctx["mail_interaction"].case_id}, scoped=True
    ),
    "api:interactions_mail_reply": api_case(
        roles=WORKERS,
        kwargs=lambda ctx: {"case_id": ctx["mail_interaction"].case_id},
        scoped=True,
        method="post",
        ok=(201,),
        data=lambda ctx: {"body": "Dzień dobry, odpowiadamy na pytanie."},
    ),
}


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """The branch's mailbox (its servers unreachable: port 1) and a customer's mail with a PDF, on a case."""
    from email.message import EmailMessage

    from frontoffice.interactions.mail import services as mail_services

    mailbox = mail_services.mailbox_create(
        branch=ctx["branch"],
        actor=ctx["manager"],
        data={
            "address": "biuro@testowa.invalid",
            "imap_host": "127.0.0.1",
            "imap_port": 1,
            "imap_security": "none",
            "imap_user": "biuro",
            "imap_password": "tajne",
            "smtp_host": "127.0.0.1",
            "smtp_port": 1,
            "smtp_security": "none",
        },
    )
    message = EmailMessage()
    message["From"] = "Halina Kowalczyk <halina@example.invalid>"
    message["To"] = "biuro@testowa.invalid"
    message["Subject"] = "Skierowanie"
    message["Message-ID"] = "<skierowanie-1@example.invalid>"
    message.set_content("W załączniku skierowanie.")
    message.add_attachment(b"%PDF-1.4\n% skierowanie\n", maintype="application", subtype="pdf", filename="s.pdf")
    interaction = mail_services.message_ingest(mailbox=mailbox, raw=message.as_bytes())
    assert interaction is not None
    return {
        "mail_mailbox": mailbox,
        "mail_interaction": interaction,
        "mail_attachment": interaction.email.attachments.get(),
    }
