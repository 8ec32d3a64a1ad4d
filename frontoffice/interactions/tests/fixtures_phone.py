"""Phone fixtures: a PBX token for ``branch``, and a helper that posts CTI events to the webhook."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from frontoffice.interactions.phone import services as phone_services


@pytest.fixture
def cti_token(branch, manager):
    """A PBX connected to ``branch``: (token row, raw secret)."""
    return phone_services.cti_token_create(branch=branch, name="Centrala Yeastar", actor=manager)


@pytest.fixture
def cti_post(client, cti_token) -> Callable[..., Any]:
    """``cti_post(event="newCall", callId="c1", ...)`` posts JSON (``form=True``: form-encoded) to the webhook."""
    url = reverse("interactions:cti_webhook", args=[cti_token[1]])

    def _post(*, form: bool = False, **event: Any) -> Any:
        if form:
            return client.post(url, event)
        return client.post(url, json.dumps(event), content_type="application/json")

    return _post
