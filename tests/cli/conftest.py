"""A fresh home (its own SQLite file) for each CLI test, and a CliRunner."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog
from typer.testing import CliRunner

EXAMPLE_INTAKE: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[2] / "infoshare" / "examples" / "intake.json").read_text()
)


def _reset() -> None:
    from infoshare.database.session import reset_engine
    from infoshare.settings import get_settings

    get_settings.cache_clear()
    reset_engine()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """INFOSHARE_HOME points at an empty directory (the database is not migrated)."""
    path = tmp_path / "home"
    monkeypatch.setenv("INFOSHARE_HOME", str(path))
    monkeypatch.delenv("INFOSHARE_DATABASE_URL", raising=False)
    monkeypatch.delenv("INFOSHARE_LOG_FORMAT", raising=False)
    # Nothing listens on port 1: a command that needs Temporal fails fast.
    monkeypatch.setenv("INFOSHARE_TEMPORAL_ADDRESS", "127.0.0.1:1")
    _reset()
    yield path
    _reset()


@pytest.fixture
def migrated_home(home: Path) -> Path:
    from infoshare.database.migrate import upgrade

    upgrade()
    return home


@pytest.fixture
def runner() -> Iterator[CliRunner]:
    """A CliRunner; the logging set-up each command does is undone afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield CliRunner()
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()
