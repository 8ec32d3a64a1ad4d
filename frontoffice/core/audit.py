"""Audit helpers that services call inside their transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AccessLogEntry, AuditEntry, Branch, Organisation
from .queries import InsertBuffer

# Entries of work that audits many actions in one transaction (a batch of queued CTI events), written in one
# INSERT when its ``buffered_audit()`` block ends.
_pending = InsertBuffer(AuditEntry)
buffered_audit = _pending.block


def signed_in_user(actor: Any) -> Any:
    """``actor`` when it is a signed-in user, else None (system jobs, the demo, anonymous requests)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def audit(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    organisation: Organisation,
    summary: str,
    branch: Branch | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record a workflow action on ``target``. ``summary`` is stored as written. Within ``buffered_audit()`` the
    entry is written when the block ends."""
    entry = AuditEntry(
        organisation=organisation,
        branch=branch,
        actor=signed_in_user(actor),
        action=action,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=str(target.pk),
        summary=summary[:300],
        data=data or {},
    )
    if not _pending.keep(entry):
        entry.save(force_insert=True)
    return entry


def log_access(
    *, user: Any, target: models.Model, organisation: Organisation, purpose: str = "", path: str = ""
) -> AccessLogEntry:
    """Record that ``user`` read a sensitive record."""
    return AccessLogEntry.objects.create(
        organisation=organisation,
        user=signed_in_user(user),
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=str(target.pk),
        purpose=purpose[:200],
        path=path[:300],
    )
