"""The caseworker's intake (PROTOCOL.md 2.1, CONTRACT.md "Intake")."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from states.limits import text_problem


class RecipientKind(StrEnum):
    public_body = "public_body"
    private_individual = "private_individual"
    private_firm = "private_firm"
    agent_of_private_party = "agent_of_private_party"


class Location(StrEnum):
    england = "england"
    wales = "wales"
    scotland = "scotland"
    northern_ireland = "northern_ireland"
    outside_uk = "outside_uk"


class SpecialCategory(StrEnum):
    """The nine special categories of 7.1 (UK GDPR Art 9(1))."""

    racial_or_ethnic_origin = "racial_or_ethnic_origin"
    political_opinions = "political_opinions"
    religious_or_philosophical_beliefs = "religious_or_philosophical_beliefs"
    trade_union_membership = "trade_union_membership"
    genetic = "genetic"
    biometric = "biometric"
    health = "health"
    sex_life = "sex_life"
    sexual_orientation = "sexual_orientation"


class Frequency(StrEnum):
    one_off = "one_off"
    occasional = "occasional"
    regular = "regular"


class RequestType(StrEnum):
    proactive_share = "proactive_share"
    subject_access_request = "subject_access_request"
    foi_request = "foi_request"
    material_evidence_to_complainant = "material_evidence_to_complainant"
    financial_information = "financial_information"


class SpecifiedInLaw(StrEnum):
    """Sharing expected or specified in law (3.3)."""

    emergency_services = "emergency_services"
    organisation_under_investigation = "organisation_under_investigation"
    formal_inquiry = "formal_inquiry"
    hmrc_tax = "hmrc_tax"
    other_statutory = "other_statutory"


class Recipient(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    kind: RecipientKind
    location: Location

    @field_validator("name")
    @classmethod
    def _no_blank_name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("recipient name must not be blank")
        if (why := text_problem(v)) is not None:
            raise ValueError(f"recipient name {why}")
        if v.strip().upper() == "PHSO":
            raise ValueError("PHSO is always a party; name the other organisation")
        return v.strip()


class Intake(BaseModel):
    """The start input of a `SharingProposal` workflow."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1, max_length=200)
    purpose: str = Field(min_length=1, max_length=5000)
    caseworker: EmailStr
    recipients: list[Recipient] = Field(min_length=1, max_length=50)
    personal_data: bool
    anonymised: bool
    special_categories: list[SpecialCategory] = Field(default_factory=list)
    criminal_offence_data: bool = False
    volume: int = Field(ge=0, le=1_000_000_000)
    frequency: Frequency
    request_type: RequestType
    imminent_risk_of_harm: bool
    specified_in_law: SpecifiedInLaw | None = None
    onward_use_controls: bool
    business_critical: bool
    maintained_technology: bool

    @field_validator("title", "purpose")
    @classmethod
    def _storable_text(cls, v: str) -> str:
        if (why := text_problem(v)) is not None:
            raise ValueError(f"the text {why}")
        return v

    @field_validator("recipients")
    @classmethod
    def _distinct_recipients(cls, v: list[Recipient]) -> list[Recipient]:
        names = [r.name.casefold() for r in v]
        if len(set(names)) != len(names):
            raise ValueError("each recipient organisation must be named once")
        return v

    @field_validator("special_categories")
    @classmethod
    def _distinct_categories(cls, v: list[SpecialCategory]) -> list[SpecialCategory]:
        return sorted(set(v))

    @property
    def parties(self) -> list[str]:
        """The parties to an agreement: PHSO and each recipient, named as in the intake."""
        return ["PHSO", *(r.name for r in self.recipients)]
