"""The need for an agreement (states/proposal/agreement_decision.py; PROTOCOL.md 2.5):
overriding the recommendation needs a reason."""

from __future__ import annotations

from tests import people
from tests.states.proposal.helpers import reached


def test_isa_override_needs_a_reason() -> None:
    walk = reached("isa_decision")
    assert walk.p.data.recommendations["isa_required"].value is True
    text = walk.refused("isa_decision", people.INFORMATION_RIGHTS, isa_required=False)
    assert "a 'reason' is required to override it" in text
    assert "isa_required=True" in text
    walk.isa(False, reason="specified in law after all")
    assert walk.state == "lawful_basis"
    assert walk.p.data.isa_required is False
    rec = walk.p.data.recommendations["isa_required"]
    assert (rec.confirmed_value, rec.confirmed_by) == (False, people.INFORMATION_RIGHTS)
