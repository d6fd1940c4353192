"""Queue notifications to whoever a proposal now waits for.

The rows of the `notifications` table are the outbox; sending them is another component's
job. One row per (proposal, waiting point, recipient), so a retry queues nothing new.
"""

from __future__ import annotations

from collections import defaultdict

import structlog
from sqlalchemy.orm import Session
from temporalio import activity

from database.dml import insert_or_ignore
from database.models import NotificationRow, utcnow
from database.people import normalise_email, people_with_role
from database.session import session_scope
from states.messages import SEGREGATED_ROLES, Role
from states.types import NotificationRequest

log = structlog.get_logger()

SEGREGATED: frozenset[str] = frozenset(role.value for role in SEGREGATED_ROLES)


def _normalise(email: str) -> str:
    try:
        return normalise_email(email)
    except ValueError:
        return email.strip()


# recipient -> role -> messages they may send in that role
Recipients = dict[str, dict[str, set[str]]]


def resolve_recipients(
    session: Session, req: NotificationRequest
) -> tuple[Recipients, dict[str, str]]:
    """Who to tell, in which roles, about which messages; and each signatory's party."""
    caseworker = _normalise(req.caseworker)
    unsigned = set(req.unsigned_parties)
    recipients: Recipients = defaultdict(lambda: defaultdict(set))
    parties: dict[str, str] = {}
    for message, roles in sorted(req.awaiting.items()):
        for role in sorted(set(roles)):
            if role == Role.caseworker:
                emails = [caseworker]
            elif role == Role.signatory:
                signatories = [
                    p for p in people_with_role(session, role) if p.organisation in unsigned
                ]
                parties.update({p.email: p.organisation for p in signatories})
                emails = [p.email for p in signatories]
            else:
                emails = [p.email for p in people_with_role(session, role)]
                if role in SEGREGATED:
                    # Segregation of duties: the proposer never acts in these roles.
                    emails = [e for e in emails if e != caseworker]
            if not emails:
                log.warning(
                    "notifications.nobody_to_notify",
                    proposal_id=req.proposal_id,
                    state=req.state,
                    message=message,
                    role=role,
                )
            for email in emails:
                recipients[email][role].add(message)
    return recipients, parties


def render_message(
    req: NotificationRequest, recipient: str, roles: dict[str, set[str]], party: str | None
) -> str:
    """The plain-text notification for one recipient."""
    lines = [
        f'Information sharing proposal "{req.title}" ({req.proposal_id})',
        f"is now in state {req.state} and waits for you.",
        "",
    ]
    for role in sorted(roles):
        as_role = f"As {role}" + (f" for {party}" if role == Role.signatory and party else "")
        lines.append(f"{as_role} you may send:")
        lines.extend(f"  - {message}" for message in sorted(roles[role]))
    lines += [
        "",
        f"Send it as an Update of that name to workflow {req.proposal_id} in the Temporal",
        f"Web UI, or with: infoshare decide {req.proposal_id} MESSAGE PAYLOAD.json",
        f'The payload is a JSON object with "actor": "{recipient}".',
    ]
    return "\n".join(lines) + "\n"


@activity.defn(name="queue_notifications")
def queue_notifications(req: NotificationRequest) -> int:
    """Queue one notification per person the proposal waits for; returns how many were
    newly queued (0 on a retry)."""
    with session_scope() as session:
        recipients, parties = resolve_recipients(session, req)
        now = utcnow()
        rows = [
            {
                "proposal_id": req.proposal_id,
                "key": req.key,
                "recipient": recipient,
                "role": ",".join(sorted(roles)),
                "message": render_message(req, recipient, roles, parties.get(recipient)),
                "created_at": now,
            }
            for recipient, roles in sorted(recipients.items())
        ]
        queued = insert_or_ignore(
            session, NotificationRow, rows, ["proposal_id", "key", "recipient"]
        )
    log.info(
        "notifications.queued",
        proposal_id=req.proposal_id,
        state=req.state,
        recipients=len(rows),
        queued=queued,
    )
    return queued
