"""Accounts' home-page cards: staff on duty by role, expiring licences, MFA enrolment."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from frontoffice.core.dashboard import Card, CardProvider

from .choices import Role
from .selectors import (
    own_qualifications,
    privileged_without_mfa,
    qualifications_expiring,
    staff_list,
    staff_role_counts,
)


def _staff_by_role(user: Any) -> Card:
    counts = staff_role_counts(user=user)
    total = staff_list(user=user).count()
    return Card(
        title=_("Staff on your branches"),
        figure=total,
        caption=ngettext("active person", "active people", total),
        items=[(Role(role).label, n) for role, n in counts.items()],
        url=reverse("accounts:staff_list"),
        link_label=_("Open the staff list"),
    )


def _colleagues(user: Any) -> Card:
    people = list(staff_list(user=user).exclude(user=user)[:8])
    return Card(
        title=_("Colleagues on your branches"),
        figure=len(people),
        caption=_("shown"),
        items=[(person, ", ".join(str(label) for label in person.role_labels)) for person in people],
        empty=_("No colleagues are assigned to your branches yet."),
    )


def _expiring(user: Any) -> Card:
    rows = list(qualifications_expiring(user=user, within_days=30)[:8])
    return Card(
        title=_("Licences expiring within 30 days"),
        figure=len(rows),
        caption=_("to renew"),
        items=[
            (f"{row.staff} · {row.name}", formats.date_format(row.valid_until, "SHORT_DATE_FORMAT")) for row in rows
        ],
        empty=_("No licence expires in the next 30 days."),
        tone="warn" if rows else "ok",
    )


def _own_licences(user: Any) -> Card:
    rows = list(own_qualifications(user=user))
    expired = sum(1 for row in rows if row.is_expired)
    return Card(
        title=_("My skills and licences"),
        figure=len(rows),
        caption=_("on file"),
        items=[
            (row.name, formats.date_format(row.valid_until, "SHORT_DATE_FORMAT") if row.valid_until else _("no expiry"))
            for row in rows
        ],
        empty=_("No skills or licences are on file for you."),
        tone="warn" if expired else "",
    )


def _mfa(user: Any) -> Card:
    missing = list(privileged_without_mfa(user=user)[:8])
    return Card(
        title=_("Privileged accounts without two-factor sign-in"),
        figure=len(missing),
        caption=_("still to enrol"),
        items=[(person, ", ".join(str(r) for r in person.role_labels)) for person in missing],
        empty=_("Every manager, executive and administrator uses two-factor sign-in."),
        tone="warn" if missing else "ok",
    )


CARDS = [
    CardProvider(roles=frozenset({"manager", "executive", "admin"}), build=_staff_by_role, order=20),
    CardProvider(roles=frozenset({"clerk", "agent", "security"}), build=_colleagues, order=30),
    CardProvider(roles=frozenset({"manager", "executive", "admin"}), build=_expiring, order=40),
    CardProvider(roles=frozenset({"security", "clerk", "agent"}), build=_own_licences, order=50),
    CardProvider(roles=frozenset({"admin"}), build=_mfa, order=80),
]
