"""PDF documents rendered from Django templates with WeasyPrint.

    from frontoffice.core.pdf import pdf_response, render_pdf

    pdf = render_pdf("clients/privacy_data_pdf.html", {"client": client}, request=request)
    return pdf_response(pdf, filename=f"client-{client.number}.pdf")

A document template extends ``core/pdf_base.html`` (blocks ``title`` and ``content``;
``head`` for a document's own styles). The print stylesheet ``core/pdf.css`` (A4,
page numbers, a font with Polish letters, tables that break across pages) is
applied to every document.

Resources are read from the static files only: a URL under ``STATIC_URL`` (relative
or absolute) is served from the collected files or the finders, ``data:`` URLs are
allowed, and anything else is refused. A document therefore never reaches the
network or the file system, whatever text a user typed into it.

WeasyPrint is imported when the first PDF is made, so the rest of the application
starts even where its system libraries (Pango, HarfBuzz) are missing.
"""

from __future__ import annotations

import logging
import mimetypes
import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

PRINT_STYLESHEET = "core/pdf.css"
PDF_CONTENT_TYPE = "application/pdf"
# The base URL of documents rendered without a request (background jobs, commands). The host is never
# contacted: static URLs are read from disk, every other URL is refused.
OFFLINE_BASE_URL = "http://frontoffice.invalid/"


def static_file_path(name: str) -> Path | None:
    """Where the static file ``name`` (e.g. ``css/app.css``) is on disk: collected, or found by the finders."""
    name = name.lstrip("/")
    if not name or ".." in Path(name).parts:
        return None
    try:
        collected = Path(staticfiles_storage.path(name))
    except NotImplementedError:  # a storage without local paths
        collected = None
    if collected is not None and collected.is_file():
        return collected
    found = finders.find(name)
    return Path(found) if isinstance(found, str) and Path(found).is_file() else None


def _url_fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):  # type: ignore[misc]
        """Serves ``STATIC_URL`` paths from disk and ``data:`` URLs; refuses every other URL."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            prefix = urlsplit(settings.STATIC_URL).path
            path = unquote(parts.path)
            if parts.scheme in ("http", "https") and path.startswith(prefix):
                found = static_file_path(path[len(prefix) :])
                if found is not None:
                    content_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, found.read_bytes(), {"Content-Type": content_type})
            raise ValueError(f"PDF documents may only use static files, not {url[:200]}")

    return StaticFilesFetcher()


_per_thread = threading.local()


def _printing_tools() -> tuple[Any, list[Any], Any]:
    """The URL fetcher, the parsed print stylesheet and a font configuration, made once per thread and
    reused: a new fetcher loads the system's certificate store, and parsing the stylesheet and loading the
    fonts again for every document was, with that, half of a receipt's printing time. (Per thread,
    because Pango's font maps are not safe to share between threads.)"""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    stylesheet = static_file_path(PRINT_STYLESHEET)
    key = (str(stylesheet), stylesheet.stat().st_mtime_ns if stylesheet is not None else 0)
    if getattr(_per_thread, "key", None) != key:
        fetcher = _url_fetcher()
        font_config = FontConfiguration()
        sheets = [CSS(filename=key[0], url_fetcher=fetcher, font_config=font_config)] if stylesheet else []
        _per_thread.key, _per_thread.tools = key, (fetcher, sheets, font_config)
    return _per_thread.tools


def render_pdf(template_name: str, context: dict[str, Any], request: HttpRequest | None = None) -> bytes:
    """The template rendered (with the request's context processors, when given) and printed to PDF bytes.
    Relative URLs resolve against the site (``request``) or an offline base; see the module docstring."""
    from weasyprint import HTML

    # WeasyPrint logs each rendering step at INFO: detail for debugging, not for the application's log.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    html = render_to_string(template_name, context, request=request)
    base_url = request.build_absolute_uri("/") if request is not None else OFFLINE_BASE_URL
    fetcher, stylesheets, font_config = _printing_tools()
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return bytes(document.write_pdf(stylesheets=stylesheets, font_config=font_config))


def pdf_response(pdf: bytes, *, filename: str, inline: bool = False) -> HttpResponse:
    """An HTTP response carrying ``pdf``; a download unless ``inline``. ``filename`` is ASCII, e.g. ``K-1.pdf``."""
    response = HttpResponse(pdf, content_type=PDF_CONTENT_TYPE)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
