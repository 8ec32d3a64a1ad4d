"""What the desk erases with a client (the clients app's erasure hook, registered in ``apps.py``).

``clients.privacy.client_erase`` anonymises the client and then calls this, in the same
transaction. The desk keeps its business records (visits, payments, documents as entries,
registration cards as the stay's record) and removes what identifies the person:

- files in the private storage: the client's documents (ID scans, consents: also removed ones),
  coverage card images, intake signatures and uploads. The fields are cleared now (a document's
  typed title becomes its kind, its original file name goes) and the files
  deleted once the erasure commits (``core.files.delete_on_commit``), so a failed erasure
  leaves both in place;
- the drawn signature and the free text of the registration cards the person signed as a
  guest: names, date of birth, address, document number and expiry. The country codes and the
  document type stay (the guest statistics count them; alone they identify nobody);
- the answers of the person's intake forms (contact details, health questions): the submission
  stays, with its status and who accepted it, but answers nothing;
- the history rows of those documents and cards, which would otherwise keep every value.

Nothing of any other client is touched. Exported guest reports (``GuestExport``) are kept: they
are the record of what was sent to the authorities on that day.
"""

from __future__ import annotations

from typing import Any

from frontoffice.clients.models import Client
from frontoffice.core.files import delete_on_commit

from .choices import DocumentKind
from .models import Coverage, Document, IntakeAttachment, IntakeSubmission, RegistrationCard

# Card fields that identify the guest, and what they become (as the client's own fields do).
CARD_PERSONAL_FIELDS: dict[str, Any] = {
    "given_name": "",
    "family_name": "",
    "date_of_birth": None,
    "street": "",
    "postal_code": "",
    "city": "",
    "document_number": "",
    "document_expiry": None,
    "signature_png": None,
}


def _forget_file(field_file: Any) -> None:
    if field_file:
        delete_on_commit(field_file.storage, [field_file.name])


def erase_client_desk_data(*, client: Client, actor: Any) -> dict[str, int]:
    """Remove the desk's files and free text about ``client``; return how many records of each kind."""
    documents = list(Document.objects.filter(client=client))
    for document in documents:
        _forget_file(document.file)
    for kind in {document.kind for document in documents}:
        # The title was typed by a clerk ("ID card of Jan Kowalski"): the document's kind says enough.
        Document.objects.filter(client=client, kind=kind).update(
            title=str(DocumentKind(kind).label), file="", original_name="", sha256=""
        )
    Document.history.filter(id__in=[d.pk for d in documents]).delete()  # type: ignore[attr-defined]

    coverages = list(Coverage.objects.filter(client=client).exclude(card_front="", card_back=""))
    for coverage in coverages:
        _forget_file(coverage.card_front)
        _forget_file(coverage.card_back)
    if coverages:
        Coverage.objects.filter(pk__in=[c.pk for c in coverages]).update(card_front="", card_back="")
        # The card images' stored names are random; the policy's own history stays for disputes.
        Coverage.history.filter(id__in=[c.pk for c in coverages]).update(  # type: ignore[attr-defined]
            card_front="", card_back=""
        )

    cards = RegistrationCard.objects.filter(guest__client=client)
    card_ids = list(cards.values_list("pk", flat=True))
    if card_ids:
        RegistrationCard.objects.filter(pk__in=card_ids).update(**CARD_PERSONAL_FIELDS)
        RegistrationCard.history.filter(id__in=card_ids).delete()  # type: ignore[attr-defined]

    submissions = IntakeSubmission.objects.filter(visit__client=client)
    attachments = list(IntakeAttachment.objects.filter(submission__in=submissions))
    for attachment in attachments:
        _forget_file(attachment.file)
    IntakeAttachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
    answered = submissions.update(answers={})

    return {
        "documents": len(documents),
        "coverage_cards": len(coverages),
        "registration_cards": len(card_ids),
        "intake_forms": answered,
        "intake_files": len(attachments),
    }
