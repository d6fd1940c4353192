"""The recorded corpus (every folder under tests/histories/), and the CLI run in a thread
(the commands start their own event loop)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHistory
from typer.testing import CliRunner, Result

from infoshare.audit.history import group_runs, load_file
from infoshare.cli.main import app
from tests.cli.conftest import runner  # noqa: F401  (the fixture)

HISTORIES = Path(__file__).resolve().parents[1] / "histories"
# Every release's folder: v1, and each one recorded after it.
CORPUS_FOLDERS = sorted(p for p in HISTORIES.iterdir() if p.is_dir() and any(p.glob("*.json")))
CORPUS_FILES = sorted(f for folder in CORPUS_FOLDERS for f in folder.glob("*.json"))


def corpus_file(name: str, folder: str = "v1") -> Path:
    return HISTORIES / folder / f"{name}.json"


def corpus_runs(scenario: str, folder: str = "v1") -> list[WorkflowHistory]:
    """The runs of one recorded scenario, first to last."""
    paths = sorted((HISTORIES / folder).glob(f"{scenario}-run*.json"))
    (runs,) = group_runs(load_file(p) for p in paths)
    return runs


def history_json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def invoke(cli: CliRunner, *args: str) -> Result:
    result = cli.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception,
        result.output,
    )
    assert "Traceback" not in result.output
    return result


async def ainvoke(cli: CliRunner, *args: str) -> Result:
    """`invoke` from async tests: the command runs its own event loop, in a thread."""
    return await asyncio.to_thread(invoke, cli, *args)


@pytest.fixture
def no_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """A home without a database: the trail says it did not compare one."""
    from infoshare.settings import get_settings

    monkeypatch.setenv("INFOSHARE_HOME", str(tmp_path / "empty-home"))
    monkeypatch.delenv("INFOSHARE_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
