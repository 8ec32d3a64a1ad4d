"""PDF documents drawn straight from Python with ReportLab, for documents printed on a hot path.

``core.pdf`` lays documents out from HTML templates with WeasyPrint: any template, any script, but some
40 ms of CPU for a one-page receipt (style cascade, box building, Pango). A document printed for every
sale is drawn here instead, in about a tenth of that, with the same look as the print stylesheet
``core/pdf.css``: A4, the same margins, DejaVu Sans at 9.5 pt, headings, ruled tables and a footer with
the document's title and "page / pages".

Drawing has limits that HTML layout has not: text is set glyph by glyph, with no shaping, so only
scripts that need none can be drawn (Latin, Greek, Cyrillic and the like; not Arabic, Hebrew, Indic or
CJK), and only with the characters the font has. ``drawable`` says whether a text can be drawn; a
document whose text cannot is laid out from its template as before. The fonts are found through
fontconfig (the same DejaVu Sans WeasyPrint uses); where they are missing, nothing is drawn either.

    if pdf_drawing.drawable(texts):
        pdf = pdf_drawing.build(flowables, title="Receipt PAR-1")
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import threading
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings

logger = logging.getLogger(__name__)

FONT_FAMILY = "DejaVu Sans"
REGULAR, BOLD = "FrontOfficeSans", "FrontOfficeSans-Bold"
# core/pdf.css, in points (1 mm = 72 / 25.4 pt).
MM = 72 / 25.4
TEXT_COLOUR, MUTED_COLOUR, RULE_COLOUR = "#1b1f24", "#5b6470", "#d5dae1"
FONT_SIZE, LINE_HEIGHT = 9.5, 1.4
MARGIN_TOP, MARGIN_SIDE, MARGIN_BOTTOM = 18 * MM, 16 * MM, 20 * MM
# Right-to-left and Arabic-number characters need bidirectional layout and shaping; drawing them glyph by
# glyph would print them in the wrong order and unjoined.
_NEEDS_LAYOUT = frozenset({"R", "AL", "AN"})

_registering = threading.Lock()


def _font_file(pattern: str) -> str | None:
    """The font file fontconfig picks for ``pattern``, only when it is the family asked for."""
    executable = shutil.which("fc-match")
    if executable is None:
        return None
    try:
        found = subprocess.run(
            [executable, "--format=%{family}\t%{file}", pattern], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    family, _, path = found.partition("\t")
    return path if FONT_FAMILY in family.split(",") and path.endswith(".ttf") else None


def _unhinted(path: str) -> io.BytesIO:
    """The font without its hinting instructions and layout tables, which ReportLab would embed in every
    document (DejaVu's hinting doubles a receipt's size) but a PDF viewer does not need. Made once per
    machine (about half a second a font) and kept under ``VAR_DIR/fonts``, named by the source's size and
    time, so a process starting later reads it in a few milliseconds."""
    source = Path(path).stat()
    kept = Path(settings.VAR_DIR) / "fonts" / f"{Path(path).stem}-{source.st_size}-{source.st_mtime_ns}.ttf"
    if kept.is_file():
        return io.BytesIO(kept.read_bytes())
    from fontTools import subset
    from fontTools.ttLib import TTFont as FontFile

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # it logs each table it subsets at INFO
    font = FontFile(path)
    options = subset.Options(hinting=False, notdef_outline=True, name_IDs=["*"], layout_features=[])
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=font.getBestCmap())
    subsetter.subset(font)
    unhinted = io.BytesIO()
    font.save(unhinted)
    try:  # written aside and renamed: a process reading it never sees half a file
        kept.parent.mkdir(parents=True, exist_ok=True)
        partial = kept.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
        partial.write_bytes(unhinted.getvalue())
        partial.replace(kept)
    except OSError:
        logger.warning("could not keep the unhinted font in %s", kept.parent)
    unhinted.seek(0)
    return unhinted


def _fonts() -> frozenset[int] | None:
    """The code points the fonts can draw (None when the fonts are missing), registering them with ReportLab
    on the first call. One thread registers; the others wait for it instead of loading the fonts again."""
    with _registering:
        return _registered_fonts()


@cache
def _registered_fonts() -> frozenset[int] | None:
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = _font_file(f"{FONT_FAMILY}:style=Book"), _font_file(f"{FONT_FAMILY}:style=Bold")
    if regular is None or bold is None:
        logger.warning("%s not found by fontconfig: documents are laid out from HTML instead", FONT_FAMILY)
        return None
    rl_config.useA85 = 0  # the streams are compressed binary; ASCII85 on top only makes them bigger and slower
    faces = [TTFont(REGULAR, _unhinted(regular)), TTFont(BOLD, _unhinted(bold))]
    for face in faces:
        pdfmetrics.registerFont(face)
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
    regular_chars, bold_chars = (set(face.face.charToGlyph) for face in faces)
    return frozenset(regular_chars & bold_chars)


def warm_drawing_fonts() -> threading.Thread:
    """Loads the fonts in a background thread, at a web process's start, so that the first receipt a clerk
    prints does not wait for them (up to a second when the unhinted copies are not kept yet)."""
    thread = threading.Thread(target=_fonts, name="pdf-fonts", daemon=True)
    thread.start()
    return thread


def drawable(texts: Iterable[str]) -> bool:
    """Whether every text can be drawn: the fonts are there and have each character, and no character
    needs shaping or right-to-left layout."""
    chars = _fonts()
    if chars is None:
        return False
    for text in texts:
        if text.isascii() and text.replace("\n", " ").replace("\t", " ").isprintable():
            continue  # the font has every printable ASCII character
        for char in unicodedata.normalize("NFC", text):
            if char in "\n\t":
                continue
            if (
                ord(char) not in chars
                or unicodedata.bidirectional(char) in _NEEDS_LAYOUT
                or unicodedata.combining(char)
            ):
                return False
    return True


def markup(text: object) -> str:
    """A text as a paragraph's markup: escaped, in composed form, line breaks kept."""
    return escape(unicodedata.normalize("NFC", str(text))).replace("\n", "<br/>")


