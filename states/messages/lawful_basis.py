"""Lawful basis and advice (PROTOCOL.md 2.6; protocol 4.2-4.13, 5.3, 7.3): the caseworker
proposes the basis, Information Rights names the condition, the DPO and Information
Rights advise."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from states.messages.common import MessageSpec, Payload, Role, ShortText, Uri


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


SPECS: tuple[MessageSpec, ...] = (
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
)
