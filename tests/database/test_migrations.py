"""Alembic migrations: up to head and back to base, matching the models, from anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from infoshare.database.migrate import current_revision, downgrade, head_revision, upgrade
from infoshare.database.models import Base
from infoshare.database.session import make_engine, reset_engine
from infoshare.settings import get_settings

TABLES = {
    "people",
    "person_roles",
    "proposals",
    "decisions",
    "notifications",
    "agreements",
    "register",
    "local_records",
}


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_to_head_and_down_to_base(empty_database_url: str) -> None:
    assert current_revision(empty_database_url) is None
    upgrade(empty_database_url)
    assert current_revision(empty_database_url) == head_revision() == "0002"
    assert table_names(empty_database_url) >= TABLES

    upgrade(empty_database_url)  # already at head: nothing to do
    assert current_revision(empty_database_url) == "0002"

    downgrade(empty_database_url, "base")
    assert current_revision(empty_database_url) is None
    assert not (TABLES & table_names(empty_database_url))

    upgrade(empty_database_url)  # and up again
    assert table_names(empty_database_url) >= TABLES


def test_migrations_match_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_upgrade_uses_settings_from_any_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "nested" / "home"
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("INFOSHARE_DATABASE_URL", raising=False)
    monkeypatch.setenv("INFOSHARE_HOME", str(home))
    get_settings.cache_clear()
    try:
        upgrade()
        assert (home / "infoshare.db").is_file()
        assert current_revision() == head_revision()
    finally:
        reset_engine()
        get_settings.cache_clear()


def test_alembic_command_line(tmp_path: Path) -> None:
    ini = Path(__file__).resolve().parents[2] / "infoshare" / "database" / "alembic.ini"
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "INFOSHARE_DATABASE_URL": url}
    for args in (["upgrade", "head"], ["downgrade", "base"], ["upgrade", "head"]):
        subprocess.run(
            [sys.executable, "-m", "alembic", "-c", str(ini), *args],
            cwd=tmp_path,
            env=env,
            check=True,
            capture_output=True,
        )
    assert current_revision(url) == head_revision()
    assert table_names(url) >= TABLES
