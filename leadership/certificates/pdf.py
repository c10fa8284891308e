"""The certificate as a PDF (fpdf2): A4 landscape, GOV.UK-like typography.

Text is real, selectable text in a bundled DejaVu Sans subset (covers Welsh
letters such as ŵ and ŷ); the QR code is drawn as vector squares (segno's
matrix), so it prints crisply at any size. Every label goes through
Flask-Babel's gettext in the certificate's language: "en", "cy" or
"bilingual" (Welsh above English, as Welsh Language Standards expect).

Rendering is pure (``render_pdf(CertificatePrint) -> bytes``); ``cached_pdf``
keeps recent results in a small in-process LRU keyed by everything printed.
"""
from __future__ import annotations

import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import segno
from babel.dates import format_date
from flask_babel import force_locale, gettext
from fpdf import FPDF

FONT_DIR = Path(__file__).parent / "fonts"
FONT = "DejaVuSans"
BLACK = (11, 12, 12)  # GOV.UK text colour
GREY = (80, 90, 95)  # GOV.UK secondary text
BLUE = (29, 112, 184)  # GOV.UK brand blue
RED = (202, 53, 0)  # GOV.UK error red
LANGUAGES = ("en", "cy", "bilingual")


@dataclass(frozen=True)
class CertificatePrint:
    """Everything printed on one certificate (and so the cache key)."""

    code: str  # display form, e.g. K7QM2-XR9TB-4HWNP
    holder_name: str
    council_name: str
    course_title: str
    wording: str  # e.g. "has completed the Leadership Essentials course in ..."
    issued_at: datetime
    expires_at: datetime | None
    course_edition: str
    content_version: str
    verify_url: str
    status: str = "valid"  # valid | expired | revoked | withdrawn
    language: str = "en"
    course_title_cy: str | None = None
    wording_cy: str | None = None
    course_fingerprint: str = ""  # of the module versions studied; "" when not recorded


@lru_cache(maxsize=1)
def _font_chars() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    chars: set[int] = set()
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        with TTFont(FONT_DIR / name, lazy=True) as font:
            cmap = set(font.getBestCmap())
        chars = cmap if not chars else chars & cmap
    return frozenset(chars)


def printable(text: str) -> str:
    """Keep characters the font has; fold the rest to a base letter, or '?'.

    Names are printed as registered; only scripts outside the bundled subset
    (e.g. Greek, Cyrillic, CJK) are folded — a documented gap.
    """
    chars = _font_chars()
    if all(ord(c) in chars for c in text):
        return text
    out = []
    for c in text:
        if ord(c) in chars:
            out.append(c)
            continue
        base = "".join(ch for ch in unicodedata.normalize("NFKD", c) if ord(ch) in chars and ch.isprintable()
                       and not unicodedata.combining(ch))
        out.append(base or "?")
    return "".join(out)


class _Labels:
    """gettext in one or both languages."""

    def __init__(self, language: str):
        self.language = language

    def one(self, lang: str, message: str, **kw) -> str:
        with force_locale(lang):
            return gettext(message, **kw)

    def __call__(self, message: str, **kw) -> str:
        if self.language == "bilingual":
            cy, en = self.one("cy", message, **kw), self.one("en", message, **kw)
            return en if cy == en else f"{cy} / {en}"
        return self.one(self.language, message, **kw)

    def date(self, when: datetime) -> str:
        if self.language == "bilingual":
            cy, en = format_date(when, "d MMMM y", locale="cy"), format_date(when, "d MMMM y", locale="en_GB")
            return en if cy == en else f"{cy} / {en}"
        return format_date(when, "d MMMM y", locale="cy" if self.language == "cy" else "en_GB")


def _qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """Draw the QR code as filled rectangles (one per horizontal run of dark modules)."""
    qr = segno.make(url, error="m")
    matrix = [list(row) for row in qr.matrix]
    n = len(matrix)
    module = size / n
    pdf.set_fill_color(*BLACK)
    for r, row in enumerate(matrix):
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                pdf.rect(x + start * module, y + r * module, (c - start) * module, module, style="F")
            else:
                c += 1


