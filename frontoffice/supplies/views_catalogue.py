"""Catalogue pages: items, suppliers, storage locations with their levels, the approval ladder and the
consumption per visit type. Everyone who sees supplies may read the catalogue; managers and
administrators (``manage_catalogue``) change it."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from frontoffice.accounts.choices import Role
from frontoffice.core import selectors as core_selectors
from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error
from frontoffice.core.htmx import render_page
from frontoffice.core.paging import page_number, page_of, query_without_page
from frontoffice.desk import selectors as desk_selectors

from . import selectors, services
from . import selectors_catalogue as catalogue
from .forms_catalogue import (
    ItemFilterForm,
    ItemForm,
    LadderFormSet,
    LevelForm,
    LocationEditForm,
    LocationForm,
    SupplierForm,
    VisitRuleForm,
)
from .models import StorageLocation, Supplier
from .permissions import SuppliesPermission
from .roles import GRANTS

VIEW = SuppliesPermission.VIEW_SUPPLIES.perm
CATALOGUE = SuppliesPermission.MANAGE_CATALOGUE.perm
PER_PAGE = 50


def _status(form: Any) -> int:
    return 400 if form.is_bound and form.errors else 200


def _page(request: HttpRequest, rows: Any) -> dict[str, Any]:
    page = page_number(request)
    found, has_next = page_of(rows, page=page, per_page=PER_PAGE)
    return {"rows": found, "page": page, "has_next": has_next, "query": query_without_page(request)}


# --- items -------------------------------------------------------------------------------------------------


@require(VIEW)
def item_list(request: HttpRequest) -> HttpResponse:
    suppliers = selectors.supplier_list(user=request.user)
    form = ItemFilterForm(request.GET or None, suppliers=suppliers)
    filters = catalogue.ItemFilters()
    if form.is_valid():
        data = form.cleaned_data
        active = data["active"] or "yes"
        filters = catalogue.ItemFilters(
            q=data["q"].strip(),
            category=data["category"],
            supplier_id=data["supplier"].pk if data["supplier"] else None,
            active="" if active == "all" else active,
        )
    context = {"form": form, **_page(request, catalogue.item_search(user=request.user, filters=filters))}
    return render_page(request, "supplies/item_list.html", context)


def _item_data(data: dict[str, Any], currency: str) -> services.ItemData:
    names = {field.name for field in fields(services.ItemData)}
    return services.ItemData(currency=currency, **{key: value for key, value in data.items() if key in names})


@require(CATALOGUE)
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest) -> HttpResponse:
    organisation = core_selectors.organisation_for(request.user)
    form = ItemForm(request.POST or None, suppliers=catalogue.supplier_choices(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_save(
                organisation=organisation,
                actor=request.user,
                data=_item_data(form.model_fields(), organisation.currency),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Item %(name)s saved.") % {"name": item.name})
            return redirect("supplies:item_list")
    return render(request, "supplies/item_form.html", {"form": form, "item": None}, status=_status(form))


@require(CATALOGUE)
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(user=request.user, pk=pk)
    suppliers = catalogue.supplier_choices(user=request.user, keep=item.preferred_supplier)
    form = ItemForm(request.POST or None, instance=item, suppliers=suppliers)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_save(
                organisation=core_selectors.organisation_for(request.user),
                actor=request.user,
                data=_item_data(form.model_fields(), item.currency),
                item=item,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Item %(name)s saved.") % {"name": item.name})
            return redirect("supplies:item_list")
    return render(request, "supplies/item_form.html", {"form": form, "item": item}, status=_status(form))


@require(CATALOGUE)
@require_POST
def item_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Take an item out of the catalogue's pickers; its history and stock stay."""
    item = selectors.item_get(user=request.user, pk=pk)
    data = {field.name: getattr(item, field.name) for field in fields(services.ItemData)}
    services.item_save(
        organisation=core_selectors.organisation_for(request.user),
        actor=request.user,
        data=services.ItemData(**{**data, "is_active": False}),
        item=item,
    )
    messages.success(
        request, _("%(name)s is no longer offered; it can be made active again from its page.") % {"name": item.name}
    )
    return redirect("supplies:item_list")


# --- suppliers ---------------------------------------------------------------------------------------------


