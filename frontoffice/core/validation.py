"""``full_clean`` for services that already hold the related rows.

Django's ``ForeignKey.validate()`` runs one ``SELECT 1 … WHERE id = …`` per relation to prove
that the referenced row exists. A service that has just read (often locked) the visit, the
branch and the acting user knows they exist: on the desk's busiest writes those checks were
four or five round trips of nothing, on every payment and receipt.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model


def loaded_relations(instance: Model) -> list[str]:
    """The names of ``instance``'s foreign keys whose related object is already attached to it."""
    return [
        field.name
        for field in instance._meta.concrete_fields
        if field.is_relation and field.many_to_one and field.is_cached(instance)  # type: ignore[attr-defined]
    ]


def full_clean_held(instance: Model, *, exclude: Iterable[str] = ()) -> None:
    """``instance.full_clean()``, trusting the related objects the caller attached (field rules,
    ``clean()`` and the constraints that do not involve those relations still run)."""
    instance.full_clean(exclude=[*exclude, *loaded_relations(instance)])
