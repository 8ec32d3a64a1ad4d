"""Registering a client (with the live duplicate panel), the client's page, editing, consents and the picker."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from rapidfuzz.distance import JaroWinkler

from frontoffice.core.audit import log_access
from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error

from .. import selectors, services
from ..choices import ConsentPurpose, ContactKind
from ..forms import (
    MATCH_FIELDS,
    ClientEditForm,
    ConsentForm,
    RegistrationForm,
    RelationshipForm,
    data_from_values,
    edit_initial,
    other_addresses,
)
from ..models import Client, ClientRelationship, Consent
from ..normalise import fold, normalise_identifier, phone_digits
from ..permissions import ClientsPermission
from ..registration import IdentifierTaken, ProbableMatch, check_matches, client_register, pesel_warnings
from ..registry import phone_actions
from ..validation import clean_email, clean_identifier, clean_phone

VIEW = ClientsPermission.VIEW_CLIENTS.perm
EDIT = ClientsPermission.EDIT_CLIENTS.perm
PICK_LIMIT = 8
CLOSE_SCORE = 0.03  # picker results closer than this in name similarity count as "similar"


def _organisation(request: HttpRequest) -> Any:
    return request.user.staff.organisation  # type: ignore[union-attr]


def _branch(request: HttpRequest) -> Any:
    """The branch the client is registered at: the user's branch when they work in exactly one."""
    branches = list(request.user.staff.branches.all()[:2])  # type: ignore[union-attr]
    return branches[0] if len(branches) == 1 else None


def _slots(request: HttpRequest) -> int:
    try:
        return min(10, int(request.POST.get("slots", 2)))
    except ValueError:
        return 2


# --- registration ---------------------------------------------------------------------------


@require(EDIT)
@require_http_methods(["GET", "POST"])
def client_create(request: HttpRequest) -> HttpResponse:
    form = RegistrationForm(request.POST or None)
    panel: dict[str, Any] = {"matches": [], "warnings": []}
    if request.method == "POST":
        panel = _panel(request, form)
        if form.is_valid():
            try:
                client = client_register(
                    organisation=_organisation(request),
                    actor=request.user,
                    data=form.client_data(),
                    branch=_branch(request),
                    create_anyway=form.cleaned_data["create_anyway"],
                    create_anyway_reason=form.cleaned_data["create_anyway_reason"],
                    confirm_pesel_mismatch=form.cleaned_data["confirm_pesel_mismatch"],
                )
            except (IdentifierTaken, ProbableMatch) as error:
                panel["matches"] = error.matches
                _add_match_error(form, error)
            except ValidationError as error:
                _add_client_error(form, error)
            else:
                for purpose in form.consents():
                    services.consent_give(
                        client=client, actor=request.user, purpose=purpose, method=form.cleaned_data["consent_method"]
                    )
                messages.success(request, _("Client %(name)s registered.") % {"name": client.display_name})
                return redirect("clients:client_detail", pk=client.pk)
    return render(
        request,
        "clients/client_form.html",
        {"form": form, "panel": panel, "creating": True},
        status=400 if form.errors else 200,
    )


def _add_match_error(form: RegistrationForm, error: IdentifierTaken | ProbableMatch) -> None:
    if isinstance(error, IdentifierTaken):
        form.add_error(None, error.messages[0])
        for number in range(1, form.slots + 1):
            if form.cleaned_data.get(f"id_value_{number}"):
                form.add_error(f"id_value_{number}", _("Another client already has this identifier."))
                break
    else:
        form.add_error("create_anyway_reason", error.messages[0])


def _add_client_error(form: RegistrationForm | ClientEditForm, error: ValidationError) -> None:
    """Service errors on the numbered inputs: a message about phones goes to the first phone, and so on."""
    if hasattr(error, "error_dict"):
        renamed = {
            {"phones": "phone_1", "emails": "email_1", "identifiers": "id_value_1"}.get(name, name): errors
            for name, errors in error.error_dict.items()
        }
        error = ValidationError(renamed)
    add_service_error(form, error)


