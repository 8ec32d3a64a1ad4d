"""Intake-form fixtures (imported by the desk's conftest): a published form on the consultation type.

Uploaded answers go to a temporary private storage, never to the developer's ``var/``.
"""

from __future__ import annotations

import base64
import io

import pytest

from frontoffice.core.files import private_storage
from frontoffice.desk import services as desk_services
from frontoffice.desk.intake import services as intake_services
from frontoffice.desk.intake.services import FieldData

__all__ = ["intake_form", "intake_storage", "intake_visit", "signature_png"]


@pytest.fixture(autouse=True)
def intake_storage(settings, tmp_path):
    """The private storage (``core.files``), in a folder of the test's own."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return private_storage()


def _fields():
    return [
        FieldData(key="phone", kind="text", label_pl="Telefon", label_en="Phone", maps_to="phone"),
        FieldData(key="email", kind="text", label_pl="E-mail", label_en="E-mail", maps_to="email"),
        FieldData(key="city", kind="text", label_pl="Miejscowość", label_en="City", maps_to="city"),
        FieldData(
            key="allergies",
            kind="yes_no",
            label_pl="Czy ma Pan/Pani alergie?",
            label_en="Any allergies?",
            required=True,
        ),
        FieldData(
            key="allergy_list",
            kind="long_text",
            label_pl="Jakie alergie?",
            label_en="Which allergies?",
            required=True,
            show_if_key="allergies",
            show_if_value="yes",
        ),
        FieldData(
            key="smoker",
            kind="single_choice",
            label_pl="Palenie",
            label_en="Smoking",
            choices=[
                {"value": "never", "label_pl": "Nigdy", "label_en": "Never"},
                {"value": "past", "label_pl": "W przeszłości", "label_en": "In the past"},
                {"value": "now", "label_pl": "Obecnie", "label_en": "Now"},
            ],
        ),
        FieldData(key="weight", kind="number", label_pl="Waga (kg)", label_en="Weight (kg)"),
        FieldData(key="signature", kind="signature", label_pl="Podpis", label_en="Signature", required=True),
    ]


@pytest.fixture
def intake_form(organisation, manager, consultation):
    """ "Ankieta przed wizytą", version 1 published, on the consultation visit type."""
    form = intake_services.intake_form_create(
        organisation=organisation, actor=manager, name="Ankieta przed wizytą", title_en="Before your visit"
    )
    draft = form.versions.get()
    for data in _fields():
        intake_services.intake_field_add(version=draft, actor=manager, data=data)
    intake_services.intake_version_publish(version=draft, actor=manager)
    desk_services.visit_type_update(visit_type=consultation, actor=manager, expected_version=None, intake_form=form)
    return form


@pytest.fixture
def intake_visit(intake_form, clinic_visit):
    clinic_visit.visit_type.refresh_from_db()
    return clinic_visit


def _png(draw: bool) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (120, 40), (0, 0, 0, 0))
    if draw:
        ImageDraw.Draw(image).line((5, 30, 60, 5, 115, 35), fill=(0, 0, 0, 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def signature_png(draw: bool = True) -> str:
    return "data:image/png;base64," + base64.b64encode(_png(draw)).decode()
