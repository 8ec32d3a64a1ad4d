"""Demo intake forms: a medical history form in the clinic, a service order form in the shop (and an office).

The forms are built and published through the services and attached to the visit types that
ask for them. The filled forms are written in bulk, as the rest of the demo: the clinic's form
was introduced two weeks ago, so every consultation since then that started has an accepted
form (a clinic visit cannot start without one, see ``intake/rules.py``), today's arrivals have
forms to review and some of the coming patients filled theirs through the link. The clinic's
form asks about allergies only when the patient has some (a conditional field) and ends with a
drawn signature, stored in the private storage like a real one. Hotels use registration cards.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from frontoffice.accounts.models import StaffMember
from frontoffice.core.choices import BusinessKind
from frontoffice.core.models import Organisation

from . import services as desk_services
from .choices import VisitStatus as S
from .intake import services
from .intake.choices import FieldKind, SubmissionSource, SubmissionStatus
from .intake.services import FieldData
from .models import IntakeAttachment, IntakeForm, IntakeSubmission, Visit, VisitStatusChange, VisitType

INTRODUCED_DAYS_AGO = 14
YES_NO = "yes", "no"


def _choices(*items: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"value": value, "label_pl": pl, "label_en": en} for value, pl, en in items]


@dataclass(frozen=True)
class DemoForm:
    name: str
    title_pl: str
    title_en: str
    intro_pl: str
    fields: tuple[FieldData, ...]
    visit_types: tuple[str, ...]


MEDICAL_HISTORY = DemoForm(
    name="Wywiad medyczny",
    title_pl="Wywiad medyczny przed wizytą",
    title_en="Medical history before your visit",
    intro_pl="Prosimy o wypełnienie ankiety przed wizytą. Odpowiedzi zobaczy tylko personel medyczny.",
    fields=(
        FieldData(
            "allergies", FieldKind.YES_NO, "Czy ma Pan/Pani alergie?", "Do you have any allergies?", required=True
        ),
        FieldData(
            "allergy_list",
            FieldKind.LONG_TEXT,
            "Na co jest Pan/Pani uczulony(-a)?",
            "What are you allergic to?",
            required=True,
            show_if_key="allergies",
            show_if_value="yes",
        ),
        FieldData("medications", FieldKind.LONG_TEXT, "Przyjmowane leki", "Medicines you take"),
        FieldData(
            "conditions",
            FieldKind.MULTIPLE_CHOICE,
            "Choroby przewlekłe",
            "Long-term conditions",
            choices=_choices(
                ("hypertension", "Nadciśnienie", "High blood pressure"),
                ("diabetes", "Cukrzyca", "Diabetes"),
                ("asthma", "Astma", "Asthma"),
                ("heart", "Choroba serca", "Heart disease"),
            ),
        ),
        FieldData(
            "smoker",
            FieldKind.SINGLE_CHOICE,
            "Palenie tytoniu",
            "Smoking",
            choices=_choices(
                ("never", "Nigdy", "Never"), ("past", "W przeszłości", "In the past"), ("now", "Obecnie", "Now")
            ),
        ),
        FieldData(
            "consent",
            FieldKind.YES_NO,
            "Zgadzam się na przetwarzanie moich danych o zdrowiu w celu leczenia.",
            "I agree to my health data being processed for my treatment.",
            required=True,
        ),
        FieldData("signature", FieldKind.SIGNATURE, "Podpis pacjenta", "Patient's signature", required=True),
    ),
    visit_types=("Konsultacja internistyczna", "Konsultacja kardiologiczna"),
)
PAINT_ORDER = DemoForm(
    name="Zlecenie mieszania farby",
    title_pl="Zlecenie mieszania farby",
    title_en="Paint mixing order",
    intro_pl="Kolor mieszamy według wzornika lub próbki; farby mieszanej na zamówienie nie można zwrócić.",
    fields=(
        FieldData("colour", FieldKind.TEXT, "Kod koloru (np. RAL 9010)", "Colour code (e.g. RAL 9010)", required=True),
        FieldData(
            "base",
            FieldKind.SINGLE_CHOICE,
            "Rodzaj farby",
            "Kind of paint",
            required=True,
            choices=_choices(
                ("latex", "Lateksowa", "Latex"),
                ("acrylic", "Akrylowa", "Acrylic"),
                ("ceramic", "Ceramiczna", "Ceramic"),
            ),
        ),
        FieldData("litres", FieldKind.NUMBER, "Ilość (litry)", "Quantity (litres)", required=True),
        FieldData("delivery", FieldKind.YES_NO, "Dostawa do klienta?", "Deliver to the customer?", required=True),
        FieldData(
            "delivery_address",
            FieldKind.TEXT,
            "Adres dostawy",
            "Delivery address",
            required=True,
            show_if_key="delivery",
            show_if_value="yes",
        ),
        FieldData("notes", FieldKind.LONG_TEXT, "Uwagi", "Notes"),
    ),
    visit_types=("Mieszanie farby na zamówienie",),
)
SERVICE_ORDER = DemoForm(
    name="Zlecenie usługi",
    title_pl="Zlecenie usługi",
    title_en="Service order",
    intro_pl="Opis zlecenia i termin wykonania.",
    fields=(
        FieldData("description", FieldKind.LONG_TEXT, "Opis zlecenia", "What is to be done", required=True),
        FieldData("deadline", FieldKind.DATE, "Termin wykonania", "Deadline"),
        FieldData("invoice", FieldKind.YES_NO, "Faktura na firmę?", "Invoice to a company?", required=True),
        FieldData(
            "company_nip",
            FieldKind.TEXT,
            "NIP firmy",
            "Company's NIP",
            required=True,
            show_if_key="invoice",
            show_if_value="yes",
        ),
        FieldData("signature", FieldKind.SIGNATURE, "Podpis zleceniodawcy", "Customer's signature", required=True),
    ),
    visit_types=("Zlecenie usługi",),
)
FORMS: dict[str, tuple[DemoForm, ...]] = {
    BusinessKind.CLINIC: (MEDICAL_HISTORY,),
    BusinessKind.RETAIL: (PAINT_ORDER,),
    BusinessKind.OFFICE: (SERVICE_ORDER,),
}
ALLERGIES = ("Penicylina", "Pyłki traw", "Orzechy", "Lateks", "Ibuprofen")
MEDICINES = ("Bisoprolol 5 mg", "Metformina 500 mg", "Euthyrox 50 µg", "")
STREETS = ("ul. Garbary 12, Poznań", "os. Przyjaźni 4/7, Poznań", "ul. Polna 3, Swarzędz")


def load(organisations: list[Organisation]) -> None:
    for seed, organisation in enumerate(organisations, start=1):
        specs = FORMS.get(organisation.kind, ())
        if not specs or IntakeForm.objects.filter(organisation=organisation).exists():
            continue  # idempotent, like the rest of the demo
        _Intake(organisation, random.Random(seed * 17)).run(specs)  # noqa: S311 - invented demo data


def signature_png(rng: random.Random) -> bytes:
    """A signature drawn as a hand would: a wavy stroke and a flourish, on a transparent pad."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (320, 90), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    x, points = 12, []
    while x < 250:
        points.append((x, 45 + rng.randint(-22, 22)))
        x += rng.randint(10, 22)
    pen.line(points, fill=(20, 30, 90, 255), width=3, joint="curve")
    pen.line((points[-1], (300, 70), (40, 75)), fill=(20, 30, 90, 255), width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class _Intake:
    def __init__(self, organisation: Organisation, rng: random.Random) -> None:
        self.organisation = organisation
        self.rng = rng
        self.now = timezone.now()
        self.clerks = {
            branch_id: user
            for branch_id, user in StaffMember.objects.filter(organisation=organisation, user__groups__name="clerk")
            .order_by("-pk")
            .values_list("branches", "user")
        }

    def run(self, specs: tuple[DemoForm, ...]) -> None:
        for spec in specs:
            types = list(VisitType.objects.filter(organisation=self.organisation, name__in=spec.visit_types))
            if not types:
                continue
            form = self._build(spec)
            for visit_type in types:
                desk_services.visit_type_update(
                    visit_type=visit_type, actor=None, expected_version=None, intake_form=form
                )
            self._fill(spec, form, types)

    def _build(self, spec: DemoForm) -> IntakeForm:
        form = services.intake_form_create(
            organisation=self.organisation, actor=None, name=spec.name, title_pl=spec.title_pl, title_en=spec.title_en
        )
        draft = form.versions.get()
        services.intake_version_update(
            version=draft, actor=None, title_pl=spec.title_pl, title_en=spec.title_en, intro_pl=spec.intro_pl
        )
        for data in spec.fields:
            services.intake_field_add(version=draft, actor=None, data=data)
        services.intake_version_publish(version=draft, actor=None)
        # Introduced two weeks ago: older visits were not asked for it.
        form.versions.update(published_at=self.now - timedelta(days=INTRODUCED_DAYS_AGO))
        return form

    def _fill(self, spec: DemoForm, form: IntakeForm, types: list[VisitType]) -> None:
        version = form.versions.get()
        since = version.published_at
        visits = list(
            Visit.objects.filter(visit_type__in=types, scheduled_at__gte=since)
            .exclude(status__in=(S.CANCELLED, S.NO_SHOW))
            .order_by("scheduled_at", "pk")
        )
        moments: dict[int, dict[str, datetime]] = {}
        for visit_id, status, at in VisitStatusChange.objects.filter(visit__in=visits).values_list(
            "visit_id", "to_status", "at"
        ):
            moments.setdefault(visit_id, {})[status] = at
        submissions = []
        for visit in visits:
            submission = self._submission(spec, version, visit, moments.get(visit.pk, {}))
            if submission is not None:
                submissions.append(submission)
        IntakeSubmission.objects.bulk_create(submissions, batch_size=500)
        if any(item.kind == FieldKind.SIGNATURE for item in spec.fields):
            self._sign(submissions)

    def _submission(
        self, spec: DemoForm, version: Any, visit: Visit, moments: dict[str, datetime]
    ) -> IntakeSubmission | None:
        clerk = self.clerks.get(visit.branch_id)
        started = moments.get(S.IN_PROGRESS) or moments.get(S.PAID)
        arrived = moments.get(S.ARRIVED) or moments.get(S.OPEN, visit.scheduled_at)
        submission = IntakeSubmission(
            visit=visit,
            form_version=version,
            answers=self._answers(spec),
            status=SubmissionStatus.FILLED,
            source=SubmissionSource.DESK,
            filled_at=min(arrived + timedelta(minutes=1), self.now),
            filled_by_id=clerk,
            updated_by_id=clerk,
        )
        if started is not None:
            if visit.vertical != BusinessKind.CLINIC and self.rng.random() < 0.3:
                return None  # a shop's order form is not required: some orders were taken by word of mouth
            if visit.vertical == BusinessKind.CLINIC and self.rng.random() < 0.4:
                submission.source = SubmissionSource.LINK  # filled at home the day before
                submission.filled_at = visit.scheduled_at - timedelta(hours=self.rng.randint(3, 30))
                submission.filled_by_id = None
            submission.status = SubmissionStatus.ACCEPTED
            submission.accepted_at = max(started - timedelta(minutes=1), submission.filled_at)
            submission.accepted_by_id = clerk
        elif visit.status == S.OPEN:
            if self.rng.random() < 0.5:
                return None  # the order is still being taken
        elif visit.status == S.PLANNED:
            if self.rng.random() > 0.3:
                return None  # not filled yet
            submission.source = SubmissionSource.LINK  # filled at home, through the link
            submission.filled_at = self.now - timedelta(hours=self.rng.randint(2, 30))
            submission.filled_by_id = None
        return submission

    def _answers(self, spec: DemoForm) -> dict[str, Any]:
        rng = self.rng
        if spec is MEDICAL_HISTORY:
            answers: dict[str, Any] = {"allergies": rng.choice(("yes", "no", "no", "no")), "consent": "yes"}
            if answers["allergies"] == "yes":
                answers["allergy_list"] = ", ".join(rng.sample(ALLERGIES, rng.randint(1, 2)))
            medicine = rng.choice(MEDICINES)
            if medicine:
                answers["medications"] = medicine
            conditions = [value for value in ("hypertension", "diabetes", "asthma", "heart") if rng.random() < 0.12]
            if conditions:
                answers["conditions"] = conditions
            answers["smoker"] = rng.choice(("never", "never", "past", "now"))
            return answers
        if spec is PAINT_ORDER:
            answers = {
                "colour": f"RAL {rng.choice((1013, 1015, 6019, 7035, 9001, 9010))}",
                "base": rng.choice(("latex", "acrylic", "ceramic")),
                "litres": str(rng.choice((2.5, 5, 10, 15))).removesuffix(".0"),
                "delivery": rng.choice(YES_NO),
            }
            if answers["delivery"] == "yes":
                answers["delivery_address"] = rng.choice(STREETS)
            return answers
        return {"description": "Naprawa i konserwacja urządzenia.", "invoice": "no"}

    def _sign(self, submissions: list[IntakeSubmission]) -> None:
        attachments = []
        for submission in submissions:
            content = signature_png(self.rng)
            row = IntakeAttachment(
                submission=submission,
                field_key="signature",
                original_name="signature.png",
                content_type="image/png",
                size=len(content),
            )
            row.file.save("signature.png", ContentFile(content), save=False)
            attachments.append(row)
        IntakeAttachment.objects.bulk_create(attachments, batch_size=500)