def _panel(request: HttpRequest, form: RegistrationForm) -> dict[str, Any]:
    """The matches and PESEL warnings for whatever is typed so far, valid or not."""
    values: dict[str, Any] = {name: request.POST.get(name, "") for name in request.POST}
    date_field = form.fields["date_of_birth"]
    try:
        values["date_of_birth"] = date_field.clean(values.get("date_of_birth", ""))
    except ValidationError:
        values["date_of_birth"] = None
    data = data_from_values(values, slots=form.slots)
    # Half-typed phones, e-mails and identifiers are simply not compared yet.
    data.phones = [phone for phone in data.phones if _valid(clean_phone, phone)]
    data.emails = [email for email in data.emails if _valid(clean_email, email)]
    data.identifiers = [i for i in data.identifiers if _valid(lambda v, k=i.kind: clean_identifier(k, v), i.value)]
    has_input = any(values.get(name) for name in MATCH_FIELDS) or data.phones or data.emails or data.identifiers
    if not has_input:
        return {"matches": [], "warnings": []}
    return {
        "matches": check_matches(organisation=_organisation(request), data=data),
        "warnings": pesel_warnings(data),
    }


def _valid(check: Any, value: str) -> bool:
    try:
        check(value)
    except ValidationError:
        return False
    return True


@require(EDIT)
@require_POST
def client_matches(request: HttpRequest) -> HttpResponse:
    """The side panel of the registration form, for htmx while the clerk types."""
    form = RegistrationForm(request.POST)
    return render(request, "clients/_match_panel.html", {"panel": _panel(request, form)})


# --- the client's page ---------------------------------------------------------------------------


def _detail_queryset(request: HttpRequest) -> Any:
    return selectors.client_queryset(user=request.user, include_inactive=True).prefetch_related(
        "identifiers",
        "contacts",
        "addresses",
        Prefetch("relationships", queryset=ClientRelationship.objects.select_related("related_client")),
        Prefetch("consents", queryset=Consent.objects.select_related("recorded_by", "withdrawn_recorded_by")),
    )


@require(VIEW)
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk)
    if client.pk != pk:
        messages.info(
            request,
            _("Client %(old)s was merged into %(number)s; you are seeing the surviving record.")
            % {"old": pk, "number": client.number},
        )
        return redirect("clients:client_detail", pk=client.pk)
    client = _detail_queryset(request).get(pk=client.pk)
    # Identity documents are sensitive: every read is logged.
    log_access(user=request.user, target=client, organisation=client.organisation, path=request.path)
    consents = list(client.consents.all())
    active = {consent.purpose for consent in consents if consent.is_active}
    contacts = list(client.contacts.all())
    context = {
        "client": client,
        "phones": [
            (contact, phone_actions(user=request.user, client=client, number=contact.value))
            for contact in contacts
            if contact.kind == ContactKind.PHONE
        ],
        "emails": [c for c in contacts if c.kind == ContactKind.EMAIL],
        "consents": consents,
        "missing_consents": [(value, label) for value, label in ConsentPurpose.choices if value not in active],
        "consent_form": ConsentForm(auto_id="id_consent_%s"),
        "relationship_form": RelationshipForm(auto_id="id_relationship_%s"),
        "can_edit": request.user.has_perm(EDIT) and client.is_active_record,
    }
    return render(request, "clients/client_detail.html", context)


