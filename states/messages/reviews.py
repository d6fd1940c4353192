"""Reviews (PROTOCOL.md 2.9; protocol 10.1): the reviewer answers the checks due, Information
Rights records remediation, and sharing may be suspended and resumed."""

from __future__ import annotations

from pydantic import Field, field_validator

from states.messages.common import MessageSpec, Payload, Reason, Role, ShortText

REVIEW_CHECKS: tuple[str, ...] = (
    "data_received",
    "secure",
    "adequate_limited_relevant",
    "benefits_realised",
    "retention_destruction_ok",
    "needs_refresh",
)


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


SPECS: tuple[MessageSpec, ...] = (
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
)
