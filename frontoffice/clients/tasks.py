"""Background work of the clients app: applying the retention period."""

from __future__ import annotations

from django.tasks import task

from frontoffice.core.models import Organisation

from .privacy import retention_apply


@task()
def apply_retention(*, organisation_id: int | None = None) -> int:
    """Erase clients past their organisation's retention period; returns how many were erased.
    Enqueue it daily (see docs/clients-import.md), or run `frontoffice clients retention`."""
    organisations = Organisation.objects.all()
    if organisation_id is not None:
        organisations = organisations.filter(pk=organisation_id)
    return sum(retention_apply(organisation=organisation).erased for organisation in organisations)
