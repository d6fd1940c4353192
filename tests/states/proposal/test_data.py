"""ProposalData through JSON (states/proposal/data.py): what continue-as-new relies on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from states.messages import MESSAGES
from states.proposal import Proposal, ProposalData
from tests import people
from tests.factories import SPECIAL_CONDITION
from tests.states.proposal.helpers import Walk, _to_review_4, _walk_to

Step = Callable[[Walk], Any]


def _sign(party: str) -> Step:
    return lambda w: w.sign(party)


SCRIPT: tuple[tuple[str, Step], ...] = (
    (
        "attach_record",
        lambda w: w.send("attach_record", people.CASEWORKER, **MESSAGES["attach_record"].example),
    ),
    ("submit_screening", lambda w: w.submit_screening(wp_large_scale=True)),
    ("screening_decision", lambda w: w.send("screening_decision", people.DPO, dpia_required=True)),
    ("repeat submit_screening", lambda w: w.submit_screening(wp_large_scale=True)),
    ("submit_dpia", lambda w: w.submit_dpia("medium")),
    (
        "changes_requested",
        lambda w: w.send("dpia_decision", people.DPO, outcome="changes_requested", reason="more"),
    ),
    ("submit_dpia again", lambda w: w.submit_dpia("high")),
    (
        "dpia approved",
        lambda w: w.send("dpia_decision", people.DPO, outcome="approved", reason="ok"),
    ),
    ("ico", lambda w: w.ico()),
    ("isa_decision", lambda w: w.isa(True)),
    ("propose", lambda w: w.propose()),
    ("advice dpo", lambda w: w.advise("dpo")),
    ("objection", lambda w: w.advise("information_rights", "object")),
    ("propose again", lambda w: w.propose()),
    (
        "condition",
        lambda w: w.send(
            "special_category_condition", people.INFORMATION_RIGHTS, **SPECIAL_CONDITION
        ),
    ),
    ("advice dpo again", lambda w: w.advise("dpo")),
    ("advice ir", lambda w: w.advise("information_rights")),
    ("security_advice", lambda w: w.security()),
    ("sign PHSO", _sign("PHSO")),
    ("sign LGSCO", _sign("LGSCO")),
    ("repeat sign LGSCO", _sign("LGSCO")),
    ("review 1 due", lambda w: w.fall_due()),
    ("review 1 fails", lambda w: w.submit_review(data_received=False)),
    ("suspend", lambda w: w.send("suspend", people.DPO, reason="x")),
    ("resume", lambda w: w.send("resume", people.DPO, reason="y")),
    (
        "remediation_complete",
        lambda w: w.send("remediation_complete", people.INFORMATION_RIGHTS, actions="a"),
    ),
    ("suspend again", lambda w: w.send("suspend", people.DPO, reason="x")),
    ("resume again", lambda w: w.send("resume", people.DPO, reason="y")),
    ("review 2", lambda w: w.review()),
    ("review 3", lambda w: w.review()),
    ("review 4 due", lambda w: w.fall_due()),
    (
        "review 4 fails and needs refresh",
        lambda w: w.submit_review(secure=False, needs_refresh=True),
    ),
    (
        "remediation_complete 2",
        lambda w: w.send("remediation_complete", people.INFORMATION_RIGHTS, actions="b"),
    ),
    ("sign v2 LGSCO", _sign("LGSCO")),
    ("sign v2 PHSO", _sign("PHSO")),
    ("review 5", lambda w: w.review()),
    ("terminate", lambda w: w.send("terminate", people.INFORMATION_RIGHTS, reason="done")),
    (
        "confirm_destruction",
        lambda w: w.send("confirm_destruction", people.INFORMATION_RIGHTS, notes="gone"),
    ),
)


def test_the_script_runs_to_the_end() -> None:
    walk = Walk()
    results = [step(walk) for _, step in SCRIPT]
    assert walk.state == "ended"
    names = [name for name, _ in SCRIPT]
    assert results[names.index("repeat submit_screening")] is False
    assert results[names.index("repeat sign LGSCO")] is False
    assert walk.p.data.agreement.version == 2  # type: ignore[union-attr]
    assert walk.p.data.review_number == 5


def test_proposal_data_round_trips_through_json_at_every_step() -> None:
    walk = Walk()
    for name, step in SCRIPT:
        step(walk)
        text = walk.p.data.model_dump_json()
        again = ProposalData.model_validate_json(text)
        assert again.model_dump_json() == text, name
        assert again.model_dump(mode="json") == walk.p.data.model_dump(mode="json"), name
        assert again == walk.p.data, name
        assert Proposal(again).status() == walk.p.status(), name
        assert Proposal(again).state == walk.state, name


@pytest.mark.parametrize(
    "cut", range(len(SCRIPT) + 1), ids=[f"after {n}" for n in ("start", *(n for n, _ in SCRIPT))]
)
def test_the_lifecycle_continues_identically_after_json(cut: int) -> None:
    """Cut anywhere, carry the data through JSON (continue-as-new), carry on: the copy
    behaves exactly as the original, step by step, to the end."""
    original = Walk()
    for _, step in SCRIPT[:cut]:
        step(original)
    copy = original.via_json()
    assert copy.p.data == original.p.data
    for name, step in SCRIPT[cut:]:
        a, b = step(original), step(copy)
        assert a == b, name
        assert copy.state == original.state, name
        assert copy.p.data == original.p.data, name
    assert copy.state == "ended"


def _remediating_with_refresh_pending() -> Walk:
    walk = _to_review_4(_walk_to("active"))
    walk.submit_review(secure=False, needs_refresh=True)
    assert walk.p.data.refresh_pending
    return walk


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: _walk_to("suspended"), id="suspended-from-active"),
        pytest.param(lambda: _suspend(_walk_to("remediation")), id="suspended-from-remediation"),
        pytest.param(_remediating_with_refresh_pending, id="remediation-refresh-pending"),
        pytest.param(lambda: _walk_to("remediation"), id="remediation"),
        pytest.param(lambda: _walk_to("signing"), id="signing"),
        pytest.param(lambda: _walk_to("review_due"), id="review_due"),
        pytest.param(lambda: _walk_to("lawful_basis"), id="lawful_basis"),
    ],
)
def test_round_trip_keeps_what_the_next_step_needs(make: Callable[[], Walk]) -> None:
    """Built live (not via `reached`, which itself goes through JSON)."""
    original = make()
    copy = original.via_json()
    assert copy.p.data == original.p.data
    assert copy.p.awaiting() == original.p.awaiting()
    assert copy.p.notification_key() == original.p.notification_key()
    assert copy.p.agreement_request() == original.p.agreement_request()
    # and the next step goes the same way
    nxt: Callable[[Walk], Any] = {
        "suspended": lambda w: w.send("resume", people.DPO, reason="ok"),
        "remediation": lambda w: w.send(
            "remediation_complete", people.INFORMATION_RIGHTS, actions="done"
        ),
        "signing": lambda w: w.sign("PHSO"),
        "review_due": lambda w: w.submit_review(),
        "lawful_basis": lambda w: w.propose(),
    }[original.state]
    assert nxt(original) == nxt(copy)
    assert copy.state == original.state
    assert copy.p.data == original.p.data


def _suspend(walk: Walk) -> Walk:
    walk.send("suspend", people.DPO, reason="breach")
    return walk
