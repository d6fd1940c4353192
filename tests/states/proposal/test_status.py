"""What a proposal shows (states/proposal/status.py): CONTRACT.md's `status` query."""

from __future__ import annotations

import pytest

from states.machine import ACCEPTS, TERMINAL
from tests.states.proposal.helpers import REACHABLE, _full_lifecycle, reached

# CONTRACT.md "Queries": the `status` query and its nested objects.
STATUS_KEYS = {
    "state",
    "awaiting",
    "dpia_required",
    "isa_required",
    "recommendations",
    "parties",
    "next_review_due",
    "review_number",
    "outcome",
    "agreement",
}
AWAITING_KEYS = {"message", "roles"}
RECOMMENDATION_KEYS = {"decision", "value", "clauses"}
AGREEMENT_KEYS = {"version", "sha256", "uri", "signed_by"}


@pytest.mark.parametrize("state", [*REACHABLE, "full"])
def test_status_has_every_key_of_the_contract(state: str) -> None:
    walk = _full_lifecycle() if state == "full" else reached(state)
    status = walk.p.status()
    assert set(status) >= STATUS_KEYS, STATUS_KEYS - set(status)
    assert status["state"] == walk.state
    assert status["parties"] == ["PHSO", *(r.name for r in walk.p.intake.recipients)]
    for waiting in status["awaiting"]:
        assert set(waiting) >= AWAITING_KEYS
        assert waiting["message"] in ACCEPTS[walk.state]
        assert waiting["roles"]
    for rec in status["recommendations"]:
        assert set(rec) >= RECOMMENDATION_KEYS
    if status["agreement"] is not None:
        assert set(status["agreement"]) >= AGREEMENT_KEYS
    if state in ("signing", "active", "review_due", "remediation", "suspended", "closing", "ended"):
        assert status["agreement"] is not None, state
    if state in ("screening", "dpia", "lawful_basis", "security_method"):
        assert status["agreement"] is None
    if walk.state in TERMINAL:
        assert status["awaiting"] == []
        assert status["outcome"]


def test_status_is_plain_json() -> None:
    import json

    status = _full_lifecycle().p.status()
    assert json.loads(json.dumps(status)) == status


def test_status_says_what_each_state_waits_for() -> None:
    expected = {
        "screening": "submit_screening",
        "dpia": "submit_dpia",
        "ico_prior_consultation": "ico_consultation_outcome",
        "isa_decision": "isa_decision",
        "lawful_basis": "propose_lawful_basis",
        "security_method": "security_advice",
        "signing": "sign",
        "review_due": "submit_review",
        "remediation": "remediation_complete",
        "suspended": "resume",
        "closing": "confirm_destruction",
    }
    for state, message in expected.items():
        awaiting = reached(state).p.awaiting()
        assert awaiting and awaiting[0]["message"] == message, (state, awaiting)
    assert reached("active").p.awaiting() == []
