"""What a refused message leaves in the decision log can be stored, on SQLite and on
PostgreSQL (which refuses NUL in text and addresses longer than the column): a hostile
sender cannot make recording the step fail, and retry, for ever."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from activities.records import record_step
from infoshare.database.models import DecisionRow
from infoshare.database.session import session_scope
from infoshare.settings import Settings
from states.proposal import MAX_REFUSAL_CHARS, Refusal
from tests import people
from tests.states.test_authorisation import prepared

HOSTILE: list[tuple[object, str]] = [
    ({"actor": "nul\x00@phso.example", "reason": "r"}, "unknown"),
    ({"actor": "x" * 1000 + "@phso.example", "reason": "r"}, "unknown"),
    ({"actor": ["not", "text"], "reason": "r"}, "unknown"),
    ({"actor": "not-an-email", "reason": "r\x00"}, "not-an-email"),
    ({"actor": people.NOBODY, "reason": "\x1b" * 100_000}, people.NOBODY),
    ("not even an object", "unknown"),
]


def test_refusals_of_hostile_payloads_are_recorded(infoshare_env: Settings) -> None:
    walk = prepared("screening")
    p = walk.p
    start = len(p.data.timeline)
    for raw, _ in HOSTILE:
        with pytest.raises(Refusal) as err:
            p.apply("withdraw", raw, None, walk.now)
        p.refuse("withdraw", raw, err.value, walk.now)
    long: dict[str, Any] = {"actor": people.NOBODY}
    p.refuse("withdraw", long, Refusal("withdraw: " + "x" * 10_000), walk.now)
    record_step(p.step_record())
    with session_scope() as session:
        rows = list(
            session.scalars(
                select(DecisionRow)
                .where(DecisionRow.proposal_id == p.data.proposal_id)
                .order_by(DecisionRow.seq)
            )
        )
    refused = rows[start:]
    assert [r.actor for r in refused] == [actor for _, actor in HOSTILE] + [people.NOBODY]
    assert all(r.accepted is False and r.message == "withdraw" for r in refused)
    assert len(refused[-1].detail) == MAX_REFUSAL_CHARS
