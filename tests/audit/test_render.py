"""The trail in each format carries the same facts; HTML is escaped; the PDF reads back."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from infoshare.audit.model import Trail
from infoshare.audit.render import render, to_html, to_text
from infoshare.audit.replay import file_data_converter
from infoshare.audit.trail import build_trail
from tests import people
from tests.audit.conftest import corpus_file, corpus_runs, invoke


@pytest.fixture
async def trail() -> Trail:
    return await build_trail(corpus_runs("remediation-and-refresh"), file_data_converter())


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_text_has_every_section(trail: Trail) -> None:
    text = to_text(trail)
    for heading in (
        "Findings (0)",
        "Runs (continue-as-new) (4)",
        f"Timeline: every decision, as the workflow recorded it ({len(trail.decisions)})",
        f"Messages received: sender, time, outcome ({len(trail.messages)})",
        "Agreement versions drafted (2)",
        "Signatures (4)",
        "Reviews (4)",
    ):
        assert heading in text
    signed = [line.split() for line in text.splitlines() if "Signatory of PHSO" in line]
    assert [(words[2], words[7], words[8]) for words in signed] == [
        ("PHSO", people.SIGNATORY_PHSO, "1"),
        ("PHSO", people.SIGNATORY_PHSO, "2"),
    ]


def test_the_json_is_the_whole_trail(trail: Trail) -> None:
    again = Trail.model_validate_json(render(trail, "json"))
    assert again == trail


def test_html_escapes_what_people_wrote(trail: Trail) -> None:
    hostile = trail.model_copy(update={"title": "<script>alert(1)</script> & co"})
    page = to_html(hostile)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert page.count("<table>") == 7  # every section but the empty findings


def test_the_pdf_reads_back(trail: Trail) -> None:
    named = trail.model_copy(
        update={"title": "Partage avec l\u2019Ombudsman \u2014 Zo\u00eb \u0141ukasz"}
    )
    text = pdf_text(render(named, "pdf"))
    assert f"Decision trail of {trail.workflow_id}" in text
    assert "Zo" in text and "Ombudsman" in text
    for signature in trail.signatures:
        assert signature.actor in text
    assert trail.agreements[1].sha256[:16] in text.replace("\n", "")
    assert "failed_and_needs_refresh" in text


@pytest.mark.parametrize("fmt", ["text", "json", "html", "pdf"])
def test_every_format_through_the_cli(
    runner: CliRunner, tmp_path: Path, no_database: None, fmt: str
) -> None:
    out = tmp_path / f"trail.{fmt}"
    result = invoke(
        runner,
        "audit",
        "trail",
        "--file",
        str(corpus_file("rejected-at-dpia-run1")),
        "--format",
        fmt,
        "--output",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    data = out.read_bytes()
    text = {
        "text": lambda: data.decode(),
        "json": lambda: json.dumps(json.loads(data)),
        "html": lambda: data.decode(),
        "pdf": lambda: pdf_text(data),
    }[fmt]()
    assert "rejected" in text and people.DPO in text


def test_an_unknown_format_is_a_usage_error(runner: CliRunner) -> None:
    result = invoke(runner, "audit", "trail", "isp-x", "--format", "docx")
    assert result.exit_code == 2
    assert "--format must be one of text, json, html, pdf" in result.stderr


def test_without_a_unicode_font_the_pdf_transliterates(
    trail: Trail, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("activities.fonts.FONT_DIRS", ())
    named = trail.model_copy(update={"title": "Zo\u00eb \u2014 \u0141ukasz \u2192 LGSCO"})
    text = pdf_text(render(named, "pdf"))
    assert "Zo\u00eb - ?ukasz -> LGSCO" in text
