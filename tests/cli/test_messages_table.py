"""`infoshare messages --table`: the authorisation table, exactly as docs/approvers.md has it."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from infoshare.cli.main import app
from states.authorisation import markdown_table


def test_messages_table_prints_the_documented_table(runner: CliRunner, home: Path) -> None:
    result = runner.invoke(app, ["messages", "--table"])
    assert result.exit_code == 0, result.output
    assert result.stdout == markdown_table()
    approvers_doc = Path(__file__).resolve().parents[2] / "docs" / "approvers.md"
    assert result.stdout in approvers_doc.read_text()
    assert "| `advice`¹² | — | lawful_basis | lawful_basis | — |" in result.stdout
