"""Scoping (PROTOCOL.md 2.2; protocol 1.1, 2.1-2.4, 4.3) and DPIA screening (PROTOCOL.md
2.3; protocol 6.1-6.3): is the proposal within the protocol, and does it need a DPIA?"""

from __future__ import annotations

from datetime import datetime

from states import rules
from states.messages import ScreeningDecision, SubmitScreening
from states.proposal.agreement_decision import enter_isa_decision
from states.proposal.base import SYSTEM_ACTOR, ProposalBase, Refusal


def receive(proposal: ProposalBase, now: datetime) -> None:
    """A new proposal is scoped at once (2.2): nothing else happens first."""
    proposal.event(now, SYSTEM_ACTOR, "intake", True, "proposal received", [])
    scope = rules.scope(proposal.intake)
    proposal.recommend(scope, now)
    if scope.value == "emergency_referred":
        proposal.fire("refer_emergency", now)
        proposal.data.outcome = "emergency referred: " + "; ".join(scope.reasons)
    elif scope.value == "out_of_scope":
        proposal.fire("rule_out_of_scope", now)
        proposal.data.outcome = "out of scope: " + "; ".join(scope.reasons)
    else:
        proposal.fire("scope_in", now)


def on_submit_screening(proposal: ProposalBase, p: SubmitScreening, now: datetime) -> None:
    proposal.data.screening_answers = dict(p.answers)
    proposal.recommend(rules.recommend_dpia(proposal.intake, p.answers), now)


def check_screening_decision(proposal: ProposalBase, p: ScreeningDecision) -> None:
    d = proposal.data
    if d.screening_answers is None:
        raise Refusal("screening_decision: the caseworker has not sent submit_screening")
    recommended = d.recommendations["dpia_required"].value
    if p.dpia_required != recommended and not p.reason:
        raise Refusal(
            f"screening_decision: the screening recommends dpia_required={recommended}; "
            "a 'reason' is required to override it (6.2)"
        )


def on_screening_decision(proposal: ProposalBase, p: ScreeningDecision, now: datetime) -> None:
    proposal.confirm("dpia_required", p.dpia_required, str(p.actor))
    proposal.data.dpia_required = p.dpia_required
    if p.dpia_required:
        proposal.fire("require_dpia", now)
    else:
        proposal.fire("skip_dpia", now)
        enter_isa_decision(proposal, now)
