"""Configuration: bad INFOSHARE_* values stop every command with a message naming the
variable and the problem; the table of docs/operators/configuration.md lists exactly the
settings."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infoshare.cli.config import (
    CONFIGURATION_DOC,
    TABLE_END,
    TABLE_START,
    env_name,
    settings_table,
    show_value,
)
from infoshare.cli.main import app
from infoshare.settings import Settings
from tests.deploy.conftest import ROOT


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    from infoshare.settings import get_settings

    for name in list(os.environ):
        if name.startswith("INFOSHARE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("INFOSHARE_HOME", str(tmp_path))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("INFOSHARE_SMTP_PORT", "twenty-five", "valid integer"),
        ("INFOSHARE_WEB_PORT", "0", "greater than or equal to 1"),
        ("INFOSHARE_HEALTH_PORT", "-1", "greater than or equal to 0"),
        ("INFOSHARE_LOG_FORMAT", "xml", "should match pattern"),
        ("INFOSHARE_OTEL_ENABLED", "perhaps", "valid boolean"),
        ("INFOSHARE_REMIND_AFTER_DAYS", "0", "greater than 0"),
        ("INFOSHARE_TEMPORAL_ADDRESS", "temporal.internal", "must be host:port"),
        ("INFOSHARE_TEMPORAL_ADDRESS", "temporal:99999", "must be host:port"),
        ("INFOSHARE_DATABASE_URL", "localhost/infoshare", "is not a database URL"),
        ("INFOSHARE_DATABASE_URL", "mysql://u@h/db", "must be a PostgreSQL or SQLite URL"),
        ("INFOSHARE_MONITORING_HOST", "0.0.0.0 ; rm", "IP address or host name"),
    ],
)
def test_a_bad_value_names_the_variable_and_the_problem(
    clean_env: None,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    problem: str,
) -> None:
    monkeypatch.setenv(variable, value)
    result = CliRunner().invoke(app, ["people", "list"])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines == [lines[0], lines[1]]
    assert lines[0] == "error: invalid configuration:"
    assert lines[1].strip().startswith(f"{variable}: ")
    assert problem in lines[1]
    assert "Value error" not in lines[1]


def test_the_health_and_metrics_ports_must_differ(
    clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFOSHARE_HEALTH_PORT", "9100")
    monkeypatch.setenv("INFOSHARE_METRICS_PORT", "9100")
    result = CliRunner().invoke(app, ["config"])
    assert result.exit_code == 1
    assert "INFOSHARE_METRICS_PORT: must differ from INFOSHARE_HEALTH_PORT" in result.stderr


def test_config_shows_what_the_process_sees_with_secrets_hidden(
    clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFOSHARE_SMTP_PASSWORD", "hunter2")
    monkeypatch.setenv("INFOSHARE_DATABASE_URL", "postgresql+psycopg://app:s3cret@db:5432/isp")
    monkeypatch.setenv("INFOSHARE_METRICS_PORT", "9464")
    result = CliRunner().invoke(app, ["config"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "INFOSHARE_METRICS_PORT=9464" in lines
    assert "INFOSHARE_SMTP_PASSWORD=***" in lines
    assert "INFOSHARE_DATABASE_URL=postgresql+psycopg://app:***@db:5432/isp" in lines
    assert "hunter2" not in result.stdout and "s3cret" not in result.stdout
    assert len(lines) == len(Settings.model_fields)


# ----- the table in docs/operators/configuration.md ---------------------------------------


def docs_rows() -> dict[str, tuple[str, str]]:
    """variable -> (default cell, meaning) from the docs' generated table."""
    text = (ROOT / CONFIGURATION_DOC).read_text()
    start, end = text.index(TABLE_START), text.index(TABLE_END)
    rows = {}
    for line in text[start:end].splitlines():
        match = re.fullmatch(r"\| `(INFOSHARE_\w+)` \| (.+?) \| (.+) \|", line)
        if match:
            rows[match[1]] = (match[2], match[3])
    return rows


def test_the_docs_list_exactly_the_settings_with_their_defaults() -> None:
    rows = docs_rows()
    fields = Settings.model_fields
    assert set(rows) == {env_name(name) for name in fields}, (
        f"{CONFIGURATION_DOC}'s configuration table is out of date: "
        f"python -m infoshare.cli.config --update {CONFIGURATION_DOC}"
    )
    for name, info in fields.items():
        default = show_value(info.get_default(call_default_factory=True))
        assert rows[env_name(name)][0] == (f"`{default}`" if default else "empty"), name


def test_the_docs_table_is_the_generated_one() -> None:
    text = (ROOT / CONFIGURATION_DOC).read_text()
    section = text[text.index(TABLE_START) + len(TABLE_START) : text.index(TABLE_END)]
    assert section.strip() == settings_table(), (
        f"regenerate it: python -m infoshare.cli.config --update {CONFIGURATION_DOC}"
    )


def test_every_setting_is_described() -> None:
    undocumented = [name for name, info in Settings.model_fields.items() if not info.description]
    assert not undocumented, f"give these a docstring in infoshare/settings.py: {undocumented}"
