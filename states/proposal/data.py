"""Everything gathered about a proposal, as carried between workflow runs.

These models are serialised into recorded histories (continue-as-new carries
`ProposalData`): their class and field names must not change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from states.intake import Intake
from states.types import LocalRecord, Policy, SignatureRecord, TimelineEvent


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
