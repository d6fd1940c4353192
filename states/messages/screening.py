"""DPIA screening (PROTOCOL.md 2.3; protocol 6.1-6.3): the caseworker answers every
screening criterion, the DPO confirms or overrides the recommendation."""

from __future__ import annotations

from pydantic import Field, field_validator

from states.messages.common import MessageSpec, Payload, Role

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


SPECS: tuple[MessageSpec, ...] = (
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
)
