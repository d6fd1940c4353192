"""The decision trail of one proposal, as rebuilt from its history (what `audit trail` shows).

Every entry names the run and the history event it comes from, so an auditor can check it
against the raw history (`audit export`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from states.types import TimelineEvent

TRAIL_FORMAT = 1


class Where(BaseModel):
    """The history event an entry comes from: run number (1 = first) and event id."""

    run: int
    event_id: int


class RunInfo(BaseModel):
    number: int
    run_id: str
    started_at: datetime
    ended_at: datetime | None = None
    # completed, continued as new, failed, terminated, canceled, timed out, running
    ended: str = "running"
    detail: str = ""
    events: int
    continued_from: str = ""


class Decision(TimelineEvent):
    """One timeline event, as the workflow recorded it (the `record_step` activity's input):
    a person's message accepted or refused, or an automatic decision with its clauses."""

    where: Where


MessageOutcome = Literal["accepted", "refused", "unchanged", "pending"]
Via = Literal["update", "signal"]
Severity = Literal["mismatch", "warning", "note"]


class MessageReceived(BaseModel):
    """A message as it reached the workflow (a Signal, or an Update accepted for
    processing) and what became of it."""

    at: datetime
    via: Via
    message: str
    actor: str
    # the roles the people directory gave the sender when the message was checked
    roles: list[str] | None = None
    outcome: MessageOutcome
    reason: str = ""
    # the timeline event that records it (None: it changed nothing, e.g. a repeat)
    seq: int | None = None
    payload: Any = None
    client: str = ""  # the sending client's identity, as the server recorded it
    update_id: str = ""
    where: Where


class AgreementVersion(BaseModel):
    version: int
    sha256: str
    uri: str
    drafted_at: datetime
    where: Where


class Signature(BaseModel):
    at: datetime
    actor: str
    party: str
    name: str
    job_title: str
    document_sha256: str
    version: int | None = None  # the draft it signs; None: no drafted version has this hash
    seq: int | None = None
    where: Where


class Review(BaseModel):
    number: int
    at: datetime
    actor: str
    answers: dict[str, Any] = Field(default_factory=dict)
    notes: str = ""
    outcome: str = ""  # the rules' verdict (passed, failed, needs_refresh, ...)
    detail: str = ""
    clauses: list[str] = Field(default_factory=list)
    seq: int | None = None
    where: Where


class OtherEvent(BaseModel):
    """Anything else in the history: notifications, timers, search attributes, activities
    this version of the trail does not know, markers, failures."""

    at: datetime
    kind: str  # activity, notification, timer, search_attributes, marker, event
    name: str
    detail: str = ""
    data: Any = None
    where: Where


class Finding(BaseModel):
    """Something an auditor must look at: the history contradicts itself, or the database
    disagrees with it."""

    source: Literal["history", "database"]
    severity: Severity
    text: str


class Trail(BaseModel):
    format: int = TRAIL_FORMAT
    workflow_id: str
    workflow_type: str
    title: str = ""
    caseworker: str = ""
    parties: list[str] = Field(default_factory=list)
    started_at: datetime | None = None
    state: str = ""
    outcome: str | None = None
    next_review_due: datetime | None = None
    runs: list[RunInfo] = Field(default_factory=list)
    decisions: list[Decision] = Field(default_factory=list)
    messages: list[MessageReceived] = Field(default_factory=list)
    agreements: list[AgreementVersion] = Field(default_factory=list)
    signatures: list[Signature] = Field(default_factory=list)
    reviews: list[Review] = Field(default_factory=list)
    other: list[OtherEvent] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    # timeline events whose record_step activity had not completed when the history was
    # read: the database may not hold them yet
    unrecorded: list[int] = Field(default_factory=list)
    # whether and how the database was compared with the history
    database: str = "not compared"
    generated_at: datetime
