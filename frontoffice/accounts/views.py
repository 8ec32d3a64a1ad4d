"""Sign-in, second factor, language, preferences, API tokens and staff."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from frontoffice.core.audit import log_access
from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error
from frontoffice.core.htmx import render_page
from frontoffice.core.selectors import branch_list, organisation_for
from frontoffice.core.tables import Column, Table

from . import selectors, services
from .forms import (
    LanguageForm,
    PreferencesForm,
    QualificationForm,
    QueuedPasswordResetForm,
    StaffFilterForm,
    StaffForm,
    TokenCreateForm,
    TotpCodeForm,
)
from .mfa import confirmed_totp_device, mfa_required
from .permissions import AccountsPermission


def lockout_response(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """What a locked-out sign-in sees (django-axes calls this)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        if user.language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
            )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    form_class = QueuedPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language in one click; remembered on the user and in a cookie."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_set_preferences(user=request.user, language=language)
        translation.activate(language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
        )
    return response


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("core:home")


@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: show the QR code, confirm with the first code."""
    if confirmed_totp_device(request.user):
        return redirect(f"{reverse('accounts:mfa_verify')}?next={_safe_next(request)}")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name=_("Authenticator app"), confirmed=False)
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("Two-factor sign-in is set up."))
            return redirect(_safe_next(request))
        form.add_error(
            "code", _("That code is not valid. Check the time on your phone, wait a moment and enter the current code.")
        )
    secret = base64.b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5, dark="#111", light="#fff")
    return render(
        request,
        "accounts/mfa_setup.html",
        {"form": form, "secret": secret, "qr": qr, "next": _safe_next(request)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    device = confirmed_totp_device(request.user)
    if device is None:
        return redirect(f"{reverse('accounts:mfa_setup')}?next={_safe_next(request)}")
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verified, _wait = device.verify_is_allowed()
        if verified and device.verify_token(form.cleaned_data["code"]):
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error(
            "code", _("That code is not valid or you tried too often. Wait a moment and enter the current code.")
        )
    return render(
        request,
        "accounts/mfa_verify.html",
        {"form": form, "next": _safe_next(request)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_set_preferences(
            user=request.user, language=form.cleaned_data["language"], time_zone=form.cleaned_data["time_zone"]
        )
        messages.success(request, _("Preferences saved."))
        response = redirect("accounts:profile")
        if form.cleaned_data["language"]:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                form.cleaned_data["language"],
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
            )
        return response
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "mfa_required": mfa_required(request.user),
            "mfa_device": confirmed_totp_device(request.user),
        },
        status=400 if form.errors else 200,
    )


@require(AccountsPermission.USE_API.perm)
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        expires = form.cleaned_data["expires_at"]
        expires_at = (
            timezone.make_aware(timezone.datetime.combine(expires, timezone.datetime.max.time())) if expires else None
        )
        _token, new_token = services.api_token_create(
            user=request.user, name=form.cleaned_data["name"], expires_at=expires_at
        )
        form = TokenCreateForm()
    return render(
        request,
        "accounts/token_list.html",
        {
            "tokens": selectors.token_list(user=request.user),
            "form": form,
            "new_token": new_token,
        },
        status=400 if form.errors else 200,
    )


@require(AccountsPermission.USE_API.perm)
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.token_get(user=request.user, pk=pk)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:token_list")


STAFF_COLUMNS = [
    Column("name", gettext_lazy("Name"), "user__last_name"),
    Column("roles", gettext_lazy("Roles")),
    Column("branches", gettext_lazy("Branches")),
    Column("job_title", gettext_lazy("Job title"), "job_title"),
    Column("employer", gettext_lazy("Employer"), "employer_kind"),
    Column("active", gettext_lazy("Active"), "is_active"),
]


@require(AccountsPermission.VIEW_STAFF.perm)
def staff_list(request: HttpRequest) -> HttpResponse:
    filters = StaffFilterForm(request.GET or None, branches=branch_list(user=request.user))
    data = filters.cleaned_data if filters.is_valid() else {}
    branch = data.get("branch")
    staff = selectors.staff_list(
        user=request.user,
        search=data.get("q", ""),
        role=data.get("role", ""),
        branch_id=branch.pk if branch else None,
        include_inactive=data.get("inactive", False),
    )
    table = Table(request, staff, STAFF_COLUMNS, default_sort="name", table_id="staff-table")
    return render_page(
        request,
        "accounts/staff_list.html",
        {
            "table": table,
            "filters": filters,
            "can_manage": request.user.has_perm(AccountsPermission.MANAGE_STAFF.perm),
        },
    )


@require(AccountsPermission.VIEW_STAFF.perm)
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    staff = selectors.staff_get(user=request.user, pk=pk)
    can_manage = request.user.has_perm(AccountsPermission.MANAGE_STAFF.perm)
    if staff.user_id != request.user.pk:
        # Contact details and licence numbers are personal data: record who looked.
        log_access(
            user=request.user,
            target=staff,
            organisation=staff.organisation,
            purpose="staff record",  # stored, so not translated: readers may use another language
            path=request.path,
        )
    form = QualificationForm() if can_manage else None
    return _render_staff_detail(request, staff, can_manage=can_manage, qualification_form=form)


def _render_staff_detail(
    request: HttpRequest,
    staff: Any,
    *,
    can_manage: bool,
    qualification_form: QualificationForm | None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "staff": staff,
        "qualifications": staff.qualifications.all(),
        "can_manage": can_manage,
        "qualification_form": qualification_form,
        "has_mfa": confirmed_totp_device(staff.user) is not None,
    }
    return render(request, "accounts/staff_detail.html", context, status=status)


@require(AccountsPermission.MANAGE_STAFF.perm)
@require_http_methods(["GET", "POST"])
def staff_create(request: HttpRequest) -> HttpResponse:
    organisation = organisation_for(request.user)
    form = StaffForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            staff = services.staff_member_create(
                organisation=organisation,
                actor=request.user,
                username=form.cleaned_data["username"],
                **form.person_fields(),
            )
        except ValidationError as error:
            add_service_error(form, error)
            return render(request, "accounts/staff_form.html", {"form": form, "staff": None}, status=400)
        # The new colleague sets their own password through the reset e-mail.
        QueuedPasswordResetForm().send_welcome(staff.user, request=request)
        messages.success(request, _("Staff member added; they got an e-mail to set their password."))
        return redirect("accounts:staff_detail", pk=staff.pk)
    return render(
        request, "accounts/staff_form.html", {"form": form, "staff": None}, status=400 if form.errors else 200
    )


@require(AccountsPermission.MANAGE_STAFF.perm)
@require_http_methods(["GET", "POST"])
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    staff = selectors.staff_get(user=request.user, pk=pk)
    form = StaffForm(request.POST or None, instance=staff, organisation=staff.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_member_update(
                staff=staff,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                is_active=form.cleaned_data["is_active"],
                **form.person_fields(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Staff member saved."))
            return redirect("accounts:staff_detail", pk=staff.pk)
    return render(
        request, "accounts/staff_form.html", {"form": form, "staff": staff}, status=400 if form.errors else 200
    )


@require(AccountsPermission.MANAGE_STAFF.perm)
@require_POST
def qualification_add(request: HttpRequest, pk: int) -> HttpResponse:
    staff = selectors.staff_get(user=request.user, pk=pk)
    form = QualificationForm(request.POST)
    if form.is_valid():
        services.qualification_add(staff=staff, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Skill or licence added."))
        return redirect("accounts:staff_detail", pk=staff.pk)
    return _render_staff_detail(request, staff, can_manage=True, qualification_form=form, status=400)


@require(AccountsPermission.MANAGE_STAFF.perm)
@require_POST
def qualification_remove(request: HttpRequest, pk: int, qualification_pk: int) -> HttpResponse:
    staff = selectors.staff_get(user=request.user, pk=pk)
    qualification = staff.qualifications.filter(pk=qualification_pk).first()
    if qualification is None:
        return redirect("accounts:staff_detail", pk=staff.pk)
    services.qualification_remove(qualification=qualification, actor=request.user)
    messages.success(request, _("Skill or licence removed."))
    return redirect("accounts:staff_detail", pk=staff.pk)


@require(AccountsPermission.MANAGE_STAFF.perm)
@require_POST
def staff_reset_mfa(request: HttpRequest, pk: int) -> HttpResponse:
    staff = selectors.staff_get(user=request.user, pk=pk)
    services.staff_reset_mfa(staff=staff, actor=request.user)
    messages.success(request, _("Two-factor sign-in reset; they will set it up again at their next sign-in."))
    return redirect("accounts:staff_detail", pk=staff.pk)
