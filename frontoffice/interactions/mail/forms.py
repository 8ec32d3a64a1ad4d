"""Forms of the e-mail channel: a mailbox's settings (passwords are write-only) and a reply."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from frontoffice.core.forms import VersionedModelForm

from ..models import Mailbox


class MailboxForm(VersionedModelForm):
    """A mailbox's settings. The passwords are never shown: left empty, the stored one is kept."""

    imap_password = forms.CharField(
        label=_("IMAP password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the stored password."),
        max_length=255,
    )
    smtp_password = forms.CharField(
        label=_("SMTP password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the stored password."),
        max_length=255,
    )

    class Meta:
        model = Mailbox
        fields = [
            "branch",
            "address",
            "from_name",
            "is_active",
            "imap_host",
            "imap_port",
            "imap_security",
            "imap_user",
            "imap_folder",
            "smtp_host",
            "smtp_port",
            "smtp_security",
            "smtp_user",
            "poll_seconds",
        ]

    def __init__(self, *args: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["poll_seconds"].min_value = 30
        self.fields["poll_seconds"].widget.attrs["min"] = 30
        if not self.instance.pk:
            self.fields["imap_password"].help_text = ""
            self.fields["smtp_password"].help_text = ""

    def clean_poll_seconds(self) -> int:
        value = self.cleaned_data["poll_seconds"]
        if value < 30:
            raise forms.ValidationError(_("Check at most every 30 seconds."))
        return value

    def _post_clean(self) -> None:
        # The service validates the record; the form must not write into the instance it was given.
        pass

    def service_data(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name not in {"branch", "version"}}


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (``<input type="file" multiple>``); cleans to a list, maybe empty."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item]


def attachments_field() -> MultipleFileField:
    """The reply forms' file field, its help naming the limits (the service checks them)."""
    from django.conf import settings

    from .services import REPLY_ATTACHMENTS_MOST

    return MultipleFileField(
        label=_("Attachments"),
        help_text=_("Up to %(count)s files, together at most %(limit)s MB. After an error, choose them again.")
        % {"count": REPLY_ATTACHMENTS_MOST, "limit": settings.MAIL_ATTACHMENT_MAX_BYTES // (1024 * 1024)},
    )


class ReplyForm(forms.Form):
    to = forms.EmailField(
        label=_("To"), required=False, help_text=_("Empty: the sender of the last message."), max_length=254
    )
    body = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = attachments_field()
