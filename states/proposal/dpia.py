"""The DPIA (PROTOCOL.md 2.4; protocol 6.4) and the ICO's prior consultation when the
residual risk stays high (UK GDPR Art 36)."""

from __future__ import annotations

from datetime import datetime

from states.messages import DpiaDecision, IcoConsultationOutcome, SubmitDpia
from states.proposal.agreement_decision import enter_isa_decision
from states.proposal.base import ProposalBase, Refusal


def on_submit_dpia(proposal: ProposalBase, p: SubmitDpia, now: datetime) -> None:
    proposal.data.dpia = p.model_dump(mode="json", exclude={"actor"})


def check_dpia_decision(proposal: ProposalBase, p: DpiaDecision) -> None:
    if proposal.data.dpia is None:
        raise Refusal("dpia_decision: no DPIA has been submitted yet (submit_dpia)")


def on_dpia_decision(proposal: ProposalBase, p: DpiaDecision, now: datetime) -> None:
    d = proposal.data
    d.dpia_outcome = p.outcome
    if p.outcome == "changes_requested":
        d.dpia = None  # back to the caseworker for a revised DPIA
    elif p.outcome == "rejected":
        proposal.reject(f"DPIA rejected by the DPO: {p.reason}", now)
    elif d.dpia is not None and d.dpia["residual_risk"] == "high":
        proposal.fire("consult_ico", now)
        proposal.system_event(
            now,
            "ico_prior_consultation",
            "high residual risk after mitigation: the ICO must be consulted before processing",
            ["UK GDPR Art 36"],
        )
    else:
        proposal.fire("approve_dpia", now)
        enter_isa_decision(proposal, now)


def on_ico_consultation_outcome(
    proposal: ProposalBase, p: IcoConsultationOutcome, now: datetime
) -> None:
    proposal.data.ico_reference = p.reference
    if p.outcome == "do_not_proceed":
        proposal.reject(f"the ICO advised not to proceed ({p.reference})", now)
    else:
        proposal.fire("ico_allows", now)
        enter_isa_decision(proposal, now)
