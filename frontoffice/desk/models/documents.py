"""Documents attached to a client or to one of their visits: ID scans, insurance cards, signed consents.

Files live in private storage (``core.files``: outside the web root, no URL) and are
served only by the document views, which check permissions and write the access log.
A document of a visit also points at the visit's client, so the client's page lists it
and merging clients moves it. Removing a document is a soft delete (``deleted_at``):
the file and the row stay for the record, hidden from every list.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from frontoffice.clients.models import Client
from frontoffice.core.files import PrivateUploadTo, private_storage
from frontoffice.core.models import Branch, Organisation, TimeStampedModel

from ..choices import DocumentKind
from ..permissions import DocumentPermission
from .visits import Visit


class Document(TimeStampedModel):
    """An uploaded file about a client (or one of their visits)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="documents"
    )
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="documents",
        help_text=_("Where it was uploaded (a visit's document: the visit's branch)."),
    )
    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="documents")
    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(_("document type"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=PrivateUploadTo("documents"), max_length=200, editable=False
    )
    original_name = models.CharField(_("file name"), max_length=200, editable=False)
    content_type = models.CharField(_("file type"), max_length=50, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), editable=False)
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    deleted_at = models.DateTimeField(_("removed at"), null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    delete_reason = models.CharField(_("reason for removal"), max_length=300, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-pk"]
        permissions = DocumentPermission.choices
        indexes = [
            models.Index(fields=["client", "-created_at"], name="document_client_idx"),
            models.Index(fields=["visit", "-created_at"], name="document_visit_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
