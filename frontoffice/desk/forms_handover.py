"""Forms of the handover log and of documents."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import DocumentKind

ITEM_ROWS = 5


class HandoverForm(forms.Form):
    """Notes plus up to ``ITEM_ROWS`` open items; each item's client comes from a picker (``item<n>_client``)."""

    notes = forms.CharField(
        label=_("Notes for the next shift"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    request_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, visits: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["request_key"].initial = uuid.uuid4().hex
        choices = [("", "—")] + [(str(visit.pk), f"{visit.number} · {visit.client.display_name}") for visit in visits]
        for n in range(1, ITEM_ROWS + 1):
            self.fields[f"item{n}_text"] = forms.CharField(
                label=_("Open item %(number)s") % {"number": n}, required=False, max_length=500
            )
            self.fields[f"item{n}_visit"] = forms.TypedChoiceField(
                label=_("Visit mentioned in item %(number)s") % {"number": n},
                choices=choices,
                required=False,
                coerce=int,
                empty_value=None,
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"n": n, "text": self[f"item{n}_text"], "visit": self[f"item{n}_visit"], "client_field": f"item{n}_client"}
            for n in range(1, ITEM_ROWS + 1)
        ]


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document type"), choices=DocumentKind.choices)
    title = forms.CharField(
        label=_("Title"), required=False, max_length=200, help_text=_("Empty: the document type is used.")
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG, PNG or HEIC (iPhone photo)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.heic,application/pdf,image/*"}),
    )


class DocumentDeleteForm(forms.Form):
    reason = forms.CharField(label=_("Reason for removal"), required=False, max_length=300)
