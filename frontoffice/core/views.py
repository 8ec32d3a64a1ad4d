"""Thin views: authorise → parse → one service or selector → render."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .dashboard import cards_for
from .decorators import require
from .forms import (
    AuditFilterForm,
    BranchFilterForm,
    BranchForm,
    DepartmentForm,
    MessageFilterForm,
    OpeningHoursForm,
    OrganisationForm,
    add_service_error,
)
from .htmx import render_page
from .ownership import owner_of
from .permissions import CorePermission
from .scoping import scope_for
from .tables import Column, Table

ROLE_HOME_TITLES = {
    "admin": gettext_lazy("Administration"),
    "executive": gettext_lazy("Management overview"),
    "manager": gettext_lazy("Front office management"),
    "security": gettext_lazy("Security post"),
    "agent": gettext_lazy("Customer service"),
    "clerk": gettext_lazy("Front desk"),
}


def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    primary = next((role for role in ROLE_HOME_TITLES if role in scope.roles), None)
    context = {
        "page_title": ROLE_HOME_TITLES[primary] if primary else _("Welcome"),
        "cards": cards_for(request.user, scope.roles),
        "has_staff_record": not scope.is_empty,
    }
    return render(request, "core/home.html", context)


@require(CorePermission.MANAGE_ORGANISATION.perm)
@require_http_methods(["GET", "POST"])
def organisation_detail(request: HttpRequest) -> HttpResponse:
    organisation = selectors.organisation_for(request.user)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                organisation=organisation,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                **form.model_fields(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Organisation settings saved."))
            return redirect("core:organisation_detail")
    return render(
        request,
        "core/organisation_detail.html",
        {"form": form, "organisation": organisation},
        status=400 if form.errors else 200,
    )


BRANCH_COLUMNS = [
    Column("name", gettext_lazy("Name"), "name"),
    Column("code", gettext_lazy("Code"), "code"),
    Column("city", gettext_lazy("City"), "city"),
    Column("phone", gettext_lazy("Phone")),
    Column("active", gettext_lazy("Active"), "is_active"),
]


@require(CorePermission.VIEW_ORGANISATION.perm)
def branch_list(request: HttpRequest) -> HttpResponse:
    filters = BranchFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    branches = selectors.branch_list(
        user=request.user, search=data.get("q", ""), include_inactive=data.get("inactive", False)
    )
    table = Table(request, branches, BRANCH_COLUMNS, default_sort="name", table_id="branch-table")
    return render_page(request, "core/branch_list.html", {"table": table, "filters": filters})


@require(CorePermission.VIEW_ORGANISATION.perm)
def branch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    branch = selectors.branch_get(user=request.user, pk=pk)
    return render(
        request,
        "core/branch_detail.html",
        {
            "branch": branch,
            "opening_hours": branch.opening_hours.all(),
            "departments": selectors.department_list(user=request.user, branch=branch),
            "can_manage": request.user.has_perm(CorePermission.MANAGE_ORGANISATION.perm),
        },
    )


@require(CorePermission.MANAGE_ORGANISATION.perm)
@require_http_methods(["GET", "POST"])
def branch_create(request: HttpRequest) -> HttpResponse:
    organisation = selectors.organisation_for(request.user)
    form = BranchForm(request.POST or None, initial={"time_zone": organisation.time_zone})
    form.instance.organisation = organisation
    if request.method == "POST" and form.is_valid():
        try:
            branch = services.branch_create(organisation=organisation, user=request.user, **form.model_fields())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Branch created."))
            return redirect("core:branch_detail", pk=branch.pk)
    return render(request, "core/branch_form.html", {"form": form, "branch": None}, status=400 if form.errors else 200)


@require(CorePermission.MANAGE_ORGANISATION.perm)
@require_http_methods(["GET", "POST"])
def branch_edit(request: HttpRequest, pk: int) -> HttpResponse:
    branch = selectors.branch_get(user=request.user, pk=pk)
    form = BranchForm(request.POST or None, instance=branch)
    if request.method == "POST" and form.is_valid():
        try:
            services.branch_update(
                branch=branch, user=request.user, expected_version=form.cleaned_data["version"], **form.model_fields()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Branch saved."))
            return redirect("core:branch_detail", pk=branch.pk)
    return render(
        request, "core/branch_form.html", {"form": form, "branch": branch}, status=400 if form.errors else 200
    )


@require(CorePermission.MANAGE_ORGANISATION.perm)
@require_http_methods(["GET", "POST"])
def branch_hours(request: HttpRequest, pk: int) -> HttpResponse:
    branch = selectors.branch_get(user=request.user, pk=pk)
    initial: dict[str, str] = {}
    for period in branch.opening_hours.all():
        key = f"day_{period.weekday}"
        text = f"{period.opens_at:%H:%M}-{period.closes_at:%H:%M}"
        initial[key] = f"{initial[key]}, {text}" if key in initial else text
    form = OpeningHoursForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.branch_set_opening_hours(branch=branch, user=request.user, periods=form.cleaned_data["periods"])
        messages.success(request, _("Opening hours saved."))
        return redirect("core:branch_detail", pk=branch.pk)
    return render(
        request, "core/branch_hours.html", {"form": form, "branch": branch}, status=400 if form.errors else 200
    )


@require(CorePermission.MANAGE_ORGANISATION.perm)
@require_http_methods(["GET", "POST"])
def department_create(request: HttpRequest, pk: int) -> HttpResponse:
    branch = selectors.branch_get(user=request.user, pk=pk)
    form = DepartmentForm(request.POST or None)
    form.instance.branch = branch
    if request.method == "POST" and form.is_valid():
        try:
            services.department_create(branch=branch, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Department added."))
            return redirect("core:branch_detail", pk=branch.pk)
    return render(
        request, "core/department_form.html", {"form": form, "branch": branch}, status=400 if form.errors else 200
    )


AUDIT_COLUMNS = [
    Column("when", gettext_lazy("When"), "created_at"),
    Column("who", gettext_lazy("Who")),
    Column("action", gettext_lazy("Action"), "action"),
    Column("summary", gettext_lazy("Summary")),
    Column("branch", gettext_lazy("Branch")),
    Column("record", gettext_lazy("Record")),
]


@require(CorePermission.VIEW_AUDIT.perm)
def audit_list(request: HttpRequest) -> HttpResponse:
    filters = AuditFilterForm(request.GET or None)
    action = filters.cleaned_data.get("action", "") if filters.is_valid() else ""
    table = Table(
        request,
        selectors.audit_list(user=request.user, action=action),
        AUDIT_COLUMNS,
        default_sort="-when",
        table_id="audit-table",
    )
    return render_page(request, "core/audit_list.html", {"table": table, "filters": filters})


MESSAGE_COLUMNS = [
    Column("when", pgettext_lazy("column: when a message was queued", "Queued"), "created_at"),
    Column("channel", gettext_lazy("Channel"), "channel"),
    Column("recipient", gettext_lazy("Recipient"), "recipient"),
    Column("subject", gettext_lazy("Subject or text")),
    Column("status", gettext_lazy("Status"), "status"),
    Column("attempts", gettext_lazy("Attempts")),
]


@require(CorePermission.VIEW_MESSAGES.perm)
def message_list(request: HttpRequest) -> HttpResponse:
    filters = MessageFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    messages_qs = selectors.message_list(
        user=request.user, status=data.get("status", ""), channel=data.get("channel", "")
    )
    table = Table(request, messages_qs, MESSAGE_COLUMNS, default_sort="-when", table_id="message-table")
    return render_page(request, "core/message_list.html", {"table": table, "filters": filters})


@require(CorePermission.VIEW_AUDIT.perm)
def record_history(request: HttpRequest, model: str, pk: str) -> HttpResponse:
    app_label, _dot, model_name = model.partition(".")
    try:
        model_class = apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        raise Http404 from None
    if not model_class.__module__.startswith("frontoffice."):
        raise Http404
    try:
        record = model_class._default_manager.get(pk=pk)
    except (model_class.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    owner = owner_of(record)
    scope = scope_for(request.user)
    if (
        owner is None
        or owner.organisation_id != scope.organisation_id
        or (owner.branch_id is not None and not scope.allows_branch(owner.branch_id))
    ):
        raise Http404
    items = selectors.record_history(user=request.user, target=record, organisation_id=owner.organisation_id)
    return render_page(
        request,
        "core/record_history.html",
        {"record": record, "items": items, "model_label": model_class._meta.verbose_name},
        partial="panel",
    )
