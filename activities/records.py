"""Record each step of a proposal: its current row, the decision log, whom to tell."""

from __future__ import annotations

import structlog
from sqlalchemy import update
from temporalio import activity

from activities.notifications import check_kind, queue, send_queued
from infoshare.database.dml import insert_or_ignore, upsert
from infoshare.database.models import DecisionRow, LocalRecordRow, ProposalRow, RegisterRow, utcnow
from infoshare.database.session import session_scope
from infoshare.settings import get_settings
from states.types import StepRecord

log = structlog.get_logger()


@activity.defn(name="record_step")
def record_step(step: StepRecord) -> None:
    """Upsert the proposal's row, append the step's events to the decision log and queue
    the step's notifications, in one transaction; then send those notifications.

    Events are keyed by (proposal_id, seq) and outbox rows by (proposal_id, key,
    recipient): what is already there is left as it is, so a retried or overlapping step
    writes each once, and an email already sent is not sent again (`send_queued`).
    Workflow histories before v3 carry no notifications here: they queued them with
    `queue_notifications`.
    """
    for req in step.notifications:
        check_kind(req)
    settings = get_settings()
    with session_scope() as session:
        upsert(
            session,
            ProposalRow,
            {
                "proposal_id": step.proposal_id,
                "title": step.title,
                "caseworker": step.caseworker,
                "parties": list(step.parties),
                "state": step.state,
                "outcome": step.outcome,
                "next_review_due": step.next_review_due,
                "updated_at": utcnow(),
            },
            ["proposal_id"],
        )
        # One row per seq even if the step itself repeats one (first wins).
        events = {event.seq: event for event in reversed(step.events)}
        added = insert_or_ignore(
            session,
            DecisionRow,
            [
                {
                    "proposal_id": step.proposal_id,
                    "seq": event.seq,
                    "at": event.at,
                    "actor": event.actor,
                    "message": event.message,
                    "accepted": event.accepted,
                    "detail": event.detail,
                    "clauses": list(event.clauses),
                    "state": event.state,
                }
                for event in sorted(events.values(), key=lambda e: e.seq)
            ],
            ["proposal_id", "seq"],
        )
        # Local records (4.14): attached once, then only their release changes.
        for seq, record in enumerate(step.records, start=1):
            upsert(
                session,
                LocalRecordRow,
                {
                    "proposal_id": step.proposal_id,
                    "seq": seq,
                    "kind": record.kind,
                    "uri": record.uri,
                    "sha256": record.sha256,
                    "description": record.description,
                    "attached_by": record.actor,
                    "attached_at": record.at,
                    "released_at": record.released_at,
                    "released_by": record.released_by,
                },
                ["proposal_id", "seq"],
            )
        # The register row, once published, follows the agreement's status.
        session.execute(
            update(RegisterRow)
            .where(RegisterRow.proposal_id == step.proposal_id)
            .values(status=step.state, next_review_due=step.next_review_due, updated_at=utcnow())
        )
        for req in step.notifications:
            queue(session, req, settings)
    log.info(
        "records.step",
        proposal_id=step.proposal_id,
        state=step.state,
        events=len(step.events),
        added=added,
    )
    send_queued(settings, step.notifications)
