"""Permission-matrix entries for client import/export and data-subject rights (merged into
tests/test_permission_matrix.py).

Imports, exports and erasure are for managers and administrators; the settings page for
administrators. An uploaded file belongs to the user who uploaded it (``owner_only``);
a client belongs to the organisation (``org_scoped``).
"""

from __future__ import annotations

import atexit
from typing import Any

from tests.permission_cases import ADMIN, Case, api_case

REVIEWERS = frozenset({"manager", "admin"})
CSV = (
    "external_id,given_name,family_name,date_of_birth,sex,phone,email,street,city,postal_code,country,id_type,"
    "id_number\nM1,Anna,Nowak,1990-01-02,female,600700800,,,,,,,\n"
)


def _token(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"token": ctx["upload_token"]}


def _client(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["client"].pk}


def _api_client(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"client_id": ctx["client"].pk}


CASES: dict[str, Case] = {
    "clients:import_upload": Case(roles=REVIEWERS),
    "clients:import_preview": Case(roles=REVIEWERS, kwargs=_token, owner_only="manager"),
    "clients:import_confirm": Case(roles=REVIEWERS, kwargs=_token, owner_only="manager", method="post", ok=(302,)),
    "clients:import_result": Case(roles=REVIEWERS, kwargs=_token, owner_only="manager", ok=(302,)),
    "clients:import_errors": Case(roles=REVIEWERS, kwargs=_token, owner_only="manager"),
    "clients:export_csv": Case(roles=REVIEWERS),
    "clients:client_data": Case(roles=REVIEWERS, kwargs=_client, org_scoped=True),
    "clients:client_data_json": Case(roles=REVIEWERS, kwargs=_client, org_scoped=True),
    "clients:client_data_pdf": Case(roles=REVIEWERS, kwargs=_client, org_scoped=True),
    "clients:client_erase": Case(roles=REVIEWERS, kwargs=_client, org_scoped=True),
    "clients:settings": Case(roles=ADMIN),
    "api:clients_export_csv": api_case(roles=REVIEWERS),
    # A JSON body carries no file: allowed roles get 422, the others 403 before the body is read.
    "api:clients_import": api_case(roles=REVIEWERS, method="post", ok=(422,)),
    "api:client_export": api_case(roles=REVIEWERS, kwargs=_api_client, org_scoped=True),
    "api:client_erase_api": api_case(
        roles=REVIEWERS,
        kwargs=_api_client,
        org_scoped=True,
        method="post",
        data=lambda ctx: {"reason": "The person asked in writing."},
    ),
}


_CREATED: list[str] = []


def _remove_uploads() -> None:
    """Each world's upload is removed when the next world is built (and at exit), so that runs of the
    matrix do not pile files up in VAR_DIR/imports."""
    from frontoffice.clients.views.transfer import imports_dir

    while _CREATED:
        token = _CREATED.pop()
        for path in imports_dir().glob(f"{token}.*"):
            path.unlink(missing_ok=True)


atexit.register(_remove_uploads)


def extend_case(ctx: dict[str, Any]) -> dict[str, Any]:
    """A CSV uploaded by the manager, waiting for confirmation: a fresh one per case, because the
    upload is a file, which the case's rolled-back transaction would not bring back once confirmed."""
    from frontoffice.clients.views.transfer import store_upload

    _remove_uploads()
    token = store_upload(user=ctx["manager"], raw=CSV.encode(), name="m.csv", branch_id=None)
    _CREATED.append(token)
    return {"upload_token": token}
