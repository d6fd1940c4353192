"""A sharing proposal: everything gathered so far, and the protocol applied to each message.

`Proposal` is pure and deterministic: the workflow hands it the time, the message and the
sender's directory entry, and it decides (with the clauses behind each decision), moves
the lifecycle machine and writes the timeline. It never performs I/O.

This module checks and applies a message (check, authorise, apply, refuse); what each
message means is in the protocol section it belongs to, named in `CHECKS` and `HANDLERS`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import states.proposal.agreement_decision as agreement_decision
import states.proposal.dpia as dpia
import states.proposal.ending as ending
import states.proposal.lawful_basis as lawful_basis
import states.proposal.records as records
import states.proposal.reviews as reviews
import states.proposal.scoping as scoping
import states.proposal.security as security
import states.proposal.signing as signing
from states import authorisation
from states.intake import Intake
from states.limits import MAX_ACTOR_CHARS, plain_text
from states.messages import MESSAGES, Advice, Payload, PayloadError, Sign, parse_payload
from states.proposal.base import ProposalBase, Refusal
from states.proposal.chasing import Chasing
from states.proposal.data import ProposalData
from states.proposal.reviews import ReviewClock
from states.proposal.signing import Signing
from states.types import Person, Policy

# A refusal recorded in the timeline is cut to this length (refused signals can be many).
MAX_REFUSAL_CHARS = 2000

Check = Callable[[ProposalBase, Any], None]
Handler = Callable[[ProposalBase, Any, datetime], None]

# What the current state still needs before a message makes sense (after its payload,
# the state and segregation of duties are checked), for the messages that need anything.
CHECKS: dict[str, Check] = {
    "screening_decision": scoping.check_screening_decision,
    "dpia_decision": dpia.check_dpia_decision,
    "isa_decision": agreement_decision.check_isa_decision,
    "propose_lawful_basis": lawful_basis.check_propose_lawful_basis,
    "special_category_condition": lawful_basis.check_special_category_condition,
    "advice": lawful_basis.check_advice,
    "sign": signing.check_sign,
    "submit_review": reviews.check_submit_review,
    "release_records": records.check_release_records,
    "withdraw": ending.check_withdraw,
}

# One function per message, in the protocol's order.
HANDLERS: dict[str, Handler] = {
    "submit_screening": scoping.on_submit_screening,
    "screening_decision": scoping.on_screening_decision,
    "submit_dpia": dpia.on_submit_dpia,
    "dpia_decision": dpia.on_dpia_decision,
    "ico_consultation_outcome": dpia.on_ico_consultation_outcome,
    "isa_decision": agreement_decision.on_isa_decision,
    "propose_lawful_basis": lawful_basis.on_propose_lawful_basis,
    "special_category_condition": lawful_basis.on_special_category_condition,
    "advice": lawful_basis.on_advice,
    "security_advice": security.on_security_advice,
    "sign": signing.on_sign,
    "submit_review": reviews.on_submit_review,
    "remediation_complete": reviews.on_remediation_complete,
    "suspend": reviews.on_suspend,
    "resume": reviews.on_resume,
    "attach_record": records.on_attach_record,
    "release_records": records.on_release_records,
    "withdraw": ending.on_withdraw,
    "terminate": ending.on_terminate,
    "confirm_destruction": ending.on_confirm_destruction,
}
assert set(HANDLERS) == set(MESSAGES), "every message has exactly one handler"
assert set(CHECKS) <= set(MESSAGES)

# Fields short and free of personal data, shown in the timeline's detail.
_PLAIN = frozenset(
    {
        "outcome",
        "residual_risk",
        "basis",
        "role",
        "method",
        "party",
        "document_sha256",
        "kind",
        "sha256",
        "article9",
        "schedule1",
        "article10_schedule1",
        "review_number",
        "answers",
        "reference",
        "document_uri",
        "evidence_uri",
        "uri",
    }
)


def message_digest(message: str, payload: Payload) -> str:
    body = json.dumps(
        [message, payload.model_dump(mode="json")], sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(body.encode()).hexdigest()


class Proposal(Chasing, Signing, ReviewClock):
    """Applies the protocol to one proposal's data."""

    @classmethod
    def start(cls, proposal_id: str, intake: Intake, now: datetime) -> Proposal:
        """A new proposal, scoped at once (2.2): nothing else happens first."""
        proposal = cls(ProposalData(proposal_id=proposal_id, intake=intake, started_at=now))
        scoping.receive(proposal, now)
        return proposal

    def set_policy(self, policy: Policy) -> None:
        self.data.policy = policy

    # ----- checking a message ------------------------------------------------------------

    def check(self, message: str, raw: object) -> Payload:
        """Everything that can be checked without the people directory: the payload, the
        state, segregation of duties and what the state still needs. Raises Refusal."""
        try:
            payload = parse_payload(message, raw)
        except PayloadError as err:
            raise Refusal(str(err)) from None
        if self._is_late_duplicate(message, payload):
            return payload
        # the state and segregation of duties (states.authorisation), then what the state needs
        verdict = authorisation.check_without_directory(self.attempt(message, payload))
        if not verdict.allowed:
            raise Refusal(verdict.reason)
        state_check = CHECKS.get(message)
        if state_check is not None:
            state_check(self, payload)
        return payload

    def authorise(self, message: str, payload: Payload, person: Person | None) -> None:
        """The sender must be in the people directory with a role the message needs."""
        verdict = authorisation.check_directory(self.attempt(message, payload), person)
        if not verdict.allowed:
            raise Refusal(verdict.reason)

    def attempt(self, message: str, payload: Payload) -> authorisation.Attempt:
        """`payload`'s sender trying to send `message` to this proposal as it is now."""
        return authorisation.Attempt(
            message=message,
            state=self.state,
            actor=str(payload.actor),
            caseworker=str(self.intake.caseworker),
            claimed_role=payload.role if isinstance(payload, Advice) else None,
            party=payload.party if isinstance(payload, Sign) else None,
            awaiting=tuple(w["message"] for w in self.awaiting()),
        )

    def _is_late_duplicate(self, message: str, payload: Payload) -> bool:
        """A message identical to one accepted in the state visit just left."""
        return message_digest(message, payload) in self.data.previous_visit_digests

    # ----- applying a message ------------------------------------------------------------

    def apply(self, message: str, raw: object, person: Person | None, now: datetime) -> bool:
        """Check and apply a message. Returns False for a harmless repeat (nothing changes).
        Raises Refusal, changing nothing, when the message cannot be accepted."""
        payload = self.check(message, raw)
        digest = message_digest(message, payload)
        if digest in self.data.previous_visit_digests:
            return False
        self.authorise(message, payload, person)
        before = self._comparable()
        visits = self.data.state_changes
        handler = HANDLERS[message]
        actor = str(payload.actor)
        events_before = len(self.data.timeline)
        handler(self, payload, now)
        if self._comparable() == before:
            # identical repeat within the same state visit: drop the automatic events too
            del self.data.timeline[events_before:]
            return False
        self.event(
            now,
            actor,
            message,
            True,
            self._describe(payload),
            MESSAGES[message].clauses,
            at_index=events_before,
        )
        if self.data.state_changes != visits:
            self.data.previous_visit_digests = [*self.data.current_visit_digests, digest]
            self.data.current_visit_digests = []
        else:
            self.data.current_visit_digests.append(digest)
        return True

    def refuse(self, message: str, raw: object, refusal: Refusal, now: datetime) -> None:
        """Record a refused message in the timeline; nothing else changes. What the sender
        wrote is kept short and storable: anyone who can signal could send anything."""
        actor = plain_text(raw.get("actor") if isinstance(raw, dict) else None, MAX_ACTOR_CHARS)
        detail = str(refusal)
        if len(detail) > MAX_REFUSAL_CHARS:
            detail = detail[: MAX_REFUSAL_CHARS - 1] + "…"
        self.event(now, actor or "unknown", message, False, detail, [])

    def _comparable(self) -> str:
        return self.data.model_dump_json(
            exclude={
                "timeline",
                "previous_visit_digests",
                "current_visit_digests",
                "recorded_upto",
                "notified_key",
            }
        )

    @staticmethod
    def _describe(payload: Payload) -> str:
        fields = payload.model_dump(mode="json", exclude={"actor"})
        # Free text and links can carry personal data: the timeline names the fields only.
        short = {k: v for k, v in fields.items() if isinstance(v, bool | int) or k in _PLAIN}
        return json.dumps(short, sort_keys=True) if short else ""
