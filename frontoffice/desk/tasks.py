"""Background work of the desk: printing issued receipts and invoices (see ``money.documents``)."""

from __future__ import annotations

from django.tasks import task
from django.utils import translation

from .models import SaleDocument
from .money.documents import keep_pdf_now


@task()
def keep_sale_document_pdf(*, document_id: int, language: str) -> None:
    """Print an issued sale document in the language it was issued in and keep the copy."""
    document = SaleDocument.objects.select_related("organisation").filter(pk=document_id).first()
    if document is None:  # erased since (the client's data removed): nothing to print
        return
    with translation.override(language):
        keep_pdf_now(document)
