"""draft_agreement: the HTML and PDF documents, the register row; idempotent."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities import fonts
from activities import pdf as pdf_module
from activities.agreement import draft_agreement, render_agreement, render_agreement_pdf
from activities.files import path_of, sha256_of
from infoshare.database.models import AgreementRow
from infoshare.database.session import session_scope
from infoshare.settings import Settings
from states.types import AgreementRequest

REVIEWS = [
    "1 month: data received; secure; adequate, limited and relevant",
    "3 months: secure (suggest penetration testing); adequate, limited and relevant",
    "6 months: adequate, limited and relevant; expected benefits realised",
    "12 months and annually: all checks, and whether the ISA needs refreshing",
]


def agreement_request(**overrides: object) -> AgreementRequest:
    fields: dict[str, object] = {
        "proposal_id": "isp-a1",
        "version": 1,
        "title": "Joint investigation with LGSCO",
        "purpose": "Share complainant details for a joint health and social care investigation",
        "parties": ["PHSO", "LGSCO"],
        "special_categories": ["health"],
        "criminal_offence_data": False,
        "lawful_basis": "public_task",
        "lawful_basis_justification": "Section 33 of the Health Service Commissioners Act 1993",
        "special_category_condition": {
            "article9": "g",
            "schedule1": "paragraph 6, statutory and government purposes",
            "reason": "joint statutory investigation",
        },
        "dpia_required": True,
        "dpia_outcome": "approved",
        "security_method": "Egress encrypted email",
        "review_schedule": REVIEWS,
        "volume": 250,
        "frequency": "regular",
    }
    fields.update(overrides)
    return AgreementRequest.model_validate(fields)


HOSTILE_TITLE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'


def registered() -> list[tuple[str, int, str, str, str | None, str | None]]:
    with session_scope() as session:
        rows = session.scalars(
            select(AgreementRow).order_by(AgreementRow.proposal_id, AgreementRow.version)
        )
        return [(r.proposal_id, r.version, r.sha256, r.uri, r.pdf_uri, r.pdf_sha256) for r in rows]


class _Elements(HTMLParser):
    """The tags of an HTML document, and its text with tags removed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.headings: list[str] = []
        self._in_heading: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("h2", "h3"):
            self._in_heading = f"{tag}: "

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h2", "h3") and self._in_heading is not None:
            self.headings.append(self._in_heading)
            self._in_heading = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_heading is not None:
            self._in_heading += data


def parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return flat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_html_follows_the_ico_code() -> None:
    html = render_agreement(agreement_request())
    assert html.startswith("<!DOCTYPE html>")
    doc = parse(html)
    assert doc.headings == [
        "h2: 1. Purpose of the sharing",
        "h2: 2. Parties",
        "h2: 3. Data items to be shared",
        "h3: Special category and criminal offence data",
        "h2: 4. Lawful basis and conditions",
        "h2: 5. Data protection impact assessment",
        "h2: 6. Individuals' rights",
        "h2: 7. Security",
        "h2: 8. Retention and destruction",
        "h2: 9. Review schedule",
        "h2: 10. Termination",
        "h2: 11. Signatures",
    ]
    text = flat("".join(doc.text))
    assert "Information Sharing Agreement: Joint investigation with LGSCO" in text
    assert "Proposal: isp-a1 Version: 1" in text
    assert "<li>PHSO</li>\n<li>LGSCO</li>" in html
    assert "Lawful basis: UK GDPR Article 6(1)(e): public task" in text
    assert "Section 33 of the Health Service Commissioners Act 1993" in text
    assert "UK GDPR Article 9(2)(g): reasons of substantial public interest" in text
    assert "Schedule 1 condition: paragraph 6" in text
    assert "<li>health</li>" in html
    assert "Estimated volume: 250 records" in text
    assert "Frequency: shared regularly" in text
    assert "Transfer method: Egress encrypted email" in text
    assert "DPO outcome: approved" in text
    for review in REVIEWS:
        assert f"<li>{review}</li>" in html
    signatures = html.split("11. Signatures", 1)[1]
    assert re.findall(r"<tr><td>([^<]+)</td>", signatures) == ["PHSO", "LGSCO"]
    assert render_agreement(agreement_request()) == html  # deterministic