@cache
def styles() -> dict[str, Any]:
    """Paragraph styles matching ``core/pdf.css``."""
    from reportlab.lib.colors import HexColor
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    body = ParagraphStyle(
        "body",
        fontName=REGULAR,
        fontSize=FONT_SIZE,
        leading=FONT_SIZE * LINE_HEIGHT,
        textColor=HexColor(TEXT_COLOUR),
        spaceAfter=2 * MM,
    )
    return {
        "body": body,
        "bold": ParagraphStyle("bold", parent=body, fontName=BOLD),
        "cell": ParagraphStyle("cell", parent=body, spaceAfter=0),
        "cell-number": ParagraphStyle("cell-number", parent=body, spaceAfter=0, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", parent=body, fontName=BOLD, spaceAfter=0),
        "head-number": ParagraphStyle("head-number", parent=body, fontName=BOLD, spaceAfter=0, alignment=TA_RIGHT),
        "h1": ParagraphStyle("h1", parent=body, fontName=BOLD, fontSize=16, leading=16 * 1.25, spaceAfter=4 * MM),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName=BOLD, fontSize=12, leading=12 * 1.25, spaceBefore=7 * MM, spaceAfter=0
        ),
        "h2-first": ParagraphStyle(
            "h2-first", parent=body, fontName=BOLD, fontSize=12, leading=12 * 1.25, spaceBefore=0, spaceAfter=0
        ),
    }


def paragraph(text: object, style: str = "body", *, size: float | None = None) -> Any:
    """A paragraph in one of ``styles()``, at another font size if ``size`` is given."""
    from reportlab.platypus import Paragraph

    return Paragraph(markup(text), _sized(style, size) if size else styles()[style])


@cache
def _sized(style: str, size: float) -> Any:
    return styles()[style].clone(f"{style}-{size}", fontSize=size, leading=size * LINE_HEIGHT)


def heading(text: object, *, first: bool = False) -> list[Any]:
    """A second-level heading ruled below, kept with what follows it (``h2`` of the print stylesheet)."""
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import HRFlowable

    title = paragraph(text, "h2-first" if first else "h2")  # at the top of a column: no space above
    title.keepWithNext = True
    rule = HRFlowable(width="100%", thickness=0.5, color=HexColor(RULE_COLOUR), spaceBefore=1 * MM, spaceAfter=2 * MM)
    rule.keepWithNext = True
    return [title, rule]


