"""Template tags that put the handover panel and documents sections on pages owned by others.

- ``{% load desk_handover %}{% handover_panel branch %}`` on the day page: handovers waiting
  for acknowledgement at the branch and the number of open items;
- ``{% client_documents client %}`` on the client page and ``{% visit_documents visit %}``
  on the visit page: the latest documents and a link to upload or manage them.

Each renders nothing for a user without the permission, so the owning page needs no checks.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from .. import selectors_documents, selectors_handover
from ..permissions import DeskPermission, DocumentPermission

register = template.Library()
SECTION_ROWS = 10


@register.inclusion_tag("desk/handover/_waiting.html", takes_context=True)
def handover_panel(context: Any, branch: Any) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    if not user.has_perm(DeskPermission.VIEW_VISITS.perm):
        return {"hidden": True}
    return {
        "request": request,
        "branch": branch,
        "waiting": list(selectors_handover.handover_list(user=user, branch=branch, unacknowledged=True)[:10]),
        "open_count": selectors_handover.open_item_count(user=user, branch=branch),
        "can_edit": user.has_perm(DeskPermission.EDIT_VISITS.perm),
        "csrf_token": context.get("csrf_token"),
    }


def _section(context: Any, *, client: Any, visit: Any, page_url: str) -> dict[str, Any]:
    user = context["request"].user
    if not user.has_perm(DocumentPermission.VIEW_DOCUMENTS.perm):
        return {"hidden": True}
    documents = selectors_documents.document_list(
        user=user, client_id=client.pk, visit_id=visit.pk if visit is not None else None
    )
    return {
        "documents": list(documents[:SECTION_ROWS]),
        "show_visit": visit is None,
        "page_url": page_url,
        "can_upload": user.has_perm(DocumentPermission.UPLOAD_DOCUMENTS.perm),
    }


@register.inclusion_tag("desk/documents/_section.html", takes_context=True)
def client_documents(context: Any, client: Any) -> dict[str, Any]:
    return _section(
        context, client=client, visit=None, page_url=reverse("desk:client_documents", kwargs={"pk": client.pk})
    )


@register.inclusion_tag("desk/documents/_section.html", takes_context=True)
def visit_documents(context: Any, visit: Any) -> dict[str, Any]:
    return _section(
        context, client=visit.client, visit=visit, page_url=reverse("desk:visit_documents", kwargs={"pk": visit.pk})
    )
