"""HTML to PDF with the pure-Python fpdf2, deterministic: the same HTML gives the same bytes.

The PDF has a fixed creation date and no other timestamp, so a retried activity writes an
identical file. Text is set in DejaVu Sans (Debian's fonts-dejavu-core) when installed, so
any script the font covers prints as given; a character the font lacks (or, without
DejaVu, any character outside Latin-1) is printed as "?" rather than failing the draft.
A document in Latin letters is set in a small cut of the font (`activities.fonts`).
"""

from __future__ import annotations

import html
import unicodedata
from datetime import UTC, datetime

from fpdf import FPDF, FontFace
from fpdf.errors import FPDFException

from activities.fonts import FONT_FILES, coverage, font_for, unicode_font_dir

# Reproducible-build convention (as in zip files): a constant, obviously not a real date.
FIXED_CREATION_DATE = datetime(1980, 1, 1, tzinfo=UTC)
# Parsing a font is most of a draft's cost (and every added font is embedded): the
# agreement is set in regular and bold; the italic styles are added only for a document
# that turns out to need them.
PLAIN_STYLES = ("", "B")
UNICODE_FAMILY = "dejavu"
CORE_FAMILY = "helvetica"
REPLACEMENT = "?"
BULLET = "\u2022"

HEADINGS = {
    "h1": FontFace(size_pt=17, emphasis="BOLD", color=(20, 40, 90)),
    "h2": FontFace(size_pt=13, emphasis="BOLD", color=(20, 40, 90)),
    "h3": FontFace(size_pt=11, emphasis="BOLD", color=(20, 40, 90)),
}


class _Document(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.text_family = CORE_FAMILY

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(self.text_family, size=7)
        self.set_text_color(90, 90, 90)
        self.multi_cell(0, 3.5, f"{self.footer_text}\nPage {self.page_no()} of {{nb}}", align="C")


def _printable(text: str, supported: frozenset[int] | None) -> str:
    """`text` with every character the font cannot print replaced (`supported`: code points
    of a Unicode font; None: the Latin-1 core fonts)."""
    if supported is None:
        # Compatibility forms first (ligatures, full-width letters); then a letter outside
        # Latin-1 falls back to its base letter (č prints as c), else to "?".
        text = unicodedata.normalize("NFKC", text)
        out = []
        for ch in text:
            if ord(ch) < 256:
                out.append(ch)
                continue
            base = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(base or REPLACEMENT)
        return "".join(out)
    return "".join(ch if ch in "\n\t" or ord(ch) in supported else REPLACEMENT for ch in text)


def html_to_pdf(body_html: str, *, title: str, subject: str, footer: str) -> bytes:
    """Render an HTML fragment (the tags fpdf2's write_html knows) to PDF bytes."""
    try:
        return _html_to_pdf(body_html, title, subject, footer, PLAIN_STYLES)
    except FPDFException as err:
        if "Undefined font" not in str(err):
            raise
        return _html_to_pdf(body_html, title, subject, footer, tuple(FONT_FILES))


def _html_to_pdf(
    body_html: str, title: str, subject: str, footer: str, styles: tuple[str, ...]
) -> bytes:
    pdf = _Document(footer)
    supported: frozenset[int] | None = None
    folder = unicode_font_dir()
    if folder is not None:
        # Only what every style can print, so bold text never misses a glyph either.
        supported = frozenset.intersection(*(coverage(folder / FONT_FILES[s]) for s in styles))
    title, subject, footer, body_html = (
        _printable(text, supported) for text in (title, subject, footer, body_html)
    )
    if folder is not None:
        # Entities too: fpdf2 prints "&#8217;" as the character it names.
        used = {ord(ch) for ch in html.unescape(body_html + title + subject + footer)}
        for style in styles:
            font = font_for(folder / FONT_FILES[style], used | {ord(BULLET)})
            pdf.add_font(UNICODE_FAMILY, style, str(font))
        pdf.text_family = UNICODE_FAMILY
    pdf.set_title(title)
    pdf.set_subject(subject)
    pdf.set_author("PHSO")
    pdf.set_creator("infoshare")
    pdf.set_producer("infoshare (fpdf2)")
    pdf.set_creation_date(FIXED_CREATION_DATE)
    pdf.footer_text = footer
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font(pdf.text_family, size=10)
    pdf.write_html(
        body_html,
        font_family=pdf.text_family,
        tag_styles=dict(HEADINGS),
        ul_bullet_char=BULLET if supported is not None else "-",
        li_prefix_color=(20, 40, 90),
        table_line_separators=True,
    )
    return bytes(pdf.output())
