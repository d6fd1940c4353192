"""Scoping and DPIA screening (states/proposal/scoping.py; PROTOCOL.md 2.2, 2.3): start
scopes at once, and the screening decision needs a reason to override."""

from __future__ import annotations

from typing import Any

from tests import people
from tests.factories import low_risk_intake
from tests.states.proposal.helpers import Walk, reached


def test_start_scopes_at_once() -> None:
    assert Walk().state == "screening"
    assert reached("out_of_scope").p.data.outcome.startswith("out of scope: 2.1")  # type: ignore[union-attr]
    assert "4.3" in (reached("emergency_referred").p.data.outcome or "")


def test_screening_override_needs_a_reason() -> None:
    walk = Walk()
    walk.submit_screening()
    assert walk.p.data.recommendations["dpia_required"].value is True
    for reason in (None, "", "   "):
        payload: dict[str, Any] = {"dpia_required": False}
        if reason is not None:
            payload["reason"] = reason
        text = walk.refused("screening_decision", people.DPO, **payload)
        assert "a 'reason' is required to override it (6.2)" in text
        assert "dpia_required=True" in text
    assert walk.send(
        "screening_decision", people.DPO, dpia_required=False, reason="health data is incidental"
    )
    assert walk.state == "isa_decision"
    rec = walk.p.data.recommendations["dpia_required"]
    assert (rec.value, rec.confirmed_value, rec.confirmed_by) == (True, False, people.DPO)
    assert walk.p.data.dpia_required is False


def test_screening_confirmation_needs_no_reason() -> None:
    walk = Walk(low_risk_intake())
    walk.submit_screening()
    assert walk.p.data.recommendations["dpia_required"].value is False
    assert walk.send("screening_decision", people.DPO, dpia_required=False)
    assert walk.state == "isa_decision"


def test_screening_decision_before_answers_is_refused() -> None:
    walk = Walk()
    text = walk.refused("screening_decision", people.DPO, dpia_required=True)
    assert "has not sent submit_screening" in text
