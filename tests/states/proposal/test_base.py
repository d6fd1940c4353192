"""The lifecycle and the timeline (states/proposal/base.py): automatic decisions carry
their clauses, and the timeline is numbered in order."""

from __future__ import annotations

import pytest

from states.messages import MESSAGES
from states.proposal import SYSTEM_ACTOR
from tests import people
from tests.states.proposal.helpers import REACHABLE, Walk, _full_lifecycle, reached

AUTOMATIC_DECISIONS = ("scope", "dpia_required", "isa_required", "lawful_basis", "security_method")

TIMELINE_KEYS = {"at", "actor", "message", "accepted", "detail"}


@pytest.mark.parametrize(
    "state",
    ["ended", "approved_without_agreement", "rejected", "out_of_scope", "emergency_referred"],
)
def test_every_automatic_decision_carries_clauses(state: str) -> None:
    walk = _full_lifecycle() if state == "ended" else reached(state)
    timeline = walk.p.data.timeline
    decisions = {e.message for e in timeline if e.actor == SYSTEM_ACTOR}
    for event in timeline:
        if event.actor == SYSTEM_ACTOR and event.message not in ("intake", "state"):
            assert event.clauses, event
            assert all(c.strip() for c in event.clauses), event
        if event.actor != SYSTEM_ACTOR and event.accepted:
            assert event.clauses == list(MESSAGES[event.message].clauses), event
    assert "scope" in decisions
    for rec in walk.p.data.recommendations.values():
        assert rec.clauses, rec
    if state == "ended":
        assert set(AUTOMATIC_DECISIONS) <= decisions
        assert {"review", "agreement_drafted", "agreement_signed", "terminated"} <= decisions


def test_automatic_decisions_cite_their_clauses_in_the_detail() -> None:
    walk = reached("signing")
    by_name = {e.message: e for e in walk.p.data.timeline if e.actor == SYSTEM_ACTOR}
    assert by_name["dpia_required"].clauses == ["6.4", "UK GDPR Art 9(1)"]
    assert by_name["isa_required"].clauses == ["3.1"]
    assert "3.1 regular sharing" in by_name["isa_required"].detail
    assert by_name["security_method"].clauses == ["8.1", "8.2"]
    assert by_name["scope"].clauses == ["1.1", "2.1", "2.2", "2.3", "2.4"]


@pytest.mark.parametrize("state", [*REACHABLE, "full"])
def test_timeline_is_numbered_1_to_n_in_order(state: str) -> None:
    walk = _full_lifecycle() if state == "full" else reached(state)
    timeline = walk.p.timeline()
    assert [e["seq"] for e in timeline] == list(range(1, len(timeline) + 1))
    times = [e.at for e in walk.p.data.timeline]
    assert times == sorted(times)
    for event in timeline:
        assert set(event) >= TIMELINE_KEYS, event


def test_a_persons_message_comes_before_the_decisions_it_caused() -> None:
    walk = Walk()
    walk.submit_screening()
    messages = [e.message for e in walk.p.data.timeline]
    assert messages[-2:] == ["submit_screening", "dpia_required"]
    walk.send("screening_decision", people.DPO, dpia_required=True)
    messages = [e.message for e in walk.p.data.timeline]
    assert messages[-2:] == ["screening_decision", "state"]
