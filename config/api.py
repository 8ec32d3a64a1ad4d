"""The API at /api/v1/: one FrontOfficeAPI, each app adds its router.

The machinery (authentication, problem+json errors, pagination, idempotency,
self-hosted docs) lives in ``frontoffice.core.apikit``.
"""

from frontoffice.accounts.api import router as accounts_router
from frontoffice.accounts.services import api_token_authenticate
from frontoffice.clients.api import router as clients_router
from frontoffice.core.api import router as core_router
from frontoffice.core.apikit import DEFAULT_LIMIT, MAX_LIMIT, FrontOfficeAPI, SessionAuth, TokenAuth
from frontoffice.desk.api import router as desk_router
from frontoffice.feedback.api import router as feedback_router
from frontoffice.interactions.api import router as interactions_router
from frontoffice.reports.api import router as reports_router
from frontoffice.supplies.api import router as supplies_router
from frontoffice.supplies.api_stocktakes import router as supplies_stocktakes_router

DESCRIPTION = f"""
The Front Office API: the same services and permissions as the web interface.

**Authentication.** Either a personal API token, sent as `Authorization: Bearer <token>`
(create one under *API tokens* in your profile, or with `POST /tokens`), or the browser
session; with the session, unsafe methods (POST) need the CSRF token in the `X-CSRFToken`
header. A request with a bearer token is decided by the token alone. Without valid
credentials the answer is 401; for a user who is not a staff member, or lacks the permission
an endpoint names, 403; for a record outside your organisation or branches, 404, as if it
did not exist.

**Errors** are RFC 7807 problem details (`application/problem+json`) with `type`, `title`,
`status`, `detail`; validation errors (422) add `errors`, a list of `{{field, message, code}}`.

**Lists** take `limit` (default {DEFAULT_LIMIT}, at most {MAX_LIMIT}) and `offset`, and answer
`{{"count": N, "items": [...]}}`.

**Live events.** Server-Sent Event streams live outside this prefix, under `/events/`, and take
the same bearer token or session: `GET /events/desk/queue/{{branch_id}}/` streams a branch's walk-in
queue events (`ticket.issued`, `ticket.called`, …; see the operations and walk-in queue guides).

**Retries.** Every POST that creates something honours an `Idempotency-Key` header: the same
key with the same body returns the first answer again instead of creating a duplicate.
"""

api = FrontOfficeAPI(
    title="Front Office API",
    version="1",
    description=DESCRIPTION.strip(),
    urls_namespace="api",
    # Bearer first: a request that carries a token never needs a session or CSRF token.
    auth=[TokenAuth(authenticate=api_token_authenticate), SessionAuth()],
)
api.add_router("", core_router)
api.add_router("", accounts_router)
api.add_router("", clients_router)
api.add_router("", desk_router)
api.add_router("", interactions_router)
api.add_router("", feedback_router)
api.add_router("", supplies_stocktakes_router)
api.add_router("", supplies_router)
api.add_router("", reports_router)
