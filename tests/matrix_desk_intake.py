"""Permission-matrix entries for intake forms (merged into tests/test_permission_matrix.py).

Forms belong to the organisation (``org_scoped``); a visit's filled form belongs to the visit's
branch (``scoped``). The client's page is public: the signed link is the only key.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.permission_cases import Case, api_case

VIEWERS = frozenset({"clerk", "agent", "manager", "executive", "admin"})
EDITORS = frozenset({"clerk", "agent", "manager", "admin"})
MANAGERS = frozenset({"manager", "admin"})


def _form(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["intake_form"].pk}


def _visit(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["intake_visit"].pk}


def _api_visit(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"visit_id": ctx["intake_visit"].pk}


def _answers(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"answers": {"allergies": "no", "signature": ctx["intake_signature"]}}


CASES: dict[str, Case] = {
    "desk:intake_form_list": Case(roles=MANAGERS),
    "desk:intake_form_create": Case(roles=MANAGERS),
    "desk:intake_form_detail": Case(roles=MANAGERS, kwargs=_form, org_scoped=True),
    "desk:intake_form_edit": Case(
        roles=MANAGERS,
        kwargs=_form,
        org_scoped=True,
        method="post",
        data=lambda ctx: {"name": "Ankieta (nowa nazwa)", "is_active": "on"},
        ok=(302,),
    ),
    "desk:intake_draft_start": Case(roles=MANAGERS, kwargs=_form, org_scoped=True, method="post", ok=(302,)),
    "desk:intake_draft_texts": Case(
        roles=MANAGERS,
        kwargs=_form,
        org_scoped=True,
        method="post",
        data=lambda ctx: {"title_pl": "Ankieta"},
        ok=(302,),
    ),
    "desk:intake_field_add": Case(
        roles=MANAGERS,
        kwargs=_form,
        org_scoped=True,
        method="post",
        data=lambda ctx: {"label_pl": "Uwagi", "label_en": "Notes", "key": "notes", "kind": "long_text"},
        ok=(302,),
    ),
    "desk:intake_publish": Case(roles=MANAGERS, kwargs=_form, org_scoped=True, method="post", ok=(302,)),
    "desk:intake_version_detail": Case(
        roles=MANAGERS, kwargs=lambda ctx: {"pk": ctx["intake_form"].pk, "number": 1}, org_scoped=True
    ),
    "desk:intake_field_edit": Case(
        roles=MANAGERS, kwargs=lambda ctx: {"pk": ctx["intake_draft_field"].pk}, org_scoped=True
    ),
    "desk:intake_field_remove": Case(
        roles=MANAGERS,
        kwargs=lambda ctx: {"pk": ctx["intake_draft_field"].pk},
        org_scoped=True,
        method="post",
        ok=(302,),
    ),
    "desk:visit_intake": Case(roles=VIEWERS, kwargs=_visit, scoped=True),
    "desk:visit_intake_fill": Case(roles=EDITORS, kwargs=_visit, scoped=True),
    "desk:visit_intake_accept": Case(roles=EDITORS, kwargs=_visit, scoped=True, method="post", ok=(302,)),
    "desk:visit_intake_pdf": Case(roles=VIEWERS, kwargs=_visit, scoped=True),
    "desk:visit_intake_file": Case(
        roles=VIEWERS, kwargs=lambda ctx: {"pk": ctx["intake_visit"].pk, "key": "signature"}, scoped=True
    ),
    "desk:visit_intake_link": Case(
        roles=EDITORS, kwargs=_visit, scoped=True, method="post", data=lambda ctx: {"send": ""}
    ),
    "desk:intake_public": Case(public=True, kwargs=lambda ctx: {"token": ctx["intake_token"]}),
    "api:intake_form_list": api_case(roles=VIEWERS),
    "api:intake_form_get": api_case(
        roles=VIEWERS, kwargs=lambda ctx: {"form_id": ctx["intake_form"].pk}, org_scoped=True
    ),
    "api:intake_submission_create": api_case(
        roles=EDITORS, kwargs=_api_visit, scoped=True, method="post", data=_answers, ok=(200,)
    ),
    # A JSON body carries no answers for the multipart endpoint: editors get 422 (the signature is required).
    "api:intake_submission_upload": api_case(roles=EDITORS, kwargs=_api_visit, scoped=True, method="post", ok=(422,)),
    "api:intake_submission_get": api_case(roles=VIEWERS, kwargs=_api_visit, scoped=True),
    "api:intake_file_get": api_case(
        roles=VIEWERS, kwargs=lambda ctx: {"visit_id": ctx["intake_visit"].pk, "key": "signature"}, scoped=True
    ),
    "api:intake_submission_accept": api_case(
        roles=EDITORS, kwargs=_api_visit, scoped=True, method="post", data=lambda ctx: {}
    ),
}


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """A published form (version 1) with a draft (version 2) on a clinic type, and a visit whose form is filled."""
    from django.utils import timezone

    from frontoffice.desk import services
    from frontoffice.desk.intake import links
    from frontoffice.desk.intake import services as intake_services
    from frontoffice.desk.intake.services import FieldData
    from frontoffice.desk.services import VisitData
    from frontoffice.desk.tests.fixtures_intake import signature_png

    organisation, branch, clerk, manager = ctx["branch"].organisation, ctx["branch"], ctx["clerk"], ctx["manager"]
    form = intake_services.intake_form_create(organisation=organisation, actor=manager, name="Ankieta wstępna")
    first = form.versions.get()
    intake_services.intake_field_add(
        version=first,
        actor=manager,
        data=FieldData(key="allergies", kind="yes_no", label_pl="Alergie?", label_en="Allergies?", required=True),
    )
    intake_services.intake_field_add(
        version=first,
        actor=manager,
        data=FieldData(key="signature", kind="signature", label_pl="Podpis", label_en="Signature", required=True),
    )
    intake_services.intake_version_publish(version=first, actor=manager)
    draft = intake_services.intake_draft_start(form=form, actor=manager)
    extra = intake_services.intake_field_add(
        version=draft, actor=manager, data=FieldData(key="remarks", kind="text", label_pl="Uwagi", label_en="Remarks")
    )
    visit_type = services.visit_type_create(
        organisation=organisation, actor=manager, name="Konsultacja z ankietą", vertical="clinic", intake_form=form
    )
    visit = services.visit_create(
        branch=branch,
        actor=clerk,
        client=ctx["client"],
        visit_type=visit_type,
        data=VisitData(scheduled_at=timezone.now() + timedelta(hours=3)),
    )
    signature = signature_png()
    intake_services.intake_submission_save(visit=visit, actor=clerk, raw={"allergies": "no", "signature": signature})
    return {
        "intake_form": form,
        "intake_draft_field": extra,
        "intake_visit": visit,
        "intake_signature": signature,
        "intake_token": links.make_token(visit_id=visit.pk, form_id=form.pk),
    }
