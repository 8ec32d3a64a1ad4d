"""Docs: Swagger UI served from the files bundled with django-ninja.

The page needs no CDN and no inline script under the project's CSP.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path as FilePath
from typing import Any

import ninja
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template import RequestContext, Template
from ninja.openapi.docs import Swagger, _csrf_needed

from .problems import _api_not_found

DOCS_ASSETS_DIR = FilePath(ninja.__file__).parent / "static" / "ninja"
DOCS_ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.svg", "favicon.png"})

# Only external files and a JSON data block (which browsers never execute), so the
# page passes script-src 'self' without a nonce; no CDN is contacted.
_SWAGGER_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ api.title }} — documentation</title>
<link rel="stylesheet" href="{{ assets }}swagger-ui.css?v={{ version }}">
<link rel="icon" href="{{ assets }}favicon.svg?v={{ version }}" type="image/svg+xml">
</head>
<body data-csrf-token="{% if add_csrf %}{{ csrf_token }}{% endif %}" data-api-csrf="{% if add_csrf %}true{% endif %}">
<script type="application/json" id="swagger-settings">{{ swagger_settings|safe }}</script>
<div id="swagger-ui"></div>
<script src="{{ assets }}swagger-ui-bundle.js?v={{ version }}"></script>
<script src="{{ assets }}swagger-ui-init.js?v={{ version }}"></script>
</body>
</html>
"""


class LocalSwagger(Swagger):
    """Swagger UI without a CDN: the page and its assets come from this API's URLs."""

    default_settings = {
        "layout": "BaseLayout",
        "deepLinking": True,
        # The default validator badge loads an image from validator.swagger.io.
        "validatorUrl": None,
    }

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        settings_json = json.dumps(self.settings).replace("<", "\\u003c")  # cannot close the data block
        context = {
            "api": api,
            "swagger_settings": settings_json,
            "add_csrf": _csrf_needed(api),
            "assets": f"{request.path.rstrip('/')}/assets/",
            "version": ninja.__version__,
        }
        return HttpResponse(Template(_SWAGGER_PAGE).render(RequestContext(request, context)))


def docs_asset(request: HttpRequest, name: str) -> HttpResponseBase:
    if name not in DOCS_ASSETS:
        return _api_not_found(request)
    content_type, _encoding = mimetypes.guess_type(name)
    response = FileResponse((DOCS_ASSETS_DIR / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"  # busted by ?v=<ninja version>
    return response
