"""Reads of the coverage area and of registration cards, scoped to the user.

Payers and policies belong to the organisation (a client is seen by every branch);
eligibility checks, cards and guest exports go with a visit or a branch and follow its scope.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from frontoffice.clients.models import Client
from frontoffice.core.scoping import scope_queryset

from . import selectors
from .models import Coverage, EligibilityCheck, GuestExport, Payer, Visit, VisitBilling, VisitGuest


def payer_list(*, user: Any, include_inactive: bool = False) -> QuerySet[Payer]:
    payers = scope_queryset(Payer.objects.all(), user, branch_field=None)
    return payers if include_inactive else payers.filter(is_active=True)


def payer_get(*, user: Any, pk: int) -> Payer:
    try:
        return payer_list(user=user, include_inactive=True).get(pk=pk)
    except (Payer.DoesNotExist, ValueError):
        raise Http404 from None


def coverage_list(*, user: Any, client: Client) -> QuerySet[Coverage]:
    return (
        scope_queryset(Coverage.objects.all(), user, branch_field=None)
        .filter(client=client)
        .select_related("payer", "subscriber")
        .prefetch_related("copays__visit_type")
        .order_by("order", "-valid_from", "-pk")
    )


def coverage_get(*, user: Any, pk: int) -> Coverage:
    try:
        return (
            scope_queryset(Coverage.objects.all(), user, branch_field=None)
            .select_related("payer", "subscriber", "client", "organisation")
            .get(pk=pk)
        )
    except (Coverage.DoesNotExist, ValueError):
        raise Http404 from None


def visit_checks(*, user: Any, visit: Visit) -> QuerySet[EligibilityCheck]:
    """The eligibility checks of a visit the user may see (``visit`` came through a scoped selector)."""
    return visit.eligibility_checks.select_related("checked_by", "coverage__payer").order_by("-checked_at", "-pk")


def client_checks(*, user: Any, client: Client, limit: int = 20) -> list[EligibilityCheck]:
    checks = scope_queryset(EligibilityCheck.objects.all(), user).filter(client=client)
    return list(checks.select_related("checked_by", "coverage__payer", "visit").order_by("-checked_at")[:limit])


def visit_billing(*, visit: Visit) -> VisitBilling | None:
    return VisitBilling.objects.filter(visit=visit).select_related("coverage__payer", "last_check").first()


def guest_get(*, user: Any, visit_pk: int, guest_pk: int) -> VisitGuest:
    visit = selectors.visit_get(user=user, pk=visit_pk)
    try:
        return visit.guests.select_related("client", "visit__branch", "visit__organisation").get(pk=guest_pk)
    except (VisitGuest.DoesNotExist, ValueError):
        raise Http404 from None


def guest_export_list(*, user: Any, branch_id: int | None = None) -> QuerySet[GuestExport]:
    exports = scope_queryset(GuestExport.objects.all(), user).select_related("branch", "created_by")
    if branch_id is not None:
        exports = exports.filter(branch_id=branch_id)
    return exports


def guest_export_get(*, user: Any, pk: int) -> GuestExport:
    try:
        return guest_export_list(user=user).get(pk=pk)
    except (GuestExport.DoesNotExist, ValueError):
        raise Http404 from None
