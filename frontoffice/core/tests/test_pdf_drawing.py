"""Documents drawn with ReportLab (core.pdf_drawing): what can be drawn, pages, footers, text a reader finds."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from frontoffice.core import pdf_drawing as drawing


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize(
    "text",
    ["Zażółć gęślą jaźń", "ŻÓŁW, Łódź", "Олександр Шевченко", "Νίκος", "Müller & Søn <b>", "a\nb", "e\u0301"],
)
def test_latin_greek_and_cyrillic_text_can_be_drawn(text):
    # "e" + a combining acute composes to "é", which the font has
    assert drawing.drawable(["Paragon", text])


@pytest.mark.parametrize("text", ["محمد", "שלום", "王小明", "नमस्ते", "q\u0323\u0301"])
def test_text_that_needs_shaping_or_has_no_glyph_cannot(text):
    assert not drawing.drawable(["Paragon", text])


def test_nothing_can_be_drawn_without_the_fonts(monkeypatch):
    monkeypatch.setattr(drawing, "_font_file", lambda pattern: None)
    drawing._registered_fonts.cache_clear()
    try:
        assert not drawing.drawable(["Paragon"])
        with pytest.raises(RuntimeError):
            drawing.build([drawing.paragraph("Paragon")], title="Paragon", language="pl")
    finally:
        drawing._registered_fonts.cache_clear()


def _receipt() -> list:
    return [
        drawing.paragraph("Paragon PAR-1 <ż>", "h1"),
        *drawing.heading("Sprzedawca"),
        drawing.paragraph("Przychodnia Lipowa sp. z o.o.\nul. Długa 5"),
        drawing.table(
            [["Opis", "Brutto"], [drawing.paragraph("Konsultacja", "cell"), "180.00"]], [None, 0.2], numeric=[1]
        ),
    ]


def test_a_document_is_text_a_reader_can_find_with_its_title_and_page_in_the_footer():
    pdf = drawing.build(_receipt(), title="Paragon PAR-1", language="pl")
    [text] = _pages(pdf)
    for expected in (
        "Paragon PAR-1 <ż>",
        "Sprzedawca",
        "Przychodnia Lipowa sp. z o.o.",
        "ul. Długa 5",
        "180.00",
        "1 / 1",
    ):
        assert expected in text
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == "Paragon PAR-1"
    assert reader.metadata.creation_date == datetime(2000, 1, 1, tzinfo=UTC)


def test_a_document_drawn_again_is_the_same_bytes_and_dated_when_it_was_issued():
    issued = datetime(2026, 11, 27, 9, 30, 5, tzinfo=UTC)
    pdf = drawing.build(_receipt(), title="Paragon PAR-1", language="pl", created=issued)
    assert drawing.build(_receipt(), title="Paragon PAR-1", language="pl", created=issued) == pdf
    assert PdfReader(io.BytesIO(pdf)).metadata.creation_date == issued


def test_a_long_table_goes_on_over_pages_with_its_header_and_the_page_count():
    rows = [["Opis", "Brutto"], *([f"Pozycja {n}", f"{n}.00"] for n in range(1, 121))]
    pdf = drawing.build([drawing.table(rows, [None, 0.2], numeric=[1])], title="Faktura FV-1", language="pl")
    pages = _pages(pdf)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "Opis" in text and "Faktura FV-1" in text and f"{number} / {len(pages)}" in text
    assert "Pozycja 1\n" in pages[0] + "\n" and "Pozycja 120" in pages[-1]


def test_the_unhinted_font_is_made_once_and_kept_for_the_next_process(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    regular = drawing._font_file(f"{drawing.FONT_FAMILY}:style=Book")
    made = drawing._unhinted(regular).getvalue()
    [kept] = (tmp_path / "fonts").iterdir()
    assert kept.read_bytes() == made and len(made) < len(Path(regular).read_bytes())
    # A later process reads the kept file instead of making it again
    from fontTools import subset

    monkeypatch.setattr(subset, "Subsetter", None)
    assert drawing._unhinted(regular).getvalue() == made


def test_a_web_process_loads_the_fonts_in_the_background_when_it_starts():
    drawing._registered_fonts.cache_clear()
    drawing.warm_drawing_fonts().join(timeout=60)
    assert drawing._registered_fonts.cache_info().currsize == 1
    assert drawing.drawable(["Zażółć"])
