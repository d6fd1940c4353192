"""How a proposal ends: withdrawn before it is in force, rejected, or terminated with
retention and destruction confirmed (protocol 10.1, 4.14)."""

from __future__ import annotations

from datetime import datetime

from states.machine import PRE_ACTIVE
from states.messages import ConfirmDestruction, Reason
from states.proposal.base import ProposalBase, Refusal


def check_withdraw(proposal: ProposalBase, p: Reason) -> None:
    if proposal.in_force():
        raise Refusal(
            "withdraw: the agreement is in force and is being re-signed; use terminate to end it"
        )


def on_withdraw(proposal: ProposalBase, p: Reason, now: datetime) -> None:
    proposal.fire("withdraw", now)
    proposal.data.outcome = f"withdrawn by {p.actor}"


def on_terminate(proposal: ProposalBase, p: Reason, now: datetime) -> None:
    if proposal.state in PRE_ACTIVE and not proposal.in_force():
        proposal.reject(f"rejected by {p.actor}: {p.reason}", now)
    else:
        proposal.fire("terminate", now)
        proposal.data.next_review_due = None  # no more reviews once terminated
        proposal.system_event(
            now,
            "terminated",
            "the agreement is terminated: retention and "
            "destruction must be confirmed before it ends",
            ["10.1"],
        )


def on_confirm_destruction(proposal: ProposalBase, p: ConfirmDestruction, now: datetime) -> None:
    proposal.fire("confirm_destruction", now)
    proposal.data.outcome = "ended: retention and destruction confirmed"
