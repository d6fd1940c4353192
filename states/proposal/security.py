"""The security (transfer) method (PROTOCOL.md 2.7; protocol 8.1, 8.2): encrypted email
for small, occasional sharing, otherwise ICT advises; then the agreement is drafted, or
sharing is approved without one (3.3)."""

from __future__ import annotations

from datetime import datetime

from states import rules
from states.messages import SecurityAdvice
from states.proposal.base import ProposalBase
from states.types import Policy


def enter_security_method(proposal: ProposalBase, now: datetime) -> None:
    d = proposal.data
    threshold = d.policy.small_volume_threshold if d.policy else Policy().small_volume_threshold
    security = rules.recommend_security(proposal.intake, threshold)
    proposal.recommend(security, now)
    if security.value == "encrypted_email":
        d.security_method = "encrypted_email"
        after_security_method(proposal, now)


def on_security_advice(proposal: ProposalBase, p: SecurityAdvice, now: datetime) -> None:
    proposal.confirm("security_method", p.method, str(p.actor))
    proposal.data.security_method = p.method
    proposal.data.security_notes = p.notes
    after_security_method(proposal, now)


def after_security_method(proposal: ProposalBase, now: datetime) -> None:
    d = proposal.data
    if d.isa_required:
        proposal.fire("draft_agreement", now)
        d.agreement_version_wanted += 1
    else:
        proposal.fire("approve_without_agreement", now)
        d.outcome = "approved without an agreement: sharing may proceed by " + str(
            d.security_method
        )
        proposal.system_event(
            now,
            "approved_without_agreement",
            "no information sharing agreement is needed",
            ["3.3"],
        )
