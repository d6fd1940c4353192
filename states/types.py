"""What the protocol exchanges with the outside world: inputs and outputs of the activities.

Plain pydantic models so that they pass through the Temporal pydantic data converter and
are importable inside the workflow sandbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta

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
    # Overdue approvals and reviews (PROTOCOL.md 2.9): remind whoever the proposal waits
    # for after `remind_after`, and again every `remind_after`; escalate after
    # `escalate_after`. Histories recorded before these existed read the defaults.
    remind_after: timedelta = timedelta(days=5)
    escalate_after: timedelta = timedelta(days=10)


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
    # Every local record of the proposal so far (4.14), released or not.
    records: list[LocalRecord] = Field(default_factory=list)
    # Since workflow v3: whom to tell now (queued with the step, in its transaction).
    notifications: list[NotificationRequest] = Field(default_factory=list)


class LocalRecord(BaseModel):
    """A local record (4.14): a reference to an email, process map or other document,
    kept until Information Rights releases it."""

    kind: str
    uri: str
    sha256: str
    description: str
    actor: str
    at: datetime
    released_at: datetime | None = None
    released_by: str | None = None


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
    # waiting: a new waiting point; reminder: still waiting after the policy's period
    # (`reminder` counts them); escalation: overdue since `overdue_since`.
    kind: str = "waiting"
    reminder: int = 0
    overdue_since: datetime | None = None
    # What ICT needs to judge the transfer method (8.2), for the helphub request (8.1)
    # and the emails to ICT; from the intake and the DPIA screening, when known.
    recipient_organisations: list[str] = Field(default_factory=list)
    special_categories: list[str] = Field(default_factory=list)
    criminal_offence_data: bool = False
    volume: int | None = None
    frequency: str | None = None
    # the screening found innovative technology (ico_innovative_technology/wp_innovative_use)
    innovative_technology: bool | None = None
    # relies on technology needing maintenance and monitoring (the intake's flag)
    maintained_technology: bool | None = None


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
    """A stored version of the agreement. `sha256` names the version signatories sign
    (of the document at `uri`); the PDF rendering of it has its own hash."""

    model_config = ConfigDict(frozen=True)

    version: int
    sha256: str
    uri: str
    pdf_uri: str | None = None
    pdf_sha256: str | None = None


class SignatureRecord(BaseModel):
    party: str
    name: str
    job_title: str
    actor: str
    at: datetime
    document_sha256: str


class PublishRequest(BaseModel):
    """The signed agreement to publish (9.1) and enter in the register (4.14)."""

    proposal_id: str
    title: str
    purpose: str
    parties: list[str]
    lawful_basis: str
    lawful_basis_justification: str
    special_category_condition: dict[str, str | None] | None = None
    special_categories: list[str] = Field(default_factory=list)
    dpia_required: bool
    dpia_outcome: str | None = None
    security_method: str
    version: int
    sha256: str
    uri: str
    signatures: list[SignatureRecord]
    signed_at: datetime
    next_review_due: datetime | None = None
    state: str


class Publication(BaseModel):
    """Where a signed agreement was published."""

    model_config = ConfigDict(frozen=True)

    public_path: str
    html_uri: str
    pdf_uri: str | None = None


# StepRecord names NotificationRequest, defined after it.
StepRecord.model_rebuild()