def test_html_without_special_category_data() -> None:
    text = flat(
        "".join(
            parse(
                render_agreement(
                    agreement_request(
                        special_categories=[],
                        special_category_condition=None,
                        criminal_offence_data=True,
                        dpia_required=False,
                        dpia_outcome=None,
                        lawful_basis="legal_obligation",
                        volume=None,
                        frequency=None,
                    )
                )
            ).text
        )
    )
    assert "No special category data is shared." in text
    assert "Criminal offence data (UK GDPR Article 10) is shared." in text
    assert "condition to be confirmed by Information Rights" in text
    assert "Article 6(1)(c): legal obligation" in text
    assert "no DPIA required" in text
    assert "Estimated volume" not in text


def test_html_escapes_hostile_input() -> None:
    html = render_agreement(
        agreement_request(
            title=HOSTILE_TITLE,
            purpose="First </p><script>evil()</script>\n\nSecond \x00\x1b[31m paragraph",
            parties=["PHSO", "<b>LGSCO</b>"],
            security_method='SFTP" onmouseover="x',
        )
    )
    doc = parse(html)
    assert "script" not in doc.tags and "img" not in doc.tags
    assert set(doc.tags) <= {
        "html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "h3", "p",
        "br", "b", "ul", "li", "table", "thead", "tbody", "tr", "th", "td",
    }  # fmt: skip
    assert doc.tags.count("b") == html.count("<b>")  # the party's <b> is text, not a tag
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;b&gt;LGSCO&lt;/b&gt;" in html
    assert "<p>First &lt;/p&gt;&lt;script&gt;evil()&lt;/script&gt;</p>" in html
    assert "<p>Second [31m paragraph</p>" in html  # control characters dropped
    assert "SFTP&#34; onmouseover=&#34;x" in html


def test_pdf_text_has_the_parties_lawful_basis_and_review_schedule() -> None:
    req = agreement_request()
    html_sha = sha256_of(render_agreement(req).encode())
    data = render_agreement_pdf(req, html_sha)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "Information Sharing Agreement: Joint investigation with LGSCO" in text
    parties = text.split("2. Parties", 1)[1].split("3. Data items", 1)[0]
    assert "PHSO" in parties and "LGSCO" in parties
    assert "Lawful basis: UK GDPR Article 6(1)(e): public task" in text
    assert "UK GDPR Article 9(2)(g): reasons of substantial public interest" in text
    schedule = text.split("9. Review schedule", 1)[1].split("10. Termination", 1)[0]
    for review in REVIEWS:
        assert review in schedule
    assert "Party Name Job title Date PHSO LGSCO" in text
    # the footer names the HTML version that is signed
    assert html_sha in text.replace(" ", "")
    meta = PdfReader(io.BytesIO(data)).metadata
    assert meta is not None
    assert meta.title == "Information Sharing Agreement: Joint investigation with LGSCO"
    assert meta.get("/CreationDate") == "D:19800101000000Z"


@pytest.mark.usefixtures("dejavu")
def test_pdf_prints_unicode_and_replaces_what_the_font_lacks() -> None:
    data = render_agreement_pdf(
        agreement_request(title="Zoë Łukasz Ελλάδα Россия 東京", parties=["PHSO", "Ærø Kommune"]),
        "0" * 64,
    )
    text = pdf_text(data)
    assert "Zoë Łukasz Ελλάδα Россия ??" in text  # DejaVu has no CJK glyphs
    assert "Ærø Kommune" in text


