"""record_step: the proposal row and the decision log, idempotent and atomic."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from temporalio.testing import ActivityEnvironment

import activities.records
from activities.records import record_step
from infoshare.database.models import DecisionRow, ProposalRow
from infoshare.database.session import session_scope
from infoshare.settings import Settings
from tests.db_fixtures import make_event, make_step


def decisions(proposal_id: str = "isp-test1") -> list[DecisionRow]:
    with session_scope() as session:
        return list(
            session.scalars(
                select(DecisionRow)
                .where(DecisionRow.proposal_id == proposal_id)
                .order_by(DecisionRow.seq)
            )
        )


def proposal(proposal_id: str = "isp-test1") -> ProposalRow | None:
    with session_scope() as session:
        return session.get(ProposalRow, proposal_id)


def test_record_step_twice_writes_each_event_once(infoshare_env: Settings) -> None:
    step = make_step([make_event(1), make_event(2, accepted=False, clauses=["6.2", "6.3"])])
    env = ActivityEnvironment()
    env.run(record_step, step)
    env.run(record_step, step)
    rows = decisions()
    assert [r.seq for r in rows] == [1, 2]
    assert rows[1].accepted is False
    assert rows[1].clauses == ["6.2", "6.3"]
    assert rows[0].at == datetime(2025, 1, 1, 12, 0, 1, tzinfo=UTC)
    assert rows[0].at.tzinfo == UTC
    row = proposal()
    assert row is not None
    assert (row.state, row.parties, row.outcome) == ("screening", ["PHSO", "LGSCO"], None)


def test_overlapping_steps(infoshare_env: Settings) -> None:
    record_step(make_step([make_event(1), make_event(2), make_event(3)]))
    due = datetime(2026, 2, 1, tzinfo=UTC)
    later = make_step(
        [make_event(2, detail="changed"), make_event(3), make_event(4), make_event(5)],
        state="active",
        next_review_due=due,
    )
    record_step(later)
    rows = decisions()
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[1].detail == "detail 2"  # an event already recorded is left alone
    row = proposal()
    assert row is not None
    assert (row.state, row.next_review_due) == ("active", due)

    record_step(make_step([], state="ended", outcome="ended"))
    row = proposal()
    assert row is not None
    assert (row.state, row.outcome) == ("ended", "ended")
    assert len(decisions()) == 5


def test_steps_of_different_proposals_are_separate(infoshare_env: Settings) -> None:
    record_step(make_step([make_event(1)]))
    record_step(make_step([make_event(1), make_event(2)], proposal_id="isp-test2"))
    assert len(decisions("isp-test1")) == 1
    assert len(decisions("isp-test2")) == 2


def test_record_step_is_one_transaction(
    infoshare_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = activities.records.insert_or_ignore  # type: ignore[attr-defined]

    def insert_then_fail(*args: Any, **kwargs: Any) -> int:
        real(*args, **kwargs)
        raise RuntimeError("database went away")

    monkeypatch.setattr(activities.records, "insert_or_ignore", insert_then_fail)
    with pytest.raises(RuntimeError):
        record_step(make_step([make_event(1)]))
    assert proposal() is None
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(DecisionRow)) == 0

    monkeypatch.setattr(activities.records, "insert_or_ignore", real)
    record_step(make_step([make_event(1)]))  # the retry
    assert len(decisions()) == 1


def test_concurrent_retries(infoshare_env: Settings) -> None:
    """The worker runs activities in threads: simultaneous retries still write once."""
    steps = [make_step([make_event(seq) for seq in range(1, n + 2)]) for n in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(record_step, steps * 2))
    assert [r.seq for r in decisions()] == list(range(1, 9))
