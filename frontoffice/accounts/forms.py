from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.http import HttpRequest
from django.template import loader
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from frontoffice.core.choices import Language
from frontoffice.core.forms import VersionedModelForm
from frontoffice.core.models import Branch, Organisation
from frontoffice.core.notifications import email_queue

from .choices import EmployerKind, QualificationKind, Role
from .models import ContractorCompany, StaffMember, User


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the e-mail goes out from the worker like every other message."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        email_queue(to=to_email, subject=subject, body=body)

    def send_welcome(self, user: User, *, request: HttpRequest) -> None:
        """Send a new colleague the link to set their first password.

        Django's reset form skips users without a usable password, which is
        exactly what a new account has; so build the same context here.
        """
        context = {
            "email": user.email,
            "user": user,
            "domain": request.get_host(),
            "site_name": request.get_host(),
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
            "protocol": "https" if request.is_secure() else "http",
        }
        self.send_mail("accounts/email/welcome_subject.txt", "accounts/email/welcome.txt", context, None, user.email)


class TotpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        if not code.isdigit():
            raise forms.ValidationError(_("The code is made of digits only."))
        return code


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language", "time_zone"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Django's own empty label has no Polish translation; name what empty means here.
        self.fields["language"].choices = [("", _("The organisation's default")), *Language.choices]


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. 'PBX integration'.")
    )
    expires_at = forms.DateField(label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class StaffFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("Any")), *Role.choices])
    branch = forms.ModelChoiceField(
        label=_("Branch"), required=False, queryset=Branch.objects.none(), empty_label=_("Any")
    )
    inactive = forms.BooleanField(label=_("Include inactive"), required=False)

    def __init__(self, *args: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches


class StaffForm(VersionedModelForm):
    """Create or edit a staff member together with the user account."""

    username = forms.CharField(
        label=_("Login"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and . _ - only, e.g. anna.kowalska"),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple)
    branches = forms.ModelMultipleChoiceField(
        label=_("Branches"), queryset=Branch.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    class Meta:
        model = StaffMember
        fields = ["job_title", "phone", "employer_kind", "contractor"]

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["branches"].queryset = organisation.branches.filter(is_active=True)
        self.fields["contractor"].queryset = ContractorCompany.objects.filter(organisation=organisation)
        self.order_fields(
            [
                "username",
                "first_name",
                "last_name",
                "email",
                "roles",
                "branches",
                "job_title",
                "phone",
                "employer_kind",
                "contractor",
                "is_active",
            ]
        )
        if self.instance.pk:
            user = self.instance.user
            self.fields["username"].disabled = True
            self.initial["username"] = user.username  # a disabled field always takes its initial value
            if not self.is_bound:
                self.initial.update(
                    first_name=user.first_name,
                    last_name=user.last_name,
                    email=user.email,
                    roles=self.instance.role_codes,
                    branches=list(self.instance.branches.all()),
                    is_active=self.instance.is_active,
                )

    def person_fields(self) -> dict[str, Any]:
        """The cleaned values that both staff_member_create and staff_member_update take."""
        names = (
            "email",
            "first_name",
            "last_name",
            "roles",
            "branches",
            "job_title",
            "phone",
            "employer_kind",
            "contractor",
        )
        return {name: self.cleaned_data[name] for name in names}

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if not self.instance.pk and User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This login is taken."))
        return username

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        others = User.objects.filter(email__iexact=email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.user_id)
        if others.exists():
            raise forms.ValidationError(_("Another account uses this e-mail address."))
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        roles = set(data.get("roles") or [])
        if roles and not roles & {Role.EXECUTIVE, Role.ADMIN} and not data.get("branches"):
            self.add_error("branches", _("Pick at least one branch for this role."))
        if data.get("employer_kind") == EmployerKind.CONTRACTOR and not data.get("contractor"):
            self.add_error("contractor", _("Pick the contractor company."))
        if data.get("employer_kind") == EmployerKind.IN_HOUSE:
            data["contractor"] = None
        return data


class QualificationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=QualificationKind.choices)
    name = forms.CharField(label=_("Name"), max_length=120)
    number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=Language.choices)
    next = forms.CharField(required=False)
