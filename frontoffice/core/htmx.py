"""htmx helpers: a page's fragment is a partial of the page itself (DESIGN §3.5)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, partial: str = "rows", status: int = 200
) -> HttpResponse:
    """Render the whole page, or just ``template#partial`` when htmx asks for the fragment."""
    if getattr(request, "htmx", False) and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, f"{template}#{partial}", context, status=status)
    return render(request, template, context, status=status)
