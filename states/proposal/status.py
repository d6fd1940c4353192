"""What a proposal shows: what it waits for and from whom, its status (CONTRACT.md
`status`), its timeline, and the step the workflow records (`record_step`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from states import rules
from states.messages import MESSAGES
from states.proposal.base import ProposalBase
from states.proposal.lawful_basis import ADVISERS
from states.types import NotificationRequest, StepRecord


class StatusViews(ProposalBase):
    def awaiting(self) -> list[dict[str, Any]]:
        """What the proposal waits for now, and from whom (CONTRACT.md `status`)."""
        d, state = self.data, self.state
        wait: list[dict[str, Any]] = []

        def want(message: str, roles: list[str] | None = None, **extra: Any) -> None:
            spec = MESSAGES[message]
            wait.append(
                {"message": message, "roles": roles or [r.value for r in spec.roles], **extra}
            )

        if state == "screening":
            want("screening_decision" if d.screening_answers is not None else "submit_screening")
        elif state == "dpia":
            want("dpia_decision" if d.dpia is not None else "submit_dpia")
        elif state == "ico_prior_consultation":
            want("ico_consultation_outcome")
        elif state == "isa_decision":
            want("isa_decision")
        elif state == "lawful_basis":
            if d.lawful_basis is None:
                want("propose_lawful_basis")
            else:
                missing = [r for r in ADVISERS if r not in d.advice]
                if missing:
                    want("advice", missing)
            if rules.special_category_condition_needed(self.intake) and (
                d.special_category_condition is None
            ):
                want("special_category_condition")
        elif state == "security_method":
            if d.security_method is None:
                want("security_advice")
        elif state == "signing":
            if self.draft_ready:
                want("sign", parties=self.unsigned_parties())
        elif state == "review_due":
            want("submit_review", review_number=d.review_number + 1)
        elif state == "remediation":
            want("remediation_complete")
        elif state == "suspended":
            want("resume")
        elif state == "closing":
            want("confirm_destruction")
        return wait

    def awaiting_roles(self) -> list[str]:
        return sorted({role for w in self.awaiting() for role in w["roles"]})

    def status(self) -> dict[str, Any]:
        d = self.data
        agreement = None
        if d.agreement is not None:
            agreement = {
                "version": d.agreement.version,
                "sha256": d.agreement.sha256,
                "uri": d.agreement.uri,
                "signed_by": [s.model_dump(mode="json") for s in d.agreement.signed_by],
            }
        return {
            "proposal_id": d.proposal_id,
            "title": self.intake.title,
            "state": self.state,
            "awaiting": self.awaiting(),
            "dpia_required": d.dpia_required,
            "isa_required": d.isa_required,
            "recommendations": [r.model_dump(mode="json") for r in d.recommendations.values()],
            "parties": self.parties,
            "lawful_basis": d.lawful_basis["basis"] if d.lawful_basis else None,
            "security_method": d.security_method,
            "next_review_due": d.next_review_due.isoformat() if d.next_review_due else None,
            "review_number": d.review_number,
            "outcome": d.outcome,
            "agreement": agreement,
            "published": (
                {"version": d.published_version, "public_path": d.public_path}
                if d.published_version
                else None
            ),
            "waiting_since": d.waiting_since.isoformat() if d.waiting_since else None,
            "overdue_since": d.overdue_since.isoformat() if d.overdue_since else None,
            "local_records_held": len(self.held_records()),
        }

    def timeline(self) -> list[dict[str, Any]]:
        return [e.model_dump(mode="json") for e in self.data.timeline]

    def step_record(
        self, upto: int | None = None, notifications: Sequence[NotificationRequest] = ()
    ) -> StepRecord:
        """What `record_step` writes: the current row, the events not yet recorded (up to
        `upto`), every local record, and the `notifications` to queue with them."""
        d = self.data
        return StepRecord(
            proposal_id=d.proposal_id,
            title=self.intake.title,
            caseworker=str(self.intake.caseworker),
            parties=self.parties,
            state=self.state,
            outcome=d.outcome,
            next_review_due=d.next_review_due,
            events=d.timeline[d.recorded_upto : upto],
            records=d.records,
            notifications=list(notifications),
        )