@pytest.mark.usefixtures("dejavu")
def test_pdf_embeds_only_the_styles_it_sets() -> None:
    """The agreement is set in regular and bold: the italic fonts are neither parsed nor
    embedded (they were most of a draft's cost). A document with italics still gets them."""

    def fonts(data: bytes) -> set[str]:
        reader = PdfReader(io.BytesIO(data))
        resources: list[Any] = [page["/Resources"] for page in reader.pages]
        return {
            str(font["/BaseFont"]).split("+")[-1]
            for resource in resources
            for font in resource["/Font"].values()
        }

    agreement = render_agreement_pdf(agreement_request(), "0" * 64)
    assert fonts(agreement) == {"DejaVuSansBook", "DejaVuSansBold"}
    italic = pdf_module.html_to_pdf(
        "<p><i>in italics</i> and <b><i>both</i></b></p>", title="t", subject="s", footer="f"
    )
    assert fonts(italic) >= {"DejaVuSansOblique", "DejaVuSansBoldOblique"}
    assert "in italics and both" in pdf_text(italic)


@pytest.mark.usefixtures("dejavu")
def test_a_latin_document_is_set_in_the_common_cut_and_prints_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    req = agreement_request(title="Zoë Ŵales “quoted” \u2013 £5 € → ẁ", parties=["PHSO", "Ærø"])
    cut = render_agreement_pdf(req, "0" * 64)
    monkeypatch.setattr(fonts, "COMMON_TEXT", frozenset())  # every document: the full font
    full = render_agreement_pdf(req, "0" * 64)
    assert pdf_text(cut) == pdf_text(full)
    assert "Zoë Ŵales “quoted” \u2013 £5 € → ẁ" in pdf_text(cut)
    # The cut is what makes the difference: far fewer glyphs to parse and embed.
    assert len(cut) < len(full)


@pytest.mark.usefixtures("dejavu")
def test_the_common_cut_has_every_common_glyph_and_is_reproducible(tmp_path: Path) -> None:
    folder = fonts.unicode_font_dir()
    assert folder is not None
    for name in fonts.FONT_FILES.values():
        full = folder / name
        first, second = tmp_path / f"1-{name}", tmp_path / f"2-{name}"
        fonts.write_common_cut(full, first)
        fonts.write_common_cut(full, second)
        assert first.read_bytes() == second.read_bytes()
        assert fonts.coverage(first) == fonts.COMMON_TEXT & fonts.coverage(full)
        assert first.stat().st_size < full.stat().st_size / 5
    common = {ord(ch) for ch in "Plain Latin, “quotes” \u2013 and £"}
    assert fonts.font_for(folder / "DejaVuSans.ttf", common) == fonts.common_cut(
        folder / "DejaVuSans.ttf"
    )
    greek = common | {ord("λ")}
    assert fonts.font_for(folder / "DejaVuSans.ttf", greek) == folder / "DejaVuSans.ttf"


@pytest.mark.usefixtures("dejavu")
def test_without_a_writable_temporary_folder_the_whole_font_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def read_only(font_file: Path, path: Path) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    req = agreement_request()
    expected = pdf_text(render_agreement_pdf(req, "0" * 64))
    fonts._common_cut.cache_clear()
    monkeypatch.setattr(fonts, "write_common_cut", read_only)
    try:
        data = render_agreement_pdf(req, "0" * 64)
    finally:
        fonts._common_cut.cache_clear()
    assert pdf_text(data) == expected


def test_pdf_without_a_unicode_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "FONT_DIRS", ())
    data = render_agreement_pdf(
        agreement_request(title="Zoë Čapek ﬁnance “quoted” 東京", purpose="Ελλάδα"), "0" * 64
    )
    text = pdf_text(data)
    assert "Zoë Capek finance ?quoted? ??" in text
    assert "Lawful basis: UK GDPR Article 6(1)(e): public task" in text


