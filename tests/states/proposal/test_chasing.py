"""Telling whoever the proposal waits for (states/proposal/chasing.py; PROTOCOL.md 2.9)."""

from __future__ import annotations

from tests.states.proposal.helpers import Walk, _walk_to


def test_whoever_it_waits_for_is_told_once_per_waiting_point() -> None:
    w = Walk()
    first = w.p.waiting_notification()
    assert first is not None and first.state == "screening"
    assert set(first.awaiting) == {entry["message"] for entry in w.p.awaiting()}
    w.p.notified(first)
    assert w.p.waiting_notification() is None  # told already
    w.screen(True)
    second = w.p.waiting_notification()
    assert second is not None and second.state == "dpia" and second.key != first.key
    ended = _walk_to("ended")
    assert ended.p.awaiting() == [] and ended.p.waiting_notification() is None
