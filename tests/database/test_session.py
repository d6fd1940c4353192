"""Engines and sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from infoshare.database.models import ProposalRow
from infoshare.database.session import get_engine, make_engine, reset_engine, session_scope
from infoshare.settings import Settings


def test_sqlite_engine_creates_directory_and_sets_pragmas(tmp_path: Path) -> None:
    db = tmp_path / "a" / "b" / "infoshare.db"
    engine = make_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.parent.is_dir()
    finally:
        engine.dispose()


def test_get_engine_is_cached_until_reset(infoshare_env: Settings) -> None:
    engine = get_engine()
    assert get_engine() is engine
    assert get_engine(infoshare_env.resolved_database_url) is engine
    reset_engine()
    assert get_engine() is not engine


def proposal(**overrides: object) -> ProposalRow:
    fields: dict[str, object] = {
        "proposal_id": "isp-s1",
        "title": "t",
        "caseworker": "casey@phso.example",
        "parties": ["PHSO", "LGSCO"],
        "state": "active",
    }
    fields.update(overrides)
    return ProposalRow(**fields)


def test_session_scope_commits_or_rolls_back(infoshare_env: Settings) -> None:
    with pytest.raises(RuntimeError), session_scope() as session:
        session.add(proposal())
        session.flush()
        raise RuntimeError("boom")
    with session_scope() as session:
        assert session.get(ProposalRow, "isp-s1") is None
        session.add(proposal())
    with session_scope() as session:
        row = session.get(ProposalRow, "isp-s1")
        assert row is not None
        assert row.parties == ["PHSO", "LGSCO"]


def test_timestamps_are_utc_aware(infoshare_env: Settings) -> None:
    due = datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    with session_scope() as session:
        session.add(proposal(next_review_due=due))
    with session_scope() as session:
        row = session.get(ProposalRow, "isp-s1")
        assert row is not None
        assert row.next_review_due == due
        assert row.next_review_due is not None
        assert row.next_review_due.tzinfo == UTC
        assert row.updated_at.tzinfo == UTC
