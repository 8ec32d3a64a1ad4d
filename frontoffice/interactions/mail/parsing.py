"""Reading one raw e-mail into what the services store, whatever shape it arrives in.

Nothing here raises on bad mail: a header that cannot be decoded, a charset nobody knows, broken
MIME or a missing Message-ID are read as far as they can be, and each thing that could not be is
named in ``problems`` (shown to staff as a note on the message).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from typing import Any

from django.utils.translation import gettext as _

from .sanitise import sanitise_html

# Headers kept on the message for people and for threading diagnostics.
HEADERS_OF_NOTE = (
    "Date",
    "Reply-To",
    "Return-Path",
    "Auto-Submitted",
    "X-Autoreply",
    "X-Autorespond",
    "Precedence",
    "X-Auto-Response-Suppress",
    "List-Id",
    "X-Failed-Recipients",
    "Content-Type",
)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_BOUNCE_SENDERS = ("mailer-daemon@", "postmaster@")


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    from_address: str = ""
    from_name: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    subject: str = ""
    date: Any = None
    text_body: str = ""
    html_body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    is_auto_submitted: bool = False
    is_bounce: bool = False
    bounced_message_ids: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    size: int = 0


def message_ids(value: str) -> list[str]:
    """The ``<…>`` ids in a Message-ID, In-Reply-To or References header, in order."""
    return _MESSAGE_ID.findall(value or "")


def _header(message: Message, name: str, problems: list[str]) -> str:
    try:
        value = message.get(name)
    except Exception:  # a header the parser cannot make sense of
        problems.append(_("The %(header)s header could not be read.") % {"header": name})
        return ""
    if value is None:
        return ""
    try:
        return " ".join(str(value).replace("\x00", "").split())
    except Exception:
        problems.append(_("The %(header)s header could not be read.") % {"header": name})
        return ""


def _decode_part(part: Message, problems: list[str]) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        # NUL characters cannot be stored (PostgreSQL) and never mean anything in a text.
        return payload.decode(charset).replace("\x00", "")
    except (LookupError, UnicodeDecodeError):
        problems.append(
            _("Part of the text was not in its named character set (%(charset)s); unreadable characters show as �.")
            % {"charset": charset[:40]}
        )
        return payload.decode("utf-8", errors="replace").replace("\x00", "")


def is_auto_submitted(message: Message, problems: list[str]) -> bool:
    """Whether a program sent this (out-of-office, list, notification): never answer it automatically."""
    auto = _header(message, "Auto-Submitted", problems).lower()
    if auto and auto != "no":
        return True
    if _header(message, "X-Autoreply", problems) or _header(message, "X-Autorespond", problems):
        return True
    if _header(message, "Precedence", problems).lower() in {"bulk", "junk", "list", "auto_reply"}:
        return True
    if message.get_content_type() == "multipart/report":
        return True  # read receipts (disposition-notification) and delivery reports alike
    return bool(_header(message, "X-Auto-Response-Suppress", problems))


def is_bounce(message: Message, from_address: str, problems: list[str]) -> bool:
    """Whether this reports that a message could not be delivered."""
    if message.get_content_type() == "multipart/report":
        report_type = str(message.get_param("report-type") or "").lower()
        if report_type in {"delivery-status", ""}:
            return True
    if _header(message, "Return-Path", problems).strip() == "<>":
        return True
    if _header(message, "X-Failed-Recipients", problems):
        return True
    return from_address.lower().startswith(_BOUNCE_SENDERS)


def _bounced_ids(message: Message) -> list[str]:
    """The Message-IDs of what bounced: from the returned headers inside the report."""
    found: list[str] = []
    for part in message.walk():
        if part.get_content_type() in {"message/rfc822", "text/rfc822-headers", "message/rfc822-headers"}:
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                found += message_ids(str(inner[0].get("Message-ID", "")))
            else:
                text = part.get_payload(decode=True) or b""
                if isinstance(text, bytes):
                    match = re.search(rb"^Message-ID:\s*(<[^>]+>)", text, re.IGNORECASE | re.MULTILINE)
                    if match:
                        found.append(match.group(1).decode("ascii", errors="replace"))
    return found


def parse(raw: bytes) -> ParsedMail:
    """Read a raw message (as IMAP gives it); never raises."""
    problems: list[str] = []
    try:
        message: Message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception:  # pragma: no cover - the parser is lenient; this is the last resort
        message = BytesParser(policy=policy.compat32).parsebytes(raw)
    defects = list(getattr(message, "defects", []))
    for part in message.walk():
        defects += list(getattr(part, "defects", []))
    if defects:
        problems.append(_("The message's structure is damaged; what could be read is shown."))

    raw_id = message_ids(_header(message, "Message-ID", problems))
    if raw_id:
        message_id = raw_id[0][:255]
    else:
        message_id = f"<{hashlib.sha256(raw).hexdigest()[:40]}@generated.frontoffice.invalid>"
        problems.append(_("The message had no Message-ID; one was made from its contents."))

    from_name, from_address = parseaddr(_header(message, "From", problems))
    if not from_address:
        problems.append(_("The sender's address could not be read."))
    subject = _header(message, "Subject", problems)
    date = None
    raw_date = _header(message, "Date", problems)
    if raw_date:
        try:
            date = parsedate_to_datetime(raw_date)
            if date.tzinfo is None:
                date = None
        except (TypeError, ValueError):
            problems.append(_("The date of the message could not be read."))

    parsed = ParsedMail(
        message_id=message_id,
        in_reply_to=(message_ids(_header(message, "In-Reply-To", problems)) or [""])[0][:255],
        references=message_ids(_header(message, "References", problems)),
        from_address=from_address[:254],
        from_name=from_name[:200],
        to=[address for _name, address in getaddresses([_header(message, "To", problems)]) if address],
        cc=[address for _name, address in getaddresses([_header(message, "Cc", problems)]) if address],
        subject=subject[:500],
        date=date,
        headers={name: value for name in HEADERS_OF_NOTE if (value := _header(message, name, problems))},
        size=len(raw),
    )
    parsed.is_auto_submitted = is_auto_submitted(message, problems)
    parsed.is_bounce = is_bounce(message, from_address, problems)
    if parsed.is_bounce:
        parsed.bounced_message_ids = _bounced_ids(message)
    _read_bodies(message, parsed, problems)
    parsed.problems = list(dict.fromkeys(problems))
    return parsed


def _read_bodies(message: Message, parsed: ParsedMail, problems: list[str]) -> None:
    texts: list[str] = []
    htmls: list[str] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        filename = ""
        try:
            filename = part.get_filename() or ""
        except Exception:
            problems.append(_("An attachment's name could not be read."))
        if disposition == "attachment" or filename or not content_type.startswith("text/"):
            if content_type.startswith("multipart/") or content_type == "message/delivery-status":
                continue
            data = part.get_payload(decode=True)
            if not isinstance(data, bytes):
                data = str(part.get_payload()).encode("utf-8", errors="replace")
            parsed.attachments.append(
                Attachment(
                    filename=(filename.replace("\x00", "") or _default_name(content_type))[:255],
                    content_type=content_type[:127],
                    data=data,
                )
            )
        elif content_type == "text/html":
            htmls.append(_decode_part(part, problems))
        elif content_type == "text/plain" or content_type.startswith("text/"):
            texts.append(_decode_part(part, problems))
    parsed.text_body = "\n\n".join(text.strip() for text in texts if text.strip())
    if htmls:
        parsed.html_body = sanitise_html("\n".join(htmls))
    if not parsed.text_body and not parsed.html_body and not parsed.attachments:
        problems.append(_("The message has no text that could be read."))


def _default_name(content_type: str) -> str:
    extension = {"message/rfc822": "eml", "text/rfc822-headers": "txt"}.get(content_type, "bin")
    return f"attachment.{extension}"


def as_email_message(raw: bytes) -> EmailMessage:
    """The raw message as the standard library's object (tests build replies from it)."""
    return BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[return-value]
