"""Local records (protocol 4.14): emails and process maps kept for the proposal until
Information Rights releases them once the agreement is in the register."""

from __future__ import annotations

from datetime import datetime

from states.messages import AttachRecord, Reason
from states.proposal.base import ProposalBase, Refusal
from states.proposal.data import Record


def on_attach_record(proposal: ProposalBase, p: AttachRecord, now: datetime) -> None:
    records = proposal.data.records
    if any(r.sha256 == p.sha256 and r.uri == p.uri for r in records):
        return
    records.append(
        Record(
            kind=p.kind,
            uri=p.uri,
            sha256=p.sha256,
            description=p.description,
            actor=str(p.actor),
            at=now,
        )
    )


def check_release_records(proposal: ProposalBase, p: Reason) -> None:
    if not proposal.held_records():
        raise Refusal("release_records: no local records are held for this proposal")


def on_release_records(proposal: ProposalBase, p: Reason, now: datetime) -> None:
    held = proposal.held_records()
    records = proposal.data.records
    for i, record in enumerate(records):
        if record.released_at is None:
            records[i] = record.model_copy(update={"released_at": now, "released_by": str(p.actor)})
    proposal.system_event(
        now,
        "records_released",
        f"{len(held)} local record(s) released by Information Rights",
        ["4.14"],
    )