@require(EDIT)
@require_http_methods(["GET", "POST"])
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk)
    if client.pk != pk:
        return redirect("clients:client_edit", pk=client.pk)
    client = _detail_queryset(request).get(pk=client.pk)
    initial, slots = edit_initial(client)
    if request.method == "POST":
        form = ClientEditForm(request.POST, slots=_slots(request))
    else:
        form = ClientEditForm(initial=initial, slots=slots)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(
                client=client,
                actor=request.user,
                data=form.client_data(extra_addresses=other_addresses(client)),
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            _add_client_error(form, error)
        else:
            messages.success(request, _("Client saved."))
            return redirect("clients:client_detail", pk=client.pk)
    return render(
        request,
        "clients/client_form.html",
        {"form": form, "client": client, "creating": False},
        status=400 if form.errors else 200,
    )


@require(EDIT)
@require_POST
def consent_give(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk, follow_merges=False)
    form = ConsentForm(request.POST)
    if form.is_valid() and client.is_active_record:
        services.consent_give(client=client, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Consent recorded."))
    else:
        messages.error(request, _("The consent was not recorded: choose its purpose and how it was given."))
    return redirect("clients:client_detail", pk=client.pk)


@require(EDIT)
@require_POST
def consent_withdraw(request: HttpRequest, pk: int, purpose: str) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk, follow_merges=False)
    if purpose in ConsentPurpose.values and services.consent_withdraw(
        client=client, actor=request.user, purpose=purpose
    ):
        messages.success(request, _("Consent withdrawn."))
    else:
        messages.error(request, _("There is no active consent of that kind."))
    return redirect("clients:client_detail", pk=client.pk)


# --- the picker (read-back when attaching something to a client) ----------------------------------


def _search(request: HttpRequest, query: str) -> list[Client]:
    clients = selectors.client_queryset(user=request.user)
    folded, digits, identifier = fold(query), phone_digits(query), normalise_identifier(query)
    if len(digits) >= 6:
        clients = clients.filter(search_phones__contains=digits) | clients.filter(
            identifiers__value_normalised=identifier
        )
    elif folded:
        for word in folded.split()[:4]:
            clients = clients.filter(search_name__contains=word)
    else:
        return []
    found = list(clients.distinct().prefetch_related("identifiers")[:50])
    found.sort(key=lambda c: (-JaroWinkler.similarity(folded, c.search_name), c.search_name, c.pk))
    return found[:PICK_LIMIT]


def _mark_similar(query: str, clients: list[Client]) -> list[tuple[Client, bool]]:
    """Each result with whether it looks like another result (same family name or nearly the same score)."""
    folded = fold(query)
    families = [fold(c.family_name or c.company_name) for c in clients]
    scores = [JaroWinkler.similarity(folded, c.search_name) for c in clients]
    marked = []
    for index, client in enumerate(clients):
        others = [j for j in range(len(clients)) if j != index]
        similar = any(families[j] == families[index] for j in others) or any(
            abs(scores[j] - scores[index]) < CLOSE_SCORE for j in others
        )
        marked.append((client, similar))
    return marked


@require(VIEW)
def client_pick(request: HttpRequest) -> HttpResponse:
    """Results for ``clients/_picker.html``; ``choose`` sets the choice, after a confirmation when ``similar``."""
    field = request.GET.get("field", "client")[:60]
    if not field.replace("_", "").isalnum():
        field = "client"
    context: dict[str, Any] = {"field": field}
    choose = request.GET.get("choose", "")
    if choose.isdigit():
        client = selectors.client_get(user=request.user, pk=int(choose))
        context["chosen"] = client
        context["confirmed"] = request.GET.get("similar") != "1" or request.GET.get("confirmed") == "1"
        return render(request, "clients/_picker.html#choice", context)
    if "q" not in request.GET and f"{field}_search" not in request.GET:
        return render(request, "clients/_picker.html#choice", context)  # "choose again": the empty search box
    query = (request.GET.get("q") or request.GET.get(f"{field}_search") or "").replace("\x00", "").strip()[:100]
    context["query"] = query
    context["results"] = _mark_similar(query, _search(request, query)) if query else []
    return render(request, "clients/_picker.html#results", context)


urlpatterns = [
    path("new/", client_create, name="client_create"),
    path("new/matches/", client_matches, name="client_matches"),
    path("pick/", client_pick, name="client_pick"),
    path("<int:pk>/", client_detail, name="client_detail"),
    path("<int:pk>/edit/", client_edit, name="client_edit"),
    path("<int:pk>/consents/", consent_give, name="consent_give"),
    path("<int:pk>/consents/<str:purpose>/withdraw/", consent_withdraw, name="consent_withdraw"),
]