def table(
    rows: list[list[Any]],
    widths: list[float],
    *,
    numeric: Iterable[int] = (),
    header_rows: int = 1,
    bold_rows: Iterable[int] = (),
    spans: Iterable[tuple[tuple[int, int], tuple[int, int]]] = (),
    size: float = FONT_SIZE,
    padding: float = 2 * MM,
) -> Any:
    """A table across the text width, ruled below every cell, its header repeated on each page.

    ``widths`` are shares of the text width (None for the rest, shared equally); ``numeric`` columns are
    right-aligned; a row index in ``bold_rows`` (negative counts from the end) is set in bold; ``spans`` are
    ReportLab's ``SPAN`` corners ((column, row), (column, row)); ``size`` is the font size of the whole table,
    header included, and ``padding`` a cell's space left and right."""
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Table, TableStyle

    numeric = frozenset(numeric)
    # Header cells wrap, as a header longer than its column does in HTML.
    rows = [
        [
            _header_cell(cell, right=index in numeric, size=size) if isinstance(cell, str) else cell
            for index, cell in enumerate(row)
        ]
        for row in rows[:header_rows]
    ] + rows[header_rows:]
    text_width = _text_width()
    fixed = sum(share for share in widths if share is not None)
    rest = [share for share in widths if share is None]
    column_widths = [(share if share is not None else (1 - fixed) / len(rest)) * text_width for share in widths]
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), REGULAR, size, size * LINE_HEIGHT),
        ("TEXTCOLOR", (0, 0), (-1, -1), HexColor(TEXT_COLOUR)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1 * MM),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1 * MM),
        ("LEFTPADDING", (0, 0), (-1, -1), padding),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, HexColor(RULE_COLOUR)),
    ]
    if header_rows:
        commands.append(("FONT", (0, 0), (-1, header_rows - 1), BOLD, size, size * LINE_HEIGHT))
    for row in bold_rows:
        commands.append(("FONT", (0, row), (-1, row), BOLD, size, size * LINE_HEIGHT))
    for column in numeric:
        commands.append(("ALIGN", (column, 0), (column, -1), "RIGHT"))
    for start, end in spans:
        commands.append(("SPAN", start, end))
    return Table(
        rows,
        colWidths=column_widths,
        repeatRows=header_rows,
        style=TableStyle(commands),
        hAlign="LEFT",
        spaceAfter=3 * MM,
    )


def _header_cell(text: str, *, right: bool, size: float) -> Any:
    """A header cell as a paragraph, so that a header longer than its column wraps, as it does in HTML."""
    return paragraph(text, "head-number" if right else "head", size=size)


def columns(left: list[Any], right: list[Any], *, share: float = 0.48, space: float = 0) -> Any:
    """Two columns side by side, each ``share`` of the text width (the parties of a sale document), with
    ``space`` points above and below."""
    from reportlab.platypus import Table, TableStyle

    text_width = _text_width()
    width = share * text_width
    style = TableStyle(
        [("VALIGN", (0, 0), (-1, -1), "TOP")]
        + [(name, (0, 0), (-1, -1), 0) for name in ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")]
    )
    return Table(
        [[left, right]],
        colWidths=[width, text_width - width],
        style=style,
        hAlign="LEFT",
        spaceBefore=space,
        spaceAfter=space,
    )


def _text_width() -> float:
    from reportlab.lib.pagesizes import A4

    return A4[0] - 2 * MARGIN_SIDE


def build(flowables: list[Any], *, title: str, language: str, created: datetime | None = None) -> bytes:
    """The flowables set on A4 pages with the print stylesheet's margins and footer (``title`` on the left,
    "page / pages" on the right), as PDF bytes.

    The same flowables give the same bytes: the file has no random id, and its creation date is ``created``
    (a document's issue time, say), 2000-01-01 when not given. A kept copy and one printed again match."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    if _fonts() is None:
        raise RuntimeError(f"{FONT_FAMILY} is not installed: check drawable() first")
    out = io.BytesIO()
    frame = Frame(
        MARGIN_SIDE,
        MARGIN_BOTTOM,
        _text_width(),
        A4[1] - MARGIN_TOP - MARGIN_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    document = BaseDocTemplate(
        out,
        pagesize=A4,
        pageTemplates=[PageTemplate(frames=[frame])],
        title=title,
        lang=language,
        author="Front Office",
        subject=title,
        creator="Front Office",
        pageCompression=1,
        invariant=True,  # no random id, and a fixed date (``created``): a document drawn twice is the same bytes
    )
    document.build(flowables, canvasmaker=_footed_canvas(title, created))
    return out.getvalue()


def _footed_canvas(title: str, created: datetime | None) -> type:
    """A canvas that holds its pages back until the last, so that each footer can name the page count."""
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    class FootedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []
            stamp = getattr(self._doc, "_timeStamp", None)  # ReportLab's fixed date in invariant mode
            if created is not None and stamp is not None:
                utc = created.astimezone(UTC)
                stamp.YMDhms = (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)
                stamp.dhh = stamp.dmm = 0

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                self.setFont(REGULAR, 8)
                self.setFillColor(HexColor(MUTED_COLOUR))
                baseline = MARGIN_BOTTOM / 2
                self.drawString(MARGIN_SIDE, baseline, title)
                self.drawRightString(A4[0] - MARGIN_SIDE, baseline, f"{number} / {total}")
                super().showPage()
            super().save()

    return FootedCanvas
