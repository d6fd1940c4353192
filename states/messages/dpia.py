"""The DPIA (PROTOCOL.md 2.4; protocol 6.4) and the ICO's prior consultation (UK GDPR Art 36)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from states.messages.common import (
    EXAMPLE_SHA256,
    MessageSpec,
    Payload,
    Role,
    Sha256,
    ShortText,
    Uri,
)


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


SPECS: tuple[MessageSpec, ...] = (
    MessageSpec(
        "submit_dpia",
        (Role.caseworker,),
        SubmitDpia,
        "Caseworker: submit the completed DPIA (document reference, SHA-256, residual risk).",
        ("6.4",),
        {
            "document_uri": "https://docs.example/dpia/123",
            "document_sha256": EXAMPLE_SHA256,
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
)
