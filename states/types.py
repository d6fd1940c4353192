"""What the protocol exchanges with the outside world: inputs and outputs of the activities.

Plain pydantic models so that they pass through the Temporal pydantic data converter and
are importable inside the workflow sandbox.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Person(BaseModel):
    """An entry of the people directory."""

    model_config = ConfigDict(frozen=True)

    email: str
    name: str = ""
    roles: list[str] = Field(default_factory=list)
    # The organisation a person belongs to; a signatory signs for this party.
    organisation: str = "PHSO"


class Policy(BaseModel):
    """Configuration the rules need, read once per run and recorded in history."""

    model_config = ConfigDict(frozen=True)

    small_volume_threshold: int = 100


class TimelineEvent(BaseModel):
    """One entry of a proposal's timeline (CONTRACT.md `timeline` query), numbered."""

    model_config = ConfigDict(frozen=True)

    seq: int
    at: datetime
    actor: str
    message: str
    accepted: bool
    detail: str
    clauses: list[str] = Field(default_factory=list)
    state: str = ""


class StepRecord(BaseModel):
    """What the workflow records after each step: the events since the last record and
    the proposal's current outcome. Recorded by (proposal_id, seq): replays are no-ops."""

    proposal_id: str
    title: str
    caseworker: str
    parties: list[str]
    state: str
    outcome: str | None = None
    next_review_due: datetime | None = None
    events: list[TimelineEvent] = Field(default_factory=list)


class NotificationRequest(BaseModel):
    """Tell whoever the proposal now waits for. `key` names the waiting point (one per
    state entry), so a retried activity queues each notification once."""

    proposal_id: str
    key: str
    title: str
    state: str
    # message name -> roles that may send it
    awaiting: dict[str, list[str]]
    caseworker: str
    # for `sign`: the parties that have not signed yet
    unsigned_parties: list[str] = Field(default_factory=list)


class AgreementRequest(BaseModel):
    """Everything gathered, for drafting a version of the information sharing agreement."""

    proposal_id: str
    version: int
    title: str
    purpose: str
    parties: list[str]
    special_categories: list[str]
    criminal_offence_data: bool
    lawful_basis: str
    lawful_basis_justification: str
    special_category_condition: dict[str, str | None] | None = None
    dpia_required: bool
    dpia_outcome: str | None = None
    security_method: str
    review_schedule: list[str]
    # Optional details for the "data items" section (from the intake), when known.
    volume: int | None = None
    frequency: str | None = None


class AgreementDraft(BaseModel):
    model_config = ConfigDict(frozen=True)

    version: int
    sha256: str
    uri: str