def _centred(pdf: FPDF, text: str, size: float, *, bold: bool = False, colour=BLACK, gap: float = 2) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.set_text_color(*colour)
    pdf.multi_cell(0, size * 0.45, printable(text), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(gap)


def render_pdf(data: CertificatePrint) -> bytes:
    if data.language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}")
    t = _Labels(data.language)
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(22, 0, 22)
    pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    title = t("Certificate of completion")
    pdf.set_title(printable(f"{title}: {data.course_title} – {data.holder_name}"))
    pdf.set_author("Leadership Essentials")
    pdf.set_creator("Leadership Essentials")
    pdf.set_subject(printable(t("Certificate %(code)s. Check it at %(url)s", code=data.code, url=data.verify_url)))
    pdf.set_keywords(printable(f"certificate {data.code} {data.course_title}"))
    pdf.set_lang({"en": "en-GB", "cy": "cy", "bilingual": "cy"}[data.language])
    pdf.set_creation_date(data.issued_at)
    pdf.add_page()
    width, height = pdf.w, pdf.h

    # Header: black band with the service name, blue rule beneath (as GOV.UK's header).
    pdf.set_fill_color(*BLACK)
    pdf.rect(0, 0, width, 16, style="F")
    pdf.set_fill_color(*BLUE)
    pdf.rect(0, 16, width, 2, style="F")
    pdf.set_xy(22, 4)
    pdf.set_font(FONT, "B", 14)
    pdf.set_text_color(255, 255, 255)
    pdf.cell(0, 8, "Leadership Essentials")

    pdf.set_y(30)
    _centred(pdf, title, 18, colour=GREY, gap=6)
    _centred(pdf, t("This is to certify that"), 13, colour=GREY, gap=3)
    _centred(pdf, data.holder_name, 32, bold=True, gap=2)
    if data.council_name:
        _centred(pdf, data.council_name, 15, colour=GREY, gap=5)
    wording = data.wording.strip() or t("has completed the course")
    if data.language == "bilingual" and data.wording_cy and data.wording_cy != wording:
        wording = f"{data.wording_cy.strip()}\n{wording}"
    _centred(pdf, wording, 14, gap=4)
    course_title = data.course_title
    if data.language == "bilingual" and data.course_title_cy and data.course_title_cy != course_title:
        course_title = f"{data.course_title_cy} / {course_title}"
    _centred(pdf, course_title, 22, bold=True, gap=4)

    if data.status in ("revoked", "withdrawn"):
        message = (t("This certificate has been revoked.") if data.status == "revoked"
                   else t("This certificate has been withdrawn."))
        _centred(pdf, message, 16, bold=True, colour=RED, gap=2)

    # Footer: details on the left, QR code on the right, over a thin rule.
    qr_size = 38
    top = height - 22 - qr_size
    pdf.set_draw_color(177, 180, 182)
    pdf.set_line_width(0.3)
    pdf.line(22, top - 5, width - 22, top - 5)
    lines = [(t("Completed"), t.date(data.issued_at))]
    if data.expires_at is not None:
        lines.append((t("Current until"), t.date(data.expires_at)))
    if data.course_edition:
        lines.append((t("Edition"), data.course_edition))
    if data.course_fingerprint:
        lines.append((t("Course fingerprint"), data.course_fingerprint))
    else:
        lines.append((t("Content version"), t("%(version)s (module versions not recorded)",
                                              version=data.content_version)))
    lines.append((t("Certificate code"), data.code))
    lines.append((t("Check this certificate at"), data.verify_url))
    y = top
    label_width = 62 if data.language == "bilingual" else 48
    for label, value in lines:
        pdf.set_xy(22, y)
        pdf.set_font(FONT, "", 10)
        pdf.set_text_color(*GREY)
        pdf.cell(label_width, 6, printable(label))
        pdf.set_font(FONT, "B", 11)
        pdf.set_text_color(*BLACK)
        pdf.cell(width - 22 - qr_size - 30 - label_width, 6, printable(value))
        y += 7.5
    qr_x = width - 22 - qr_size
    _qr(pdf, data.verify_url, qr_x, top, qr_size)
    pdf.set_xy(qr_x - 10, top + qr_size + 1)
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*GREY)
    pdf.cell(qr_size + 20, 4, printable(t("Scan to check this certificate")), align="C")
    return bytes(pdf.output())


class PdfCache:
    """A small thread-safe LRU of rendered PDFs, keyed by the full ``CertificatePrint``."""

    def __init__(self, size: int = 256):
        self.size = size
        self._items: OrderedDict[CertificatePrint, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, data: CertificatePrint) -> bytes:
        with self._lock:
            found = self._items.get(data)
            if found is not None:
                self._items.move_to_end(data)
                return found
        rendered = render_pdf(data)
        with self._lock:
            self._items[data] = rendered
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return rendered

    def invalidate(self, code: str) -> None:
        with self._lock:
            for key in [k for k in self._items if k.code == code]:
                del self._items[key]

    def __len__(self) -> int:
        return len(self._items)
