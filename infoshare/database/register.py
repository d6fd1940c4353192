"""Reading the information sharing register (4.14) and the local records."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from infoshare.database.models import LocalRecordRow, RegisterRow

# States in which a published agreement is still in force (the register's "current" view).
IN_FORCE_STATUSES: tuple[str, ...] = ("active", "review_due", "remediation", "suspended")


def published_agreements(session: Session, *, in_force_only: bool = False) -> list[RegisterRow]:
    """Every agreement entered in the register, newest first."""
    query = select(RegisterRow).order_by(RegisterRow.published_at.desc(), RegisterRow.proposal_id)
    if in_force_only:
        query = query.where(RegisterRow.status.in_(IN_FORCE_STATUSES))
    return list(session.scalars(query))


def register_entry(session: Session, proposal_id: str) -> RegisterRow | None:
    return session.get(RegisterRow, proposal_id)


def local_records(
    session: Session, proposal_id: str, *, held_only: bool = False
) -> list[LocalRecordRow]:
    """A proposal's local records in the order attached; `held_only`: not yet released."""
    query = (
        select(LocalRecordRow)
        .where(LocalRecordRow.proposal_id == proposal_id)
        .order_by(LocalRecordRow.seq)
    )
    if held_only:
        query = query.where(LocalRecordRow.released_at.is_(None))
    return list(session.scalars(query))
