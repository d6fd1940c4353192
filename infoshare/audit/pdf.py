"""The trail as a PDF (fpdf2, pure Python): landscape A4, the sections as tables."""

from __future__ import annotations

import unicodedata

from fpdf import FPDF
from fpdf.fonts import FontFace

from activities.fonts import FONT_FILES, unicode_font_dir
from infoshare.audit.model import Trail
from infoshare.audit.sections import sections, summary

# dashes, curly quotes, arrow, ellipsis
_REPLACEMENTS = {
    "\u2014": "-",
    "\u2013": "-",
    "\u2019": "'",
    "\u2018": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2192": "->",
    "\u2026": "...",
}


def _latin1(text: str) -> str:
    """`text` in Latin-1: as written where it can be, else without accents, else `?`."""
    for wide, narrow in _REPLACEMENTS.items():
        text = text.replace(wide, narrow)
    out = []
    for char in unicodedata.normalize("NFC", text):
        if ord(char) < 256:
            out.append(char)
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        out.append(base if base and all(ord(c) < 256 for c in base) else "?")
    return "".join(out)


class _TrailPDF(FPDF):
    def __init__(self, workflow_id: str) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.workflow_id = workflow_id
        # A Unicode font where the system has one, so names in any script print as
        # written; else the PDF core font, which covers Latin-1 only (other characters
        # are transliterated).
        folder = unicode_font_dir()
        self.unicode = folder is not None
        if folder is not None:
            for style in ("", "B"):
                self.add_font("trail", style, str(folder / FONT_FILES[style]))
        self.family = "trail" if self.unicode else "helvetica"
        self.set_auto_page_break(auto=True, margin=12)
        self.set_title(f"Decision trail of {workflow_id}")
        self.set_creator("infoshare audit")

    def text_of(self, text: str) -> str:
        return text if self.unicode else _latin1(text)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(self.family, size=7)
        self.cell(
            0, 5, self.text_of(f"{self.workflow_id} - page {self.page_no()}/{{nb}}"), align="R"
        )


def to_pdf(trail: Trail) -> bytes:
    pdf = _TrailPDF(trail.workflow_id)
    pdf.add_page()
    t = pdf.text_of
    pdf.set_font(pdf.family, style="B", size=14)
    pdf.cell(0, 8, t(f"Decision trail of {trail.workflow_id}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.family, size=9)
    for key, value in summary(trail):
        pdf.set_font(pdf.family, style="B", size=9)
        pdf.cell(28, 5, t(key))
        pdf.set_font(pdf.family, size=9)
        pdf.multi_cell(0, 5, t(value), new_x="LMARGIN", new_y="NEXT")
    for section in sections(trail):
        pdf.ln(3)
        pdf.set_font(pdf.family, style="B", size=11)
        pdf.cell(0, 7, t(f"{section.title} ({len(section.rows)})"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(pdf.family, size=7)
        if not section.rows:
            pdf.multi_cell(0, 5, t(section.empty), new_x="LMARGIN", new_y="NEXT")
            continue
        fixed = sum(section.widths)
        widths = [*section.widths, max(40, 277 - fixed)][: len(section.columns)]
        with pdf.table(
            col_widths=widths,
            text_align="LEFT",
            line_height=3.6,
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        ) as table:
            table.row([t(c) for c in section.columns])
            for row in section.rows:
                table.row([t(c) for c in row])
    return bytes(pdf.output())
