"""The signed-in user from the shared cache: one cache read instead of seven queries per request.

Before a view runs, every signed-in request read the user, their staff record, the
organisation, their groups, their permissions (twice: own and through groups) and their
branches. Under the desk's load that was a fifth of each page's queries. The backend below
builds that once — the user with ``staff.organisation`` attached, the role codes, both
permission caches and the branch scope — and keeps the pickled user in the cache.

Freshness: the cached user is stored under the user's *principal token* and a global one.
Saving or deleting a user, staff member, organisation, branch or group, or changing any of
their many-to-many links (roles, branches, permissions), replaces the tokens **after the
transaction commits**, so the next request reads the database again. A reader that started
before the commit can only store its copy under the old token, which no one asks for again.

The cached copy is the whole user row, password hash included (Django checks the session against
it): Redis must be as private as the database, which it already must be for the sessions it holds.

Only with a cache shared by every process (``REDIS_URL``): a per-process memory cache would
miss changes made in another process. ``PRINCIPAL_CACHE_SECONDS = 0`` turns it off.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

from frontoffice.core.scoping import scope_for

GLOBAL_TOKEN_KEY = "principal:token"  # noqa: S105 - a cache key, not a secret


def _user_token_key(user_id: Any) -> str:
    return f"principal:token:{user_id}"


class CachedModelBackend(ModelBackend):
    """Django's model backend whose ``get_user`` answers from the cache when it can."""

    def get_user(self, user_id: Any) -> Any:
        seconds = settings.PRINCIPAL_CACHE_SECONDS
        if not seconds:
            return super().get_user(user_id)
        tokens = cache.get_many([GLOBAL_TOKEN_KEY, _user_token_key(user_id)])
        global_token = tokens.get(GLOBAL_TOKEN_KEY) or _new_token(GLOBAL_TOKEN_KEY)
        user_token = tokens.get(_user_token_key(user_id)) or _new_token(_user_token_key(user_id))
        key = f"principal:{user_id}:{global_token}:{user_token}"
        user = cache.get(key)
        if user is None:
            user = self._load(user_id)
            if user is None:
                return None
            cache.set(key, user, seconds)
        return user if self.user_can_authenticate(user) else None

    def _load(self, user_id: Any) -> Any:
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("staff__organisation").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        # Fill what every request asks for, so that it travels with the cached user.
        self.get_all_permissions(user)
        staff = getattr(user, "staff", None)
        if staff is not None:
            staff.role_codes  # noqa: B018 - a cached_property, computed here to be cached with the user
        scope_for(user)
        return user


def _new_token(key: str) -> str:
    token = uuid.uuid4().hex
    # add(): two first readers agree on one token instead of each writing its own.
    if not cache.add(key, token, None):
        token = cache.get(key) or token
    return token


def _replace_token(key: str) -> None:
    cache.set(key, uuid.uuid4().hex, None)


def forget_user(user_id: Any) -> None:
    """The user's cached copy is stale from the moment the current transaction commits."""
    if settings.PRINCIPAL_CACHE_SECONDS:
        transaction.on_commit(lambda: _replace_token(_user_token_key(user_id)))


def forget_everyone() -> None:
    """Every cached user is stale (a role's permissions, an organisation or a branch changed)."""
    if settings.PRINCIPAL_CACHE_SECONDS:
        transaction.on_commit(lambda: _replace_token(GLOBAL_TOKEN_KEY))


# --- signal receivers (connected in AccountsConfig.ready) ------------------------------------------


def user_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    forget_user(instance.pk)


def staff_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    forget_user(instance.user_id)


def anything_changed(sender: Any, **kwargs: Any) -> None:
    forget_everyone()
