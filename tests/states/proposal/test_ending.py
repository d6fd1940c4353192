"""How a proposal ends (states/proposal/ending.py; protocol 10.1)."""

from __future__ import annotations

from tests import people
from tests.states.proposal.helpers import _to_review_4, reached


def test_terminating_an_agreement_being_re_signed_closes_it() -> None:
    walk = _to_review_4(reached("active"))
    walk.submit_review(needs_refresh=True)
    walk.send("terminate", people.DPO, reason="no longer needed")
    assert walk.state == "closing"
    walk.send("confirm_destruction", people.INFORMATION_RIGHTS, notes="destroyed")
    assert walk.state == "ended"


def test_terminate_before_the_agreement_is_in_force_rejects() -> None:
    walk = reached("signing")
    walk.send("terminate", people.INFORMATION_RIGHTS, reason="not needed")
    assert walk.state == "rejected"
    assert walk.p.data.outcome == f"rejected by {people.INFORMATION_RIGHTS}: not needed"
