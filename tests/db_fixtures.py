"""Database fixtures shared by tests/database and tests/activities.

Every test using them runs twice: on a fresh SQLite file, and on a freshly created
PostgreSQL database (127.0.0.1:5432, user postgres; override the server with
INFOSHARE_TEST_POSTGRES_URL). The PostgreSQL case is skipped when the server cannot be
reached, unless INFOSHARE_TEST_REQUIRE_POSTGRES=1.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from infoshare.database.migrate import upgrade
from infoshare.database.people import add_person
from infoshare.database.session import reset_engine, session_scope
from infoshare.settings import Settings, get_settings
from states.types import Person, StepRecord, TimelineEvent
from tests import required

__all__ = [
    "add_people",
    "database_url",
    "empty_database_url",
    "infoshare_env",
    "make_event",
    "make_step",
]

POSTGRES_ADMIN_URL = os.environ.get(
    "INFOSHARE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@cache
def _postgres_error() -> str | None:
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3, autocommit=True):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc}"


def _postgres_database() -> Iterator[str]:
    error = _postgres_error()
    if error:
        required.missing(error, required_by="INFOSHARE_TEST_REQUIRE_POSTGRES")
    name = f"infoshare_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+psycopg", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        reset_engine()
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database (not migrated)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db' / 'infoshare.db'}"
        reset_engine()
    else:
        yield from _postgres_database()


@pytest.fixture
def database_url(empty_database_url: str) -> str:
    """The URL of a new database migrated to the latest revision."""
    upgrade(empty_database_url)
    return empty_database_url


@pytest.fixture
def infoshare_env(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """Settings pointing at the migrated test database and a temporary home."""
    monkeypatch.setenv("INFOSHARE_DATABASE_URL", database_url)
    monkeypatch.setenv("INFOSHARE_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    reset_engine()
    yield get_settings()
    reset_engine()
    get_settings.cache_clear()


def add_people(*people: tuple[str, list[str]] | tuple[str, list[str], str]) -> list[Person]:
    """Add (email, roles[, organisation]) entries to the configured directory, committed."""
    added = []
    with session_scope() as session:
        for entry in people:
            email, roles, *rest = entry
            added.append(
                add_person(session, email, roles, organisation=rest[0] if rest else "PHSO")
            )
    return added


def make_event(seq: int, **overrides: object) -> TimelineEvent:
    fields: dict[str, object] = {
        "seq": seq,
        "at": datetime(2025, 1, 1, 12, 0, seq % 60, tzinfo=UTC),
        "actor": "casey@phso.example",
        "message": f"message_{seq}",
        "accepted": True,
        "detail": f"detail {seq}",
        "clauses": ["3.1"],
        "state": "screening",
    }
    fields.update(overrides)
    return TimelineEvent.model_validate(fields)


def make_step(events: list[TimelineEvent], **overrides: object) -> StepRecord:
    fields: dict[str, object] = {
        "proposal_id": "isp-test1",
        "title": "Joint investigation with LGSCO",
        "caseworker": "casey@phso.example",
        "parties": ["PHSO", "LGSCO"],
        "state": "screening",
        "events": events,
    }
    fields.update(overrides)
    return StepRecord.model_validate(fields)