@require(VIEW)
def supplier_list(request: HttpRequest) -> HttpResponse:
    return render_page(
        request, "supplies/supplier_list.html", _page(request, selectors.supplier_list(user=request.user))
    )


def _supplier_form(request: HttpRequest, supplier: Supplier | None) -> HttpResponse:
    form = SupplierForm(request.POST or None, instance=supplier)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.supplier_save(
                organisation=core_selectors.organisation_for(request.user),
                actor=request.user,
                data=services.SupplierData(**form.model_fields()),
                supplier=supplier,
                expected_version=form.cleaned_data["version"] if supplier else None,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Supplier %(name)s saved.") % {"name": saved.name})
            return redirect("supplies:supplier_list")
    context = {"form": form, "supplier": supplier}
    return render(request, "supplies/supplier_form.html", context, status=_status(form))


@require(CATALOGUE)
@require_http_methods(["GET", "POST"])
def supplier_create(request: HttpRequest) -> HttpResponse:
    return _supplier_form(request, None)


@require(CATALOGUE)
@require_http_methods(["GET", "POST"])
def supplier_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _supplier_form(request, catalogue.supplier_get(user=request.user, pk=pk))


# --- storage locations and their levels -------------------------------------------------------------------


@require(VIEW)
def location_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.location_list(user=request.user, include_inactive=True)
    return render_page(request, "supplies/location_list.html", _page(request, rows))


def _location_saved(request: HttpRequest, location: StorageLocation) -> HttpResponse:
    messages.success(request, _("Storage location %(name)s saved.") % {"name": location.name})
    return redirect("supplies:location_detail", pk=location.pk)


@require(CATALOGUE)
@require_http_methods(["GET", "POST"])
def location_create(request: HttpRequest) -> HttpResponse:
    form = LocationForm(
        request.POST or None,
        branches=core_selectors.branch_list(user=request.user),
        departments=catalogue.department_choices(user=request.user),
        owners=catalogue.owner_choices(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            location = services.location_save(
                branch=data["branch"],
                actor=request.user,
                name=data["name"].strip(),
                department=data["department"],
                owner=data["owner"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _location_saved(request, location)
    context = {"form": form, "location": None}
    return render(request, "supplies/location_form.html", context, status=_status(form))


@require(CATALOGUE)
@require_http_methods(["GET", "POST"])
def location_edit(request: HttpRequest, pk: int) -> HttpResponse:
    location = selectors.location_get(user=request.user, pk=pk)
    initial = {"name": location.name, "department": location.department, "owner": location.owner}
    form = LocationEditForm(
        request.POST or None,
        initial=initial,
        departments=catalogue.department_choices(user=request.user, branch_id=location.branch_id),
        owners=catalogue.owner_choices(user=request.user),
        branches=None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            location = services.location_save(
                branch=location.branch,
                actor=request.user,
                name=data["name"].strip(),
                department=data["department"],
                owner=data["owner"],
                location=location,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _location_saved(request, location)
    context = {"form": form, "location": location}
    return render(request, "supplies/location_form.html", context, status=_status(form))


def _location_page(
    request: HttpRequest, location: StorageLocation, *, bound: LevelForm | None = None, status: int = 200
) -> HttpResponse:
    """The location with one small form per level; ``bound`` is a refused form, shown where it was typed."""
    levels = list(catalogue.levels_at(user=request.user, location=location))
    items = selectors.item_list(user=request.user)
    bound_item = bound.data.get("item") if bound is not None else None
    rows = []
    for level in levels:
        if bound is not None and bound_item == str(level.item_id):
            form = bound
        else:
            form = LevelForm(
                initial={
                    "item": level.item_id,
                    "reorder_point": level.reorder_point,
                    "target_level": level.target_level,
                },
                items=items,
                hidden_item=True,
                form_id=f"level-{level.item_id}",
                auto_id=f"id_level_{level.item_id}_%s",
            )
        rows.append((level, form))
    kept = {str(level.item_id) for level in levels}
    add_form = bound if bound is not None and bound_item not in kept else None
    addable = items.exclude(pk__in=[level.item_id for level in levels])
    if add_form is None:
        add_form = LevelForm(items=addable, auto_id="id_new_%s")
    context = {
        "location": location,
        "rows": rows,
        "add_form": add_form,
        "can_manage": request.user.has_perm(CATALOGUE),
    }
    return render(request, "supplies/location_detail.html", context, status=status)


@require(VIEW)
def location_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _location_page(request, selectors.location_get(user=request.user, pk=pk))


@require(CATALOGUE)
@require_POST
def level_set(request: HttpRequest, pk: int) -> HttpResponse:
    location = selectors.location_get(user=request.user, pk=pk)
    item_id = request.POST.get("item", "")
    existing = (
        item_id.isdigit()
        and catalogue.levels_at(user=request.user, location=location).filter(item_id=int(item_id)).exists()
    )
    form = LevelForm(
        request.POST,
        items=selectors.item_list(user=request.user),
        hidden_item=existing,
        form_id=f"level-{item_id}" if existing else "",
        auto_id=f"id_level_{item_id}_%s" if existing else "id_new_%s",
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.level_set(
                location=location,
                item=data["item"],
                actor=request.user,
                reorder_point=data["reorder_point"],
                target_level=data["target_level"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Levels of %(item)s saved.") % {"item": data["item"].name})
            return redirect("supplies:location_detail", pk=location.pk)
    return _location_page(request, location, bound=form, status=400)


# --- approval ladder ---------------------------------------------------------------------------------------


def _approver_roles() -> list[tuple[str, Any]]:
    may_approve = GRANTS[SuppliesPermission.APPROVE_REQUESTS.perm]
    return [(role.value, role.label) for role in Role if role in may_approve]


@require(CATALOGUE)
@require_http_methods(["GET", "POST"])
def ladder(request: HttpRequest) -> HttpResponse:
    """The organisation's ladder as rows "up to amount → role"; the last row has no amount."""
    organisation = core_selectors.organisation_for(request.user)
    if request.method == "POST":
        # No initial rows when bound: a row typed back as it was would count as "unchanged" and be dropped.
        formset = LadderFormSet(request.POST, roles=_approver_roles(), prefix="steps")
    else:
        initial = [{"up_to": up_to, "role": role} for up_to, role in services.ladder_of(organisation)]
        formset = LadderFormSet(initial=initial, roles=_approver_roles(), prefix="steps")
    errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        steps = [
            (form.cleaned_data.get("up_to"), form.cleaned_data.get("role") or "") for form in formset if form.is_filled
        ]
        try:
            services.ladder_set(organisation=organisation, actor=request.user, steps=steps)
        except ValidationError as error:
            errors = list(error.messages)
        else:
            messages.success(request, _("Approval ladder saved."))
            return redirect("supplies:ladder")
    status = 400 if errors or (formset.is_bound and not formset.is_valid()) else 200
    context = {"formset": formset, "errors": errors, "organisation": organisation}
    return render(request, "supplies/ladder.html", context, status=status)


# --- consumption per visit type ---------------------------------------------------------------------------


@require(CATALOGUE)
@require_http_methods(["GET", "POST"])
def visit_rule_list(request: HttpRequest) -> HttpResponse:
    """The rules, and a small form to add one (or change the quantity of an existing one)."""
    visit_types = desk_selectors.visit_type_list(user=request.user, include_inactive=True)
    form = VisitRuleForm(
        request.POST or None,
        locations=selectors.location_list(user=request.user),
        visit_types=visit_types.filter(is_active=True),
        items=selectors.item_list(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_rule_save(
                location=data["location"],
                visit_type_id=data["visit_type"].pk,
                item=data["item"],
                quantity=data["quantity"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Consumption rule saved."))
            return redirect("supplies:visit_rule_list")
    context = {"form": form, **_page(request, catalogue.visit_rule_list(user=request.user))}
    names = dict(visit_types.values_list("pk", "name"))
    for rule in context["rows"]:
        rule.visit_type_name = names.get(rule.visit_type_id, rule.visit_type_id)
    return render(request, "supplies/visit_rule_list.html", context, status=_status(form))


@require(CATALOGUE)
@require_POST
def visit_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = catalogue.visit_rule_get(user=request.user, pk=pk)
    services.visit_rule_delete(rule=rule, actor=request.user)
    messages.success(request, _("Consumption rule removed."))
    return redirect("supplies:visit_rule_list")
