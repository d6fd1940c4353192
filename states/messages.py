"""The messages people send (CONTRACT.md "Messages"): who may send them and their payloads.

Every payload is one JSON object with `actor` (an email in the people directory). Payload
models forbid unknown fields so that a typo is refused instead of silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError, field_validator

SCREENING_CRITERIA: tuple[str, ...] = (
    "art35_automated_decisions",
    "art35_large_scale_special",
    "art35_public_monitoring",
    "ico_denial_of_service",
    "ico_large_scale_profiling",
    "ico_data_matching",
    "ico_children_or_vulnerable",
    "ico_physical_harm",
    "ico_innovative_technology",
    "ico_biometric",
    "ico_genetic",
    "ico_invisible_processing",
    "ico_tracking",
    "wp_evaluation_scoring",
    "wp_automated_decisions",
    "wp_systematic_monitoring",
    "wp_sensitive_data",
    "wp_large_scale",
    "wp_matching_datasets",
    "wp_vulnerable_subjects",
    "wp_innovative_use",
    "wp_prevents_rights",
)

REVIEW_CHECKS: tuple[str, ...] = (
    "data_received",
    "secure",
    "adequate_limited_relevant",
    "benefits_realised",
    "retention_destruction_ok",
    "needs_refresh",
)


class Role(StrEnum):
    caseworker = "caseworker"
    dpo = "dpo"
    information_rights = "information_rights"
    ict = "ict"
    signatory = "signatory"
    reviewer = "reviewer"
    auditor = "auditor"


# Segregation of duties (PROTOCOL.md 1): the proposing caseworker never acts in these.
SEGREGATED_ROLES: frozenset[Role] = frozenset({Role.dpo, Role.information_rights, Role.ict})

ShortText = Field(min_length=1, max_length=4000)
Uri = Field(min_length=1, max_length=2000)
Sha256 = Field(pattern=r"^[0-9a-f]{64}$")


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    actor: EmailStr


class SubmitScreening(Payload):
    answers: dict[str, bool]

    @field_validator("answers")
    @classmethod
    def _every_criterion(cls, v: dict[str, bool]) -> dict[str, bool]:
        unknown = sorted(set(v) - set(SCREENING_CRITERIA))
        missing = [c for c in SCREENING_CRITERIA if c not in v]
        problems = []
        if unknown:
            problems.append(f"unknown criteria {unknown}")
        if missing:
            problems.append(f"missing answers for {missing}")
        if problems:
            raise ValueError("; ".join(problems) + " (answer every screening criterion id)")
        return {c: v[c] for c in SCREENING_CRITERIA}


class ScreeningDecision(Payload):
    dpia_required: bool
    reason: str | None = Field(default=None, max_length=4000)


class SubmitDpia(Payload):
    document_uri: str = Uri
    document_sha256: str = Sha256
    residual_risk: Literal["low", "medium", "high"]


class DpiaDecision(Payload):
    outcome: Literal["approved", "changes_requested", "rejected"]
    reason: str = ShortText


class IcoConsultationOutcome(Payload):
    outcome: Literal["proceed", "do_not_proceed"]
    reference: str = Field(min_length=1, max_length=200)


class IsaDecision(Payload):
    isa_required: bool
    reason: str | None = Field(default=None, max_length=4000)


class Minimisation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    necessary: bool
    least_identifying: bool
    anonymisation_considered: bool
    accurate: bool
    timely: bool


class LawfulBasis(StrEnum):
    consent = "consent"
    contract = "contract"
    legal_obligation = "legal_obligation"
    vital_interests = "vital_interests"
    public_task = "public_task"
    legitimate_interests = "legitimate_interests"


class ProposeLawfulBasis(Payload):
    basis: LawfulBasis
    justification: str = ShortText
    evidence_uri: str = Uri
    minimisation: Minimisation
    safety_considered: bool
    # For legitimate interests [law: ICO guidance]: individuals can opt out.
    opt_out_offered: bool | None = None


class SpecialCategoryCondition(Payload):
    article9: Literal["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"] | None = None
    schedule1: str | None = Field(default=None, min_length=1, max_length=200)
    article10_schedule1: str | None = Field(default=None, min_length=1, max_length=200)
    reason: str = ShortText


class Advice(Payload):
    role: Literal["dpo", "information_rights"]
    outcome: Literal["support", "object"]
    notes: str = ShortText


class SecurityAdvice(Payload):
    method: str = Field(min_length=1, max_length=200)
    notes: str = ShortText


class Sign(Payload):
    party: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=200)
    job_title: str = Field(min_length=1, max_length=200)
    document_sha256: str = Sha256


class SubmitReview(Payload):
    review_number: int = Field(ge=1, le=1000)
    answers: dict[str, bool]
    notes: str = Field(default="", max_length=4000)

    @field_validator("answers")
    @classmethod
    def _known_checks(cls, v: dict[str, bool]) -> dict[str, bool]:
        unknown = sorted(set(v) - set(REVIEW_CHECKS))
        if unknown:
            raise ValueError(f"unknown review checks {unknown}; known: {list(REVIEW_CHECKS)}")
        return v


class RemediationComplete(Payload):
    actions: str = ShortText


class Reason(Payload):
    reason: str = ShortText


class AttachRecord(Payload):
    kind: str = Field(min_length=1, max_length=100)
    uri: str = Uri
    sha256: str = Sha256
    description: str = ShortText


class ConfirmDestruction(Payload):
    notes: str = ShortText


@dataclass(frozen=True)
class MessageSpec:
    """One named message: who may send it, its payload, a line for the UI, an example."""

    name: str
    roles: tuple[Role, ...]
    payload: type[Payload]
    description: str
    clauses: tuple[str, ...]
    example: dict[str, Any]


_SHA = "0" * 63 + "1"

MESSAGES: dict[str, MessageSpec] = {
    m.name: m
    for m in (
        MessageSpec(
            "submit_screening",
            (Role.caseworker,),
            SubmitScreening,
            "Caseworker: answer the DPIA screening questions (every criterion id -> true/false).",
            ("6.1", "6.2"),
            {"answers": dict.fromkeys(SCREENING_CRITERIA, False)},
        ),
        MessageSpec(
            "screening_decision",
            (Role.dpo,),
            ScreeningDecision,
            "DPO: confirm or override the DPIA recommendation (reason needed to override).",
            ("6.2", "6.3", "6.4"),
            {"dpia_required": True, "reason": "special category data"},
        ),
        MessageSpec(
            "submit_dpia",
            (Role.caseworker,),
            SubmitDpia,
            "Caseworker: submit the completed DPIA (document reference, SHA-256, residual risk).",
            ("6.4",),
            {
                "document_uri": "https://docs.example/dpia/123",
                "document_sha256": _SHA,
                "residual_risk": "low",
            },
        ),
        MessageSpec(
            "dpia_decision",
            (Role.dpo,),
            DpiaDecision,
            "DPO: approve the DPIA, request changes, or reject the proposal.",
            ("6.4",),
            {"outcome": "approved", "reason": "risks mitigated"},
        ),
        MessageSpec(
            "ico_consultation_outcome",
            (Role.dpo,),
            IcoConsultationOutcome,
            "DPO: record the ICO's answer to prior consultation (proceed or do not proceed).",
            ("UK GDPR Art 36",),
            {"outcome": "proceed", "reference": "ICO-2026-0001"},
        ),
        MessageSpec(
            "isa_decision",
            (Role.information_rights,),
            IsaDecision,
            "Information Rights: confirm or override whether an agreement (ISA) is needed.",
            ("3.1", "3.3"),
            {"isa_required": True, "reason": "regular sharing"},
        ),
        MessageSpec(
            "propose_lawful_basis",
            (Role.caseworker,),
            ProposeLawfulBasis,
            "Caseworker: propose the Art 6 lawful basis, with evidence and minimisation.",
            ("4.4", "4.9", "4.10", "4.12", "4.13", "5.3"),
            {
                "basis": "public_task",
                "justification": "joint investigation under our statutory function",
                "evidence_uri": "https://docs.example/basis/123",
                "minimisation": {
                    "necessary": True,
                    "least_identifying": True,
                    "anonymisation_considered": True,
                    "accurate": True,
                    "timely": True,
                },
                "safety_considered": True,
            },
        ),
        MessageSpec(
            "special_category_condition",
            (Role.information_rights,),
            SpecialCategoryCondition,
            "Information Rights: name the Art 9(2) / Schedule 1 (or Art 10) condition.",
            ("7.3",),
            {"article9": "g", "schedule1": "Part 2 paragraph 6", "reason": "statutory purpose"},
        ),
        MessageSpec(
            "advice",
            (Role.dpo, Role.information_rights),
            Advice,
            "DPO or Information Rights: advise on the proposed sharing (support or object).",
            ("4.2", "4.7", "4.11", "4.12", "4.13"),
            {"role": "dpo", "outcome": "support", "notes": "basis is sound"},
        ),
        MessageSpec(
            "security_advice",
            (Role.ict,),
            SecurityAdvice,
            "ICT: record the advised secure transfer method (8.2 factors in the notes).",
            ("8.1", "8.2"),
            {"method": "SFTP with PGP", "notes": "sensitive, regular, partner is accredited"},
        ),
        MessageSpec(
            "sign",
            (Role.signatory,),
            Sign,
            "Signatory: sign the current draft of the agreement, named by its SHA-256.",
            ("9.1",),
            {
                "party": "PHSO",
                "name": "A Signatory",
                "job_title": "Director",
                "document_sha256": _SHA,
            },
        ),
        MessageSpec(
            "submit_review",
            (Role.reviewer,),
            SubmitReview,
            "Reviewer: answer the checks due at this review (each check id -> true/false).",
            ("10.1",),
            {
                "review_number": 1,
                "answers": {
                    "data_received": True,
                    "secure": True,
                    "adequate_limited_relevant": True,
                },
                "notes": "",
            },
        ),
        MessageSpec(
            "remediation_complete",
            (Role.information_rights,),
            RemediationComplete,
            "Information Rights: record the remediation actions after a failed review.",
            ("10.1", "4.14"),
            {"actions": "access tightened; retention schedule re-applied"},
        ),
        MessageSpec(
            "suspend",
            (Role.information_rights, Role.dpo),
            Reason,
            "Information Rights or DPO: suspend the sharing.",
            ("10.1",),
            {"reason": "security concern under investigation"},
        ),
        MessageSpec(
            "resume",
            (Role.information_rights, Role.dpo),
            Reason,
            "Information Rights or DPO: resume suspended sharing.",
            ("10.1",),
            {"reason": "concern resolved"},
        ),
        MessageSpec(
            "attach_record",
            (Role.caseworker, Role.information_rights),
            AttachRecord,
            "Caseworker or Information Rights: attach a local record (email, process map).",
            ("4.14",),
            {
                "kind": "email",
                "uri": "https://records.example/emails/1",
                "sha256": _SHA,
                "description": "partner's confirmation",
            },
        ),
        MessageSpec(
            "release_records",
            (Role.information_rights,),
            Reason,
            "Information Rights: release the local records kept for this proposal (4.14).",
            ("4.14",),
            {"reason": "agreement finalised and entered in the register"},
        ),
        MessageSpec(
            "withdraw",
            (Role.caseworker, Role.information_rights),
            Reason,
            "Caseworker or Information Rights: withdraw the proposal before it is active.",
            ("4.14",),
            {"reason": "no longer needed"},
        ),
        MessageSpec(
            "terminate",
            (Role.information_rights, Role.dpo),
            Reason,
            "Information Rights or DPO: reject a proposal, or terminate an agreement in force.",
            ("10.1",),
            {"reason": "purpose fulfilled"},
        ),
        MessageSpec(
            "confirm_destruction",
            (Role.information_rights,),
            ConfirmDestruction,
            "Information Rights: confirm retention and destruction after termination.",
            ("10.1",),
            {"notes": "partner confirmed secure destruction"},
        ),
    )
}


class PayloadError(ValueError):
    """A payload that does not fit its message: says exactly which field and why."""


def example_payload(message: str, actor: str | None = None, /, **fields: Any) -> dict[str, Any]:
    """The example payload of `message`, sent by `actor`, with `fields` (e.g. `name`)
    replaced."""
    spec = MESSAGES[message]
    return {"actor": actor or f"{spec.roles[0].value}@phso.example", **spec.example, **fields}


def parse_payload(message: str, raw: object) -> Payload:
    """Validate a raw JSON payload for `message`, or raise PayloadError saying what is wrong."""
    spec = MESSAGES.get(message)
    if spec is None:
        raise PayloadError(f"unknown message {message!r}; known: {sorted(MESSAGES)}")
    if not isinstance(raw, dict):
        raise PayloadError(
            f"{message}: the payload must be one JSON object with 'actor', got {type(raw).__name__}"
        )
    try:
        return spec.payload.model_validate(raw)
    except ValidationError as err:
        raise PayloadError(f"{message}: {describe_validation_error(err)}") from None


def describe_validation_error(err: ValidationError) -> str:
    """Pydantic's errors as one readable line: ``field 'x': reason; field 'y': reason``."""
    parts = []
    for e in err.errors(include_url=False, include_input=False):
        where = ".".join(str(p) for p in e["loc"]) or "payload"
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "is not a field of this message"
        parts.append(f"field '{where}': {msg}")
    return "; ".join(parts)
