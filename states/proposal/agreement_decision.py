"""The need for an information sharing agreement (PROTOCOL.md 2.5; protocol 3.1, 3.3):
recommended by the rules, decided by Information Rights."""

from __future__ import annotations

from datetime import datetime

from states import rules
from states.messages import IsaDecision
from states.proposal.base import ProposalBase, Refusal


def enter_isa_decision(proposal: ProposalBase, now: datetime) -> None:
    proposal.recommend(rules.recommend_isa(proposal.intake, bool(proposal.data.dpia_required)), now)


def check_isa_decision(proposal: ProposalBase, p: IsaDecision) -> None:
    recommended = proposal.data.recommendations["isa_required"].value
    if p.isa_required != recommended and not p.reason:
        raise Refusal(
            f"isa_decision: the rules recommend isa_required={recommended}; "
            "a 'reason' is required to override it (3.1, 3.3)"
        )


def on_isa_decision(proposal: ProposalBase, p: IsaDecision, now: datetime) -> None:
    proposal.confirm("isa_required", p.isa_required, str(p.actor))
    proposal.data.isa_required = p.isa_required
    proposal.fire("settle_isa_need", now)
    if rules.special_category_condition_needed(proposal.intake):
        proposal.system_event(
            now,
            "special_category_condition_needed",
            "special category or criminal offence data: Information Rights names the condition",
            ["7.3", "UK GDPR Art 9(2)", "UK GDPR Art 10"],
        )