def test_documents_are_the_same_bytes_in_another_process() -> None:
    """No timestamp or random id in either document: a retry on another worker writes the
    same files."""
    req = agreement_request()
    html = render_agreement(req).encode()
    pdf = render_agreement_pdf(req, sha256_of(html))
    script = (
        "import sys, hashlib\n"
        "from tests.activities.test_agreement import agreement_request\n"
        "from activities.agreement import render_agreement, render_agreement_pdf\n"
        "req = agreement_request()\n"
        "html = render_agreement(req).encode()\n"
        "pdf = render_agreement_pdf(req, hashlib.sha256(html).hexdigest())\n"
        "print(hashlib.sha256(html).hexdigest(), hashlib.sha256(pdf).hexdigest())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [sha256_of(html), sha256_of(pdf)]


def test_draft_twice_gives_the_same_files_and_one_row(infoshare_env: Settings) -> None:
    req = agreement_request()
    env = ActivityEnvironment()
    first = env.run(draft_agreement, req)
    second = env.run(draft_agreement, req)
    assert first == second
    html_path, pdf_path = path_of(first.uri), path_of(first.pdf_uri or "")
    folder = (infoshare_env.documents_dir / "isp-a1").resolve()
    assert (html_path, pdf_path) == (folder / "agreement-v1.html", folder / "agreement-v1.pdf")
    html, pdf = html_path.read_bytes(), pdf_path.read_bytes()
    assert hashlib.sha256(html).hexdigest() == first.sha256
    assert hashlib.sha256(pdf).hexdigest() == first.pdf_sha256
    assert html.decode() == render_agreement(req)
    assert registered() == [("isp-a1", 1, first.sha256, first.uri, first.pdf_uri, first.pdf_sha256)]
    assert sorted(p.name for p in folder.iterdir()) == ["agreement-v1.html", "agreement-v1.pdf"]

    # Files lost (or the PDF damaged) but the row kept: a retry writes the same bytes again.
    html_path.unlink()
    pdf_path.write_bytes(b"damaged")
    assert draft_agreement(req) == first
    assert (html_path.read_bytes(), pdf_path.read_bytes()) == (html, pdf)
    assert len(registered()) == 1


def test_a_row_without_pdf_gets_one(infoshare_env: Settings) -> None:
    """A version registered before PDFs existed gets its PDF on a retry."""
    draft = draft_agreement(agreement_request())
    with session_scope() as session:
        row = session.get(AgreementRow, ("isp-a1", 1))
        assert row is not None
        row.pdf_uri = row.pdf_sha256 = None
    assert draft_agreement(agreement_request()) == draft
    assert registered()[0][4:] == (draft.pdf_uri, draft.pdf_sha256)


def test_new_version(infoshare_env: Settings) -> None:
    v1 = draft_agreement(agreement_request())
    v2 = draft_agreement(agreement_request(version=2, security_method="SFTP"))
    assert v1.sha256 != v2.sha256 and v1.pdf_sha256 != v2.pdf_sha256
    assert path_of(v2.uri).name == "agreement-v2.html"
    assert path_of(v2.pdf_uri or "").name == "agreement-v2.pdf"
    assert [(r[1], r[2]) for r in registered()] == [(1, v1.sha256), (2, v2.sha256)]


def test_changed_content_for_a_registered_version_is_refused(infoshare_env: Settings) -> None:
    v1 = draft_agreement(agreement_request())
    before = path_of(v1.uri).read_bytes(), path_of(v1.pdf_uri or "").read_bytes()
    with pytest.raises(ApplicationError) as excinfo:
        draft_agreement(agreement_request(purpose="Something else"))
    assert excinfo.value.non_retryable
    assert excinfo.value.type == "AgreementVersionConflict"
    assert (path_of(v1.uri).read_bytes(), path_of(v1.pdf_uri or "").read_bytes()) == before
    assert [r[2] for r in registered()] == [v1.sha256]


@pytest.mark.parametrize("proposal_id", ["../escape", "a/b", "", ".hidden"])
def test_unsafe_proposal_id_is_refused(infoshare_env: Settings, proposal_id: str) -> None:
    with pytest.raises(ApplicationError) as excinfo:
        draft_agreement(agreement_request(proposal_id=proposal_id))
    assert excinfo.value.non_retryable
    assert registered() == []
