"""Permission-matrix entries for the shift handover log and documents (merged into tests/test_permission_matrix.py).

Handovers and their items belong to ``branch`` (``scoped``): desk viewers read them, desk
editors write, acknowledge and tick items. A visit's documents belong to the visit's branch
(``scoped``); a client's own documents follow the client, which is organisation-wide
(``org_scoped``). Documents are for clerks, agents, managers and administrators (not
executives or security); uploading and removing for clerks, managers and administrators.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.permission_cases import Case, api_case

VIEWERS = frozenset({"clerk", "agent", "manager", "executive", "admin"})
EDITORS = frozenset({"clerk", "agent", "manager", "admin"})
DOC_VIEWERS = frozenset({"clerk", "agent", "manager", "admin"})
DOC_UPLOADERS = frozenset({"clerk", "manager", "admin"})
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _png(name: str = "skan.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _handover(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["handover"].pk}


def _upload(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "id_scan", "title": "Dowód", "file": _png()}


CASES: dict[str, Case] = {
    "desk:handover_list": Case(roles=VIEWERS),
    "desk:handover_create": Case(roles=EDITORS),
    "desk:handover_detail": Case(roles=VIEWERS, kwargs=_handover, scoped=True),
    # The clerk wrote it: acknowledging one's own handover is refused with a message (still a redirect).
    "desk:handover_acknowledge": Case(roles=EDITORS, kwargs=_handover, scoped=True, method="post", ok=(302,)),
    "desk:handover_item_done": Case(
        roles=EDITORS, kwargs=lambda ctx: {"pk": ctx["handover_item"].pk}, scoped=True, method="post", ok=(302,)
    ),
    "desk:client_documents": Case(roles=DOC_VIEWERS, kwargs=lambda ctx: {"pk": ctx["client"].pk}, org_scoped=True),
    "desk:visit_documents": Case(roles=DOC_VIEWERS, kwargs=lambda ctx: {"pk": ctx["desk_visit"].pk}, scoped=True),
    "desk:document_view": Case(roles=DOC_VIEWERS, kwargs=lambda ctx: {"pk": ctx["visit_document"].pk}, scoped=True),
    "desk:document_download": Case(
        roles=DOC_VIEWERS, kwargs=lambda ctx: {"pk": ctx["client_document"].pk}, org_scoped=True
    ),
    "desk:document_delete": Case(
        roles=DOC_UPLOADERS, kwargs=lambda ctx: {"pk": ctx["visit_document"].pk}, scoped=True, method="post", ok=(302,)
    ),
    "api:handover_list": api_case(roles=VIEWERS),
    "api:handover_create": api_case(
        roles=EDITORS,
        method="post",
        ok=(201,),
        data=lambda ctx: {"branch_id": ctx["branch"].pk, "notes": "Drukarka w recepcji nie działa."},
        overrides={"outsider_branch": 422, "outsider_org": 422},  # the branch is not theirs: a field error
    ),
    "api:handover_get": api_case(roles=VIEWERS, kwargs=lambda ctx: {"handover_id": ctx["handover"].pk}, scoped=True),
    "api:handover_acknowledge": api_case(
        roles=EDITORS,
        kwargs=lambda ctx: {"handover_id": ctx["handover"].pk},
        scoped=True,
        method="post",
        # The clerk wrote it (422); the others acknowledge it.
        overrides={"clerk": 422},
    ),
    "api:handover_item_done": api_case(
        roles=EDITORS,
        kwargs=lambda ctx: {"item_id": ctx["handover_item"].pk},
        scoped=True,
        method="post",
        data=lambda ctx: {"done": True},
    ),
    "api:document_list": api_case(roles=DOC_VIEWERS),
    # A JSON body carries no file: allowed roles get 422, the others 403 before the body is read.
    "api:document_upload": api_case(roles=DOC_UPLOADERS, method="post", ok=(422,)),
    "api:document_get": api_case(
        roles=DOC_VIEWERS, kwargs=lambda ctx: {"document_id": ctx["visit_document"].pk}, scoped=True
    ),
    "api:document_file": api_case(
        roles=DOC_VIEWERS, kwargs=lambda ctx: {"document_id": ctx["client_document"].pk}, org_scoped=True
    ),
    "api:document_delete": api_case(
        roles=DOC_UPLOADERS,
        kwargs=lambda ctx: {"document_id": ctx["visit_document"].pk},
        scoped=True,
        method="delete",
        ok=(204,),
    ),
}


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """A handover by the clerk with one open item; a document of the client and one of the clinic visit."""
    from frontoffice.desk import services_documents, services_handover

    branch, clerk = ctx["branch"], ctx["clerk"]
    handover = services_handover.handover_create(
        branch=branch,
        actor=clerk,
        notes="Pan Kowalski oddzwoni po wyniki.",
        items=[services_handover.ItemData(text="Oddzwonić", client=ctx["client"], visit=ctx["desk_visit"])],
    )
    client_document, _created = services_documents.document_upload(
        actor=clerk, file=_png("dowod.png"), kind="id_scan", client=ctx["client"], branch=branch
    )
    visit_document, _created = services_documents.document_upload(
        actor=clerk, file=_png("zgoda.png"), kind="consent", visit=ctx["desk_visit"]
    )
    return {
        "handover": handover,
        "handover_item": handover.items.get(),
        "client_document": client_document,
        "visit_document": visit_document,
    }
