"""Managers' set-up: visit types of the organisation and rooms of the branches."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error
from frontoffice.core.htmx import render_page
from frontoffice.core.models import Branch
from frontoffice.core.selectors import organisation_for
from frontoffice.core.tables import Column, Table

from .. import selectors, services
from ..forms import RoomCreateForm, RoomForm, VisitTypeForm
from ..models import Room, VisitType
from ..permissions import DeskPermission

MANAGE = DeskPermission.MANAGE_VISIT_TYPES.perm

TYPE_COLUMNS = [
    Column("name", gettext_lazy("Name"), "name"),
    Column("vertical", gettext_lazy("Kind of business"), "vertical"),
    Column("duration", gettext_lazy("Duration"), "duration_minutes"),
    Column("price", gettext_lazy("Price"), "price"),
    Column("vat", gettext_lazy("VAT rate")),
    Column("active", gettext_lazy("Active"), "is_active"),
]
ROOM_COLUMNS = [
    Column("number", gettext_lazy("Room number"), "number"),
    Column("branch", gettext_lazy("Branch"), "branch__name"),
    Column("floor", gettext_lazy("Floor"), "floor"),
    Column("kind", gettext_lazy("Kind"), "kind"),
    Column("capacity", gettext_lazy("Beds"), "capacity"),
    Column("active", gettext_lazy("Active"), "is_active"),
]


@require(MANAGE)
def visit_type_list(request: HttpRequest) -> HttpResponse:
    visit_types = selectors.visit_type_list(user=request.user, include_inactive=True)
    table = Table(request, visit_types, TYPE_COLUMNS, default_sort="name", table_id="visit-type-table")
    return render_page(request, "desk/visit_type_list.html", {"table": table})


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def visit_type_create(request: HttpRequest) -> HttpResponse:
    organisation = organisation_for(request.user)
    form = VisitTypeForm(
        request.POST or None, instance=VisitType(organisation=organisation), initial={"vertical": organisation.kind}
    )
    if request.method == "POST" and form.is_valid():
        fields = form.model_fields()
        try:
            visit_type = services.visit_type_create(organisation=organisation, actor=request.user, **fields)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Visit type %(name)s created.") % {"name": visit_type.name})
            return redirect("desk:visit_type_list")
    return render(request, "desk/visit_type_form.html", {"form": form}, status=400 if form.errors else 200)


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def visit_type_edit(request: HttpRequest, pk: int) -> HttpResponse:
    visit_type = selectors.visit_type_get(user=request.user, pk=pk)
    form = VisitTypeForm(request.POST or None, instance=visit_type)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_type_update(
                visit_type=visit_type,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                **form.model_fields(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Visit type saved."))
            return redirect("desk:visit_type_list")
    return render(
        request,
        "desk/visit_type_form.html",
        {"form": form, "visit_type": visit_type},
        status=400 if form.errors else 200,
    )


@require(MANAGE)
def room_list(request: HttpRequest) -> HttpResponse:
    rooms = selectors.room_list(user=request.user, include_inactive=True)
    table = Table(request, rooms, ROOM_COLUMNS, default_sort="number", table_id="room-table")
    return render_page(request, "desk/room_list.html", {"table": table})


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def room_create(request: HttpRequest) -> HttpResponse:
    branches = Branch.objects.filter(pk__in=[branch.pk for branch in selectors.desk_branches(user=request.user)])
    form = RoomCreateForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        fields = form.model_fields()
        branch = fields.pop("branch")
        try:
            room = services.room_create(branch=branch, actor=request.user, **fields)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Room %(number)s created.") % {"number": room.number})
            return redirect("desk:room_list")
    return render(request, "desk/room_form.html", {"form": form}, status=400 if form.errors else 200)


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def room_edit(request: HttpRequest, pk: int) -> HttpResponse:
    room: Room = selectors.room_get(user=request.user, pk=pk)
    form = RoomForm(request.POST or None, instance=room)
    if request.method == "POST" and form.is_valid():
        try:
            services.room_update(
                room=room, actor=request.user, expected_version=form.cleaned_data["version"], **form.model_fields()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Room saved."))
            return redirect("desk:room_list")
    return render(request, "desk/room_form.html", {"form": form, "room": room}, status=400 if form.errors else 200)


urlpatterns = [
    path("visit-types/", visit_type_list, name="visit_type_list"),
    path("visit-types/new/", visit_type_create, name="visit_type_create"),
    path("visit-types/<int:pk>/edit/", visit_type_edit, name="visit_type_edit"),
    path("rooms/", room_list, name="room_list"),
    path("rooms/new/", room_create, name="room_create"),
    path("rooms/<int:pk>/edit/", room_edit, name="room_edit"),
]
