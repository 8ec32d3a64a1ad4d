"""Writes of the phone line's set-up: a branch's phone settings and its blocked numbers (managers only)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.clients.normalise import normalise_phone
from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.concurrency import bump_version, check_version
from frontoffice.core.models import Branch

from ..choices import BlockReason
from ..models import BlockedNumber, PhoneSettings


def _phone_number(raw: str, field: str) -> str:
    number = normalise_phone(raw)
    if number is None:
        raise ValidationError({field: _("Enter a phone number, e.g. +48 600 100 200.")})
    return number


@transaction.atomic
def phone_settings_update(
    *,
    branch: Branch,
    actor: Any,
    expected_version: int | None,
    callback_due_minutes: int,
    repeat_calls_join_callback: bool,
    outgoing_caller_id: str = "",
) -> PhoneSettings:
    """Set how the branch's phone line behaves; the first save creates the row. A stale edit is refused."""
    row = PhoneSettings.objects.select_for_update().filter(branch=branch).first()
    if row is None:
        row = PhoneSettings(organisation_id=branch.organisation_id, branch=branch)
    else:
        check_version(row, expected_version)
    caller_id = _phone_number(outgoing_caller_id, "outgoing_caller_id") if outgoing_caller_id.strip() else ""
    before = (row.callback_due_minutes, row.repeat_calls_join_callback, row.outgoing_caller_id)
    row.callback_due_minutes = callback_due_minutes
    row.repeat_calls_join_callback = repeat_calls_join_callback
    row.outgoing_caller_id = caller_id
    row.full_clean()
    if row.pk is not None:
        bump_version(row, user=actor)
        row.save()
    else:
        row.updated_by = signed_in_user(actor)
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:  # a colleague saved the branch's first settings at the same moment
            raise ValidationError(
                _("A colleague has just saved these settings; yours were not saved. Review them and save again."),
                code="stale",
            ) from None
    audit(
        actor=actor,
        action="interactions.phone_settings_update",
        target=row,
        organisation=branch.organisation,
        branch=branch,
        summary=_("Phone settings of %(branch)s: callbacks due after %(minutes)s min, repeat calls %(repeat)s")
        % {
            "branch": branch.name,
            "minutes": callback_due_minutes,
            "repeat": _("add to the open callback") if repeat_calls_join_callback else _("get their own callback"),
        },
        data={
            "before": {"callback_due_minutes": before[0], "repeat": before[1], "caller_id": before[2]},
            "after": {"callback_due_minutes": callback_due_minutes, "repeat": repeat_calls_join_callback},
            "caller_id": caller_id,
        },
    )
    return row


@transaction.atomic
def blocked_number_add(
    *, branch: Branch, actor: Any, number: str, reason: str = BlockReason.ABUSE, note: str = ""
) -> BlockedNumber:
    """Put a number (any format; kept in E.164) on the branch's blocked list: its calls are rejected from now on."""
    e164 = _phone_number(number, "number")
    if BlockedNumber.objects.filter(branch=branch, number=e164, removed_at__isnull=True).exists():
        raise ValidationError({"number": _("%(number)s is blocked at this branch already.") % {"number": e164}})
    blocked = BlockedNumber(
        organisation_id=branch.organisation_id,
        branch=branch,
        number=e164,
        reason=reason,
        note=note.strip(),
        added_by=signed_in_user(actor),
        updated_by=signed_in_user(actor),
    )
    blocked.full_clean(validate_constraints=False)  # the one-active-block rule is checked above and by the database
    try:
        with transaction.atomic():
            blocked.save()
    except IntegrityError:  # a colleague blocked it at the same moment
        raise ValidationError(
            {"number": _("%(number)s is blocked at this branch already.") % {"number": e164}}
        ) from None
    audit(
        actor=actor,
        action="interactions.blocked_number_add",
        target=blocked,
        organisation=branch.organisation,
        branch=branch,
        summary=_("Number %(number)s blocked: %(reason)s") % {"number": e164, "reason": BlockReason(reason).label},
        data={"number": e164, "reason": reason, "note": blocked.note},
    )
    return blocked


@transaction.atomic
def blocked_number_remove(*, blocked: BlockedNumber, actor: Any) -> BlockedNumber:
    """Take a number off the blocked list; the entry and its history stay."""
    blocked = BlockedNumber.objects.select_for_update().select_related("branch__organisation").get(pk=blocked.pk)
    if blocked.removed_at is not None:
        return blocked
    blocked.removed_at = timezone.now()
    blocked.removed_by = signed_in_user(actor)
    bump_version(blocked, user=actor)
    blocked.save(update_fields=["removed_at", "removed_by", "version", "updated_by", "updated_at"])
    audit(
        actor=actor,
        action="interactions.blocked_number_remove",
        target=blocked,
        organisation=blocked.branch.organisation,
        branch=blocked.branch,
        summary=_("Number %(number)s unblocked") % {"number": blocked.number},
    )
    return blocked
