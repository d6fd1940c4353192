"""Reviews (PROTOCOL.md 2.9; protocol 10.1): reviews fall due at 1, 3, 6 and 12 months
after launch and yearly after that; a failed review is remediated, a review may ask for
the agreement to be refreshed (re-signed), and sharing may be suspended and resumed."""

from __future__ import annotations

from datetime import datetime

from states import rules
from states.messages import Reason, RemediationComplete, SubmitReview
from states.proposal.base import ProposalBase, Refusal


def check_submit_review(proposal: ProposalBase, p: SubmitReview) -> None:
    due = proposal.data.review_number + 1
    if p.review_number != due:
        raise Refusal(
            f"submit_review: review {due} ({rules.review_label(due)}) is due, "
            f"not review {p.review_number}"
        )
    problems = rules.check_review_answers(due, p.answers)
    if problems:
        raise Refusal("submit_review: " + "; ".join(problems))


def on_submit_review(proposal: ProposalBase, p: SubmitReview, now: datetime) -> None:
    d = proposal.data
    outcome = rules.review_outcome(p.review_number, p.answers)
    d.review_number = p.review_number
    assert d.launched_at is not None
    d.next_review_due = rules.review_due_at(d.launched_at, p.review_number + 1)
    proposal.recommend(outcome, now, key=f"review_{p.review_number}")
    if outcome.value == "passed":
        proposal.fire("pass_review", now)
    elif outcome.value == "needs_refresh":
        refresh(proposal, now)
    else:
        d.refresh_pending = outcome.value == "failed_and_needs_refresh"
        proposal.fire("fail_review", now)


def refresh(proposal: ProposalBase, now: datetime) -> None:
    """The agreement is refreshed: a new version is drafted and signed again."""
    proposal.data.refresh_pending = False
    proposal.fire("refresh_agreement", now)
    proposal.data.agreement_version_wanted += 1


def on_remediation_complete(proposal: ProposalBase, p: RemediationComplete, now: datetime) -> None:
    if proposal.data.refresh_pending:
        refresh(proposal, now)
    else:
        proposal.fire("remediate", now)


def on_suspend(proposal: ProposalBase, p: Reason, now: datetime) -> None:
    proposal.data.suspended_from = proposal.state
    proposal.fire("suspend", now)


def on_resume(proposal: ProposalBase, p: Reason, now: datetime) -> None:
    came_from, proposal.data.suspended_from = proposal.data.suspended_from, None
    proposal.fire("resume_remediation" if came_from == "remediation" else "resume_sharing", now)


class ReviewClock(ProposalBase):
    """The review timer the workflow waits on (10.1)."""

    def review_is_due(self, now: datetime) -> bool:
        d = self.data
        return self.state == "active" and d.next_review_due is not None and now >= d.next_review_due

    def review_falls_due(self, now: datetime) -> None:
        number = self.data.review_number + 1
        self.fire("review_falls_due", now)
        self.data.previous_visit_digests = self.data.current_visit_digests
        self.data.current_visit_digests = []
        checks = ", ".join(rules.checks_due(number))
        self.system_event(
            now,
            "review_due",
            f"review {number} ({rules.review_label(number)}) is due: checks {checks}",
            ["10.1"],
        )
