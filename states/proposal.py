"""A sharing proposal: everything gathered so far, and the protocol applied to each message.

`Proposal` is pure and deterministic: the workflow hands it the time, the message and the
sender's directory entry, and it decides (with the clauses behind each decision), moves
the lifecycle machine and writes the timeline. It never performs I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from states import authorisation, rules
from states.decision import Decision
from states.intake import Intake
from states.limits import MAX_ACTOR_CHARS, plain_text
from states.machine import IN_FORCE, PRE_ACTIVE, TERMINAL, Lifecycle
from states.messages import (
    MESSAGES,
    Advice,
    AttachRecord,
    ConfirmDestruction,
    DpiaDecision,
    IcoConsultationOutcome,
    IsaDecision,
    Payload,
    PayloadError,
    ProposeLawfulBasis,
    Reason,
    RemediationComplete,
    ScreeningDecision,
    SecurityAdvice,
    Sign,
    SpecialCategoryCondition,
    SubmitDpia,
    SubmitReview,
    SubmitScreening,
    parse_payload,
)
from states.types import (
    AgreementDraft,
    AgreementRequest,
    LocalRecord,
    NotificationRequest,
    Person,
    Policy,
    Publication,
    PublishRequest,
    SignatureRecord,
    StepRecord,
    TimelineEvent,
)

SYSTEM_ACTOR = "infoshare"
# A refusal recorded in the timeline is cut to this length (refused signals can be many).
MAX_REFUSAL_CHARS = 2000


class Refusal(Exception):
    """A message the protocol does not accept now: the text says exactly what is wrong."""


class Recommendation(BaseModel):
    """An automatic recommendation and, once a person has decided, their confirmation."""

    decision: str
    value: Any
    clauses: list[str]
    reasons: list[str] = Field(default_factory=list)
    confirmed_by: str | None = None
    confirmed_value: Any = None


# Kept under their old names: carried proposal data in recorded histories uses them.
Signature = SignatureRecord
Record = LocalRecord


class Agreement(BaseModel):
    version: int
    sha256: str
    uri: str
    signed_by: list[Signature] = Field(default_factory=list)


class AdviceGiven(BaseModel):
    actor: str
    outcome: str
    notes: str


class ProposalData(BaseModel):
    """The whole of a proposal: carried across continue-as-new, so it must stay complete."""

    model_config = ConfigDict(validate_assignment=False)

    proposal_id: str
    intake: Intake
    started_at: datetime
    policy: Policy | None = None
    state: str = "scoping"
    outcome: str | None = None
    recommendations: dict[str, Recommendation] = Field(default_factory=dict)
    screening_answers: dict[str, bool] | None = None
    dpia_required: bool | None = None
    dpia: dict[str, Any] | None = None
    dpia_outcome: str | None = None
    ico_reference: str | None = None
    isa_required: bool | None = None
    lawful_basis: dict[str, Any] | None = None
    special_category_condition: dict[str, Any] | None = None
    advice: dict[str, AdviceGiven] = Field(default_factory=dict)
    security_method: str | None = None
    security_notes: str | None = None
    agreement: Agreement | None = None
    agreement_version_wanted: int = 0
    launched_at: datetime | None = None
    review_number: int = 0  # the last review completed
    next_review_due: datetime | None = None
    refresh_pending: bool = False
    suspended_from: str | None = None
    records: list[Record] = Field(default_factory=list)
    timeline: list[TimelineEvent] = Field(default_factory=list)
    # Repeating an identical message is harmless: digests of the messages accepted in the
    # state visit just left (a late duplicate is acknowledged, not refused).
    previous_visit_digests: list[str] = Field(default_factory=list)
    current_visit_digests: list[str] = Field(default_factory=list)
    state_changes: int = 0
    # Bookkeeping of the side effects already performed for this proposal.
    recorded_upto: int = 0
    notified_key: str | None = None
    # Publication of the signed agreement (9.1) and its register entry (4.14).
    published_version: int = 0
    public_path: str | None = None
    unpublishable_version: int = 0
    # Overdue approvals and reviews (PROTOCOL.md 2.9): since when the proposal has waited
    # for the same people, how many reminders went out, and since when it is overdue.
    waiting_key: str | None = None
    waiting_since: datetime | None = None
    reminders_sent: int = 0
    overdue_since: datetime | None = None


def message_digest(message: str, payload: Payload) -> str:
    body = json.dumps(
        [message, payload.model_dump(mode="json")], sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(body.encode()).hexdigest()


class Proposal:
    """Applies the protocol to one proposal's data."""

    def __init__(self, data: ProposalData) -> None:
        self.data = data
        self.lifecycle = Lifecycle(data.state)

    # ----- start -------------------------------------------------------------------------

    @classmethod
    def start(cls, proposal_id: str, intake: Intake, now: datetime) -> Proposal:
        """A new proposal, scoped at once (2.2): nothing else happens first."""
        proposal = cls(ProposalData(proposal_id=proposal_id, intake=intake, started_at=now))
        proposal._event(now, SYSTEM_ACTOR, "intake", True, "proposal received", [])
        scope = rules.scope(intake)
        proposal._recommend(scope, now)
        if scope.value == "emergency_referred":
            proposal._fire("refer_emergency", now)
            proposal.data.outcome = "emergency referred: " + "; ".join(scope.reasons)
        elif scope.value == "out_of_scope":
            proposal._fire("rule_out_of_scope", now)
            proposal.data.outcome = "out of scope: " + "; ".join(scope.reasons)
        else:
            proposal._fire("scope_in", now)
        return proposal

    def set_policy(self, policy: Policy) -> None:
        self.data.policy = policy

    # ----- reading -----------------------------------------------------------------------

    @property
    def state(self) -> str:
        return self.lifecycle.state

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL

    @property
    def intake(self) -> Intake:
        return self.data.intake

    @property
    def parties(self) -> list[str]:
        return self.intake.parties

    def unsigned_parties(self) -> list[str]:
        signed = {s.party for s in self.data.agreement.signed_by} if self.data.agreement else set()
        return [p for p in self.parties if p not in signed]

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
                missing = [r for r in ("dpo", "information_rights") if r not in d.advice]
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
        self._check_now(message, payload)
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

    def _check_now(self, message: str, payload: Payload) -> None:
        """What the current state still needs before this message makes sense."""
        d = self.data
        if isinstance(payload, ScreeningDecision):
            if d.screening_answers is None:
                raise Refusal("screening_decision: the caseworker has not sent submit_screening")
            recommended = d.recommendations["dpia_required"].value
            if payload.dpia_required != recommended and not payload.reason:
                raise Refusal(
                    f"screening_decision: the screening recommends dpia_required={recommended}; "
                    "a 'reason' is required to override it (6.2)"
                )
        elif isinstance(payload, DpiaDecision) and d.dpia is None:
            raise Refusal("dpia_decision: no DPIA has been submitted yet (submit_dpia)")
        elif isinstance(payload, IsaDecision):
            recommended = d.recommendations["isa_required"].value
            if payload.isa_required != recommended and not payload.reason:
                raise Refusal(
                    f"isa_decision: the rules recommend isa_required={recommended}; "
                    "a 'reason' is required to override it (3.1, 3.3)"
                )
        elif isinstance(payload, ProposeLawfulBasis):
            problems = rules.check_lawful_basis(payload)
            if problems:
                raise Refusal("propose_lawful_basis: " + "; ".join(problems))
        elif isinstance(payload, SpecialCategoryCondition):
            problems = rules.check_special_category_condition(self.intake, payload)
            if problems:
                raise Refusal("special_category_condition: " + "; ".join(problems))
        elif isinstance(payload, Advice) and d.lawful_basis is None:
            raise Refusal(
                "advice: there is no lawful basis to advise on yet; the caseworker sends "
                "propose_lawful_basis first"
            )
        elif isinstance(payload, Sign):
            self._check_signature(payload)
        elif isinstance(payload, SubmitReview):
            due = d.review_number + 1
            if payload.review_number != due:
                raise Refusal(
                    f"submit_review: review {due} ({rules.review_label(due)}) is due, "
                    f"not review {payload.review_number}"
                )
            problems = rules.check_review_answers(due, payload.answers)
            if problems:
                raise Refusal("submit_review: " + "; ".join(problems))
        elif message == "release_records" and not self.held_records():
            raise Refusal("release_records: no local records are held for this proposal")
        elif message == "withdraw" and self._in_force():
            raise Refusal(
                "withdraw: the agreement is in force and is being re-signed; "
                "use terminate to end it"
            )

    def _check_signature(self, payload: Sign) -> None:
        d = self.data
        if not self.draft_ready or d.agreement is None:
            raise Refusal("sign: the draft agreement is still being prepared; try again shortly")
        if payload.party not in self.parties:
            raise Refusal(f"sign: {payload.party!r} is not a party; the parties are {self.parties}")
        if payload.document_sha256 != d.agreement.sha256:
            raise Refusal(
                f"sign: document_sha256 names a stale or unknown draft; the current draft is "
                f"version {d.agreement.version} with sha256 {d.agreement.sha256}"
            )
        for s in d.agreement.signed_by:
            if s.party == payload.party and (s.actor, s.name, s.job_title) != (
                str(payload.actor),
                payload.name,
                payload.job_title,
            ):
                raise Refusal(f"sign: {payload.party} has already signed this version")

    def _in_force(self) -> bool:
        return self.data.launched_at is not None

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
        handler = _HANDLERS[message]
        actor = str(payload.actor)
        events_before = len(self.data.timeline)
        handler(self, payload, now)
        if self._comparable() == before:
            # identical repeat within the same state visit: drop the automatic events too
            del self.data.timeline[events_before:]
            return False
        self._event(
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
        self._event(now, actor or "unknown", message, False, detail, [])

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

    # one function per message, in the protocol's order

    def _on_submit_screening(self, p: SubmitScreening, now: datetime) -> None:
        self.data.screening_answers = dict(p.answers)
        self._recommend(rules.recommend_dpia(self.intake, p.answers), now)

    def _on_screening_decision(self, p: ScreeningDecision, now: datetime) -> None:
        self._confirm("dpia_required", p.dpia_required, str(p.actor))
        self.data.dpia_required = p.dpia_required
        if p.dpia_required:
            self._fire("require_dpia", now)
        else:
            self._fire("skip_dpia", now)
            self._enter_isa_decision(now)

    def _on_submit_dpia(self, p: SubmitDpia, now: datetime) -> None:
        self.data.dpia = p.model_dump(mode="json", exclude={"actor"})

    def _on_dpia_decision(self, p: DpiaDecision, now: datetime) -> None:
        d = self.data
        d.dpia_outcome = p.outcome
        if p.outcome == "changes_requested":
            d.dpia = None  # back to the caseworker for a revised DPIA
        elif p.outcome == "rejected":
            self._reject(f"DPIA rejected by the DPO: {p.reason}", now)
        elif d.dpia is not None and d.dpia["residual_risk"] == "high":
            self._fire("consult_ico", now)
            self._system(
                now,
                "ico_prior_consultation",
                "high residual risk after mitigation: the ICO must be consulted before processing",
                ["UK GDPR Art 36"],
            )
        else:
            self._fire("approve_dpia", now)
            self._enter_isa_decision(now)

    def _on_ico_consultation_outcome(self, p: IcoConsultationOutcome, now: datetime) -> None:
        self.data.ico_reference = p.reference
        if p.outcome == "do_not_proceed":
            self._reject(f"the ICO advised not to proceed ({p.reference})", now)
        else:
            self._fire("ico_allows", now)
            self._enter_isa_decision(now)

    def _enter_isa_decision(self, now: datetime) -> None:
        self._recommend(rules.recommend_isa(self.intake, bool(self.data.dpia_required)), now)

    def _on_isa_decision(self, p: IsaDecision, now: datetime) -> None:
        self._confirm("isa_required", p.isa_required, str(p.actor))
        self.data.isa_required = p.isa_required
        self._fire("settle_isa_need", now)
        if rules.special_category_condition_needed(self.intake):
            self._system(
                now,
                "special_category_condition_needed",
                "special category or criminal offence data: Information Rights names the condition",
                ["7.3", "UK GDPR Art 9(2)", "UK GDPR Art 10"],
            )

    def _on_propose_lawful_basis(self, p: ProposeLawfulBasis, now: datetime) -> None:
        proposed = p.model_dump(mode="json", exclude={"actor"})
        if self.data.lawful_basis != proposed:
            self.data.advice = {}  # advice was given on another proposal
        self.data.lawful_basis = proposed
        self._recommend(rules.lawful_basis_notes(p), now)
        self._maybe_agree_lawful_basis(now)

    def _on_special_category_condition(self, p: SpecialCategoryCondition, now: datetime) -> None:
        self.data.special_category_condition = p.model_dump(mode="json", exclude={"actor"})
        self._maybe_agree_lawful_basis(now)

    def _on_advice(self, p: Advice, now: datetime) -> None:
        if p.outcome == "object":
            self.data.lawful_basis = None
            self.data.advice = {}
            self._system(
                now,
                "advice_objection",
                f"{p.role} objects: the proposal goes back to the caseworker to propose "
                "a lawful basis again",
                ["4.7"],
            )
            return
        self.data.advice[p.role] = AdviceGiven(actor=str(p.actor), outcome=p.outcome, notes=p.notes)
        self._maybe_agree_lawful_basis(now)

    def _maybe_agree_lawful_basis(self, now: datetime) -> None:
        d = self.data
        ready = (
            d.lawful_basis is not None
            and all(
                d.advice.get(r) and d.advice[r].outcome == "support"
                for r in ("dpo", "information_rights")
            )
            and (
                d.special_category_condition is not None
                or not rules.special_category_condition_needed(self.intake)
            )
        )
        if not ready:
            return
        self._fire("agree_lawful_basis", now)
        threshold = d.policy.small_volume_threshold if d.policy else Policy().small_volume_threshold
        security = rules.recommend_security(self.intake, threshold)
        self._recommend(security, now)
        if security.value == "encrypted_email":
            d.security_method = "encrypted_email"
            self._after_security_method(now)

    def _on_security_advice(self, p: SecurityAdvice, now: datetime) -> None:
        self._confirm("security_method", p.method, str(p.actor))
        self.data.security_method = p.method
        self.data.security_notes = p.notes
        self._after_security_method(now)

    def _after_security_method(self, now: datetime) -> None:
        if self.data.isa_required:
            self._fire("draft_agreement", now)
            self.data.agreement_version_wanted += 1
        else:
            self._fire("approve_without_agreement", now)
            self.data.outcome = "approved without an agreement: sharing may proceed by " + str(
                self.data.security_method
            )
            self._system(
                now,
                "approved_without_agreement",
                "no information sharing agreement is needed",
                ["3.3"],
            )

    def _on_sign(self, p: Sign, now: datetime) -> None:
        agreement = self.data.agreement
        assert agreement is not None  # checked in _check_signature
        if any(s.party == p.party for s in agreement.signed_by):
            return  # identical repeat
        agreement.signed_by.append(
            Signature(
                party=p.party,
                name=p.name,
                job_title=p.job_title,
                actor=str(p.actor),
                at=now,
                document_sha256=p.document_sha256,
            )
        )
        if not self.unsigned_parties():
            self._launch(now)

    def _launch(self, now: datetime) -> None:
        d = self.data
        self._fire("all_signed", now)
        assert d.agreement is not None
        if d.launched_at is None:
            # 10.1: reviews run from the date the last party signed the first version
            d.launched_at = now
            d.next_review_due = rules.review_due_at(now, 1)
        self._system(
            now,
            "agreement_signed",
            f"all parties signed version {d.agreement.version}; publish and record it "
            "in the register",
            ["9.1", "4.14"],
        )

    def _on_submit_review(self, p: SubmitReview, now: datetime) -> None:
        d = self.data
        outcome = rules.review_outcome(p.review_number, p.answers)
        d.review_number = p.review_number
        assert d.launched_at is not None
        d.next_review_due = rules.review_due_at(d.launched_at, p.review_number + 1)
        self._recommend(outcome, now, key=f"review_{p.review_number}")
        if outcome.value == "passed":
            self._fire("pass_review", now)
        elif outcome.value == "needs_refresh":
            self._refresh(now)
        else:
            d.refresh_pending = outcome.value == "failed_and_needs_refresh"
            self._fire("fail_review", now)

    def _refresh(self, now: datetime) -> None:
        self.data.refresh_pending = False
        self._fire("refresh_agreement", now)
        self.data.agreement_version_wanted += 1

    def _on_remediation_complete(self, p: RemediationComplete, now: datetime) -> None:
        if self.data.refresh_pending:
            self._refresh(now)
        else:
            self._fire("remediate", now)

    def _on_suspend(self, p: Reason, now: datetime) -> None:
        self.data.suspended_from = self.state
        self._fire("suspend", now)

    def _on_resume(self, p: Reason, now: datetime) -> None:
        came_from, self.data.suspended_from = self.data.suspended_from, None
        self._fire("resume_remediation" if came_from == "remediation" else "resume_sharing", now)

    def _on_withdraw(self, p: Reason, now: datetime) -> None:
        self._fire("withdraw", now)
        self.data.outcome = f"withdrawn by {p.actor}"

    def _on_terminate(self, p: Reason, now: datetime) -> None:
        if self.state in PRE_ACTIVE and not self._in_force():
            self._reject(f"rejected by {p.actor}: {p.reason}", now)
        else:
            self._fire("terminate", now)
            self.data.next_review_due = None  # no more reviews once terminated
            self._system(
                now,
                "terminated",
                "the agreement is terminated: retention and "
                "destruction must be confirmed before it ends",
                ["10.1"],
            )

    def _on_confirm_destruction(self, p: ConfirmDestruction, now: datetime) -> None:
        self._fire("confirm_destruction", now)
        self.data.outcome = "ended: retention and destruction confirmed"

    def _on_attach_record(self, p: AttachRecord, now: datetime) -> None:
        if any(r.sha256 == p.sha256 and r.uri == p.uri for r in self.data.records):
            return
        self.data.records.append(
            Record(
                kind=p.kind,
                uri=p.uri,
                sha256=p.sha256,
                description=p.description,
                actor=str(p.actor),
                at=now,
            )
        )

    def _on_release_records(self, p: Reason, now: datetime) -> None:
        held = self.held_records()
        for i, record in enumerate(self.data.records):
            if record.released_at is None:
                self.data.records[i] = record.model_copy(
                    update={"released_at": now, "released_by": str(p.actor)}
                )
        self._system(
            now,
            "records_released",
            f"{len(held)} local record(s) released by Information Rights",
            ["4.14"],
        )

    def held_records(self) -> list[LocalRecord]:
        """Local records not yet released by Information Rights (4.14)."""
        return [r for r in self.data.records if r.released_at is None]

    # ----- timers and side effects reported back -----------------------------------------

    def review_is_due(self, now: datetime) -> bool:
        d = self.data
        return self.state == "active" and d.next_review_due is not None and now >= d.next_review_due

    def review_falls_due(self, now: datetime) -> None:
        number = self.data.review_number + 1
        self._fire("review_falls_due", now)
        self.data.previous_visit_digests = self.data.current_visit_digests
        self.data.current_visit_digests = []
        checks = ", ".join(rules.checks_due(number))
        self._system(
            now,
            "review_due",
            f"review {number} ({rules.review_label(number)}) is due: checks {checks}",
            ["10.1"],
        )

    @property
    def draft_ready(self) -> bool:
        """The version to be signed has been drafted."""
        d = self.data
        return d.agreement is not None and d.agreement.version == d.agreement_version_wanted

    def needs_draft(self) -> bool:
        return self.state == "signing" and not self.draft_ready

    def agreement_request(self) -> AgreementRequest | None:
        """The draft the proposal needs now, if any."""
        d = self.data
        if not self.needs_draft():
            return None
        basis = d.lawful_basis or {}
        return AgreementRequest(
            proposal_id=d.proposal_id,
            version=d.agreement_version_wanted,
            title=self.intake.title,
            purpose=self.intake.purpose,
            parties=self.parties,
            special_categories=[str(c) for c in self.intake.special_categories],
            criminal_offence_data=self.intake.criminal_offence_data,
            lawful_basis=str(basis.get("basis", "")),
            lawful_basis_justification=str(basis.get("justification", "")),
            special_category_condition=d.special_category_condition,
            dpia_required=bool(d.dpia_required),
            dpia_outcome=d.dpia_outcome,
            security_method=d.security_method or "",
            review_schedule=rules.review_schedule_text(),
            volume=self.intake.volume,
            frequency=str(self.intake.frequency),
        )

    def agreement_drafted(self, draft: AgreementDraft, now: datetime) -> None:
        d = self.data
        if self.state != "signing" or draft.version != d.agreement_version_wanted:
            return  # the proposal moved on while the draft was written
        d.agreement = Agreement(version=draft.version, sha256=draft.sha256, uri=draft.uri)
        self._system(
            now,
            "agreement_drafted",
            f"version {draft.version} drafted (sha256 {draft.sha256}); every party "
            "signs this version",
            ["9.1"],
        )

    # ----- publication (9.1, 4.14) ------------------------------------------------------

    def publish_request(self) -> PublishRequest | None:
        """The signed version to publish and enter in the register, once all have signed."""
        d, agreement = self.data, self.data.agreement
        if (
            self.state not in IN_FORCE
            or agreement is None
            or self.unsigned_parties()
            or agreement.version <= max(d.published_version, d.unpublishable_version)
        ):
            return None
        basis = d.lawful_basis or {}
        return PublishRequest(
            proposal_id=d.proposal_id,
            title=self.intake.title,
            purpose=self.intake.purpose,
            parties=self.parties,
            lawful_basis=str(basis.get("basis", "")),
            lawful_basis_justification=str(basis.get("justification", "")),
            special_category_condition=d.special_category_condition,
            special_categories=[str(c) for c in self.intake.special_categories],
            dpia_required=bool(d.dpia_required),
            dpia_outcome=d.dpia_outcome,
            security_method=d.security_method or "",
            version=agreement.version,
            sha256=agreement.sha256,
            uri=agreement.uri,
            signatures=list(agreement.signed_by),
            signed_at=max(s.at for s in agreement.signed_by),
            next_review_due=d.next_review_due,
            state=self.state,
        )

    def agreement_published(self, publication: Publication, version: int, now: datetime) -> None:
        self.data.published_version = version
        self.data.public_path = publication.public_path
        self._system(
            now,
            "agreement_published",
            f"signed version {version} published at {publication.public_path} and entered "
            "in the information sharing register",
            ["9.1", "4.14"],
        )

    def publication_failed(self, version: int, why: str, now: datetime) -> None:
        """The signed document could not be published as signed: say so, and stop trying
        for this version (re-signing a new version publishes that one)."""
        self.data.unpublishable_version = version
        self._system(
            now,
            "publication_failed",
            f"signed version {version} was not published: {why}",
            ["9.1", "4.14"],
        )

    # ----- overdue approvals and reviews (PROTOCOL.md 2.9) -------------------------------

    def note_waiting(self, now: datetime) -> None:
        """Start the overdue clock whenever whom the proposal waits for changes. A suspended
        agreement waits on purpose, and is not chased."""
        d = self.data
        awaiting = self.awaiting()
        key = self.notification_key(awaiting) if awaiting and self.state != "suspended" else None
        if key == d.waiting_key:
            return
        d.waiting_key, d.waiting_since = key, (now if key else None)
        d.reminders_sent, d.overdue_since = 0, None

    def _chase_times(self) -> tuple[datetime | None, datetime | None]:
        """When the next reminder and the escalation fall due (None: not pending)."""
        d = self.data
        if d.waiting_since is None or d.policy is None:
            return None, None
        reminder = d.waiting_since + (d.reminders_sent + 1) * d.policy.remind_after
        escalation = None
        if d.overdue_since is None:
            escalation = d.waiting_since + d.policy.escalate_after
        return reminder, escalation

    def next_chase_at(self) -> datetime | None:
        times = [t for t in self._chase_times() if t is not None]
        return min(times) if times else None

    def chase_due(self, now: datetime) -> str | None:
        """ "escalation" or "reminder" when one is due now, else None."""
        reminder, escalation = self._chase_times()
        if escalation is not None and now >= escalation:
            return "escalation"
        if reminder is not None and now >= reminder:
            return "reminder"
        return None

    def chase(self, kind: str, now: datetime) -> NotificationRequest:
        """Record a reminder or the escalation, and say whom to tell. Reminder periods that
        passed unseen (a worker was down) are counted, not sent one by one."""
        d = self.data
        assert d.waiting_since is not None and d.policy is not None
        d.reminders_sent = max(d.reminders_sent, (now - d.waiting_since) // d.policy.remind_after)
        awaiting = self.awaiting()
        what = "; ".join(f"{w['message']} from {' or '.join(w['roles'])}" for w in awaiting)
        since = f"{d.waiting_since:%Y-%m-%d %H:%M} UTC"
        clauses = list(dict.fromkeys(c for w in awaiting for c in MESSAGES[w["message"]].clauses))
        if kind == "escalation":
            d.overdue_since = d.waiting_since + d.policy.escalate_after
            self._system(
                now,
                "escalated",
                f"overdue: waiting since {since} for {what}; escalated to Information Rights, "
                "the DPO and the caseworker",
                clauses,
            )
        else:
            self._system(
                now,
                "reminder",
                f"reminder {d.reminders_sent}: waiting since {since} for {what}",
                clauses,
            )
        # the outbox tells reminders and the escalation of one waiting point apart by kind
        assert d.waiting_key is not None
        return self.notification_request(
            awaiting,
            d.waiting_key,
            kind=kind,
            reminder=d.reminders_sent,
            overdue_since=d.overdue_since,
        )

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

    def waiting_notification(self) -> NotificationRequest | None:
        """Whom to tell that the proposal now waits for them: None when it waits for no one
        or they were told at this waiting point (`notified`)."""
        awaiting = self.awaiting()
        key = self.notification_key(awaiting)
        if not awaiting or key == self.data.notified_key:
            return None
        return self.notification_request(awaiting, key)

    def notified(self, request: NotificationRequest) -> None:
        """`request` (from `waiting_notification`) is queued: not again at this point."""
        self.data.notified_key = request.key

    def notification_request(
        self, awaiting: list[dict[str, Any]], key: str, **extra: Any
    ) -> NotificationRequest:
        """Tell whoever the proposal waits for (`awaiting()`), once per `key`."""
        intake, answers = self.intake, self.data.screening_answers
        innovative = None
        if answers is not None:
            innovative = bool(
                answers.get("ico_innovative_technology") or answers.get("wp_innovative_use")
            )
        return NotificationRequest(
            proposal_id=self.data.proposal_id,
            key=key,
            title=intake.title,
            state=self.state,
            awaiting={w["message"]: w["roles"] for w in awaiting},
            caseworker=str(intake.caseworker),
            unsigned_parties=self.unsigned_parties(),
            # what ICT needs to judge the transfer method (8.2)
            recipient_organisations=[r.name for r in intake.recipients],
            special_categories=[str(c) for c in intake.special_categories],
            criminal_offence_data=intake.criminal_offence_data,
            volume=intake.volume,
            frequency=str(intake.frequency),
            innovative_technology=innovative,
            maintained_technology=intake.maintained_technology,
            **extra,
        )

    def notification_key(self, awaiting: list[dict[str, Any]] | None = None) -> str:
        """Changes whenever whom the proposal waits for (`awaiting()`) changes."""
        awaiting_json = json.dumps(
            self.awaiting() if awaiting is None else awaiting, sort_keys=True
        )
        return (
            f"{self.data.state_changes}:{hashlib.sha256(awaiting_json.encode()).hexdigest()[:16]}"
        )

    # ----- internals ---------------------------------------------------------------------

    def _fire(self, event: str, now: datetime) -> None:
        before = self.state
        self.lifecycle.fire(event)
        self.data.state = self.state
        self.data.state_changes += 1
        self._event(now, SYSTEM_ACTOR, "state", True, f"{before} -> {self.state}", [])

    def _reject(self, why: str, now: datetime) -> None:
        self._fire("reject", now)
        self.data.outcome = why

    def _recommend(self, decision: Decision, now: datetime, key: str | None = None) -> None:
        self.data.recommendations[key or decision.decision] = Recommendation(
            decision=decision.decision,
            value=decision.value,
            clauses=list(decision.clauses),
            reasons=list(decision.reasons),
        )
        self._event(
            now, SYSTEM_ACTOR, decision.decision, True, decision.explain(), list(decision.clauses)
        )

    def _confirm(self, decision: str, value: Any, actor: str) -> None:
        rec = self.data.recommendations.get(decision)
        if rec is not None:
            rec.confirmed_by = actor
            rec.confirmed_value = value

    def _system(self, now: datetime, what: str, detail: str, clauses: list[str]) -> None:
        self._event(now, SYSTEM_ACTOR, what, True, detail, clauses)

    def _event(
        self,
        now: datetime,
        actor: str,
        message: str,
        accepted: bool,
        detail: str,
        clauses: list[str] | tuple[str, ...],
        at_index: int | None = None,
    ) -> None:
        timeline = self.data.timeline
        event = TimelineEvent(
            seq=0,
            at=now,
            actor=actor,
            message=message,
            accepted=accepted,
            detail=detail,
            clauses=list(clauses),
            state=self.state,
        )
        if at_index is None:
            timeline.append(event)
        else:
            # a person's message goes before the automatic decisions it caused
            timeline.insert(at_index, event)
        for i in range(at_index if at_index is not None else len(timeline) - 1, len(timeline)):
            timeline[i] = timeline[i].model_copy(update={"seq": i + 1})


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

_HANDLERS: dict[str, Callable[[Proposal, Any, datetime], None]] = {
    "submit_screening": Proposal._on_submit_screening,
    "screening_decision": Proposal._on_screening_decision,
    "submit_dpia": Proposal._on_submit_dpia,
    "dpia_decision": Proposal._on_dpia_decision,
    "ico_consultation_outcome": Proposal._on_ico_consultation_outcome,
    "isa_decision": Proposal._on_isa_decision,
    "propose_lawful_basis": Proposal._on_propose_lawful_basis,
    "special_category_condition": Proposal._on_special_category_condition,
    "advice": Proposal._on_advice,
    "security_advice": Proposal._on_security_advice,
    "sign": Proposal._on_sign,
    "submit_review": Proposal._on_submit_review,
    "remediation_complete": Proposal._on_remediation_complete,
    "suspend": Proposal._on_suspend,
    "resume": Proposal._on_resume,
    "attach_record": Proposal._on_attach_record,
    "release_records": Proposal._on_release_records,
    "withdraw": Proposal._on_withdraw,
    "terminate": Proposal._on_terminate,
    "confirm_destruction": Proposal._on_confirm_destruction,
}
assert set(_HANDLERS) == set(MESSAGES), "every message has exactly one handler"
