"""Reading the notifications outbox."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from infoshare.database.models import NotificationRow


def outbox(
    session: Session, *, unsent_only: bool = False, proposal_id: str | None = None
) -> list[NotificationRow]:
    """The outbox rows in the order queued."""
    query = select(NotificationRow).order_by(NotificationRow.id)
    if unsent_only:
        query = query.where(NotificationRow.sent_at.is_(None))
    if proposal_id is not None:
        query = query.where(NotificationRow.proposal_id == proposal_id)
    return list(session.scalars(query))
