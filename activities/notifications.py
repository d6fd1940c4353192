"""Tell whoever a proposal now waits for, by email.

The `notifications` table is the outbox: one row per (proposal, waiting point, recipient),
with its kind, subject and text, queued (committed) first, so a retry queues nothing new.
Then, when SMTP is configured, every unsent row of the request is sent and marked sent
(`activities/mail.py`): a row already sent is never sent again. Without SMTP the rows stay
queued until `infoshare outbox send`.

Kinds: `waiting` (a new waiting point), `reminder` (still waiting after a reminder period),
`escalation` (overdue: also told to the caseworker, Information Rights and the DPO), and
`helphub`, the ICT helphub request (8.1) raised while the proposal waits for ICT's advice.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.agreement import FREQUENCIES
from activities.mail import MailError, heartbeat, send_outbox
from activities.templating import clean_text, render
from infoshare.database.dml import insert_or_ignore
from infoshare.database.models import AgreementRow, NotificationRow, utcnow
from infoshare.database.people import get_person, normalise_email, people_with_role
from infoshare.database.session import session_scope
from infoshare.settings import Settings, get_settings
from states.messages import MESSAGES, SEGREGATED_ROLES, Role, example_payload
from states.types import NotificationRequest

log = structlog.get_logger()

SEGREGATED: frozenset[str] = frozenset(role.value for role in SEGREGATED_ROLES)
KINDS = ("waiting", "reminder", "escalation")
HELPHUB = "helphub"
# Told of every escalation besides whoever the proposal waits for (PROTOCOL.md 2.9).
ESCALATION_ROLES = (Role.information_rights.value, Role.dpo.value)
SUBJECT_TITLE_LEN = 80


def _normalise(email: str) -> str:
    try:
        return normalise_email(email)
    except ValueError:
        return email.strip()


@dataclass
class Audience:
    """One person to tell: what they may send in which role, and what they are told of."""

    email: str
    name: str = ""
    # the party a signatory signs for
    party: str | None = None
    # role -> the messages they may send in it
    awaited: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # roles they are told in for information only (an escalation)
    informed: set[str] = field(default_factory=set)

    @property
    def roles(self) -> str:
        return ",".join(sorted(set(self.awaited) | self.informed))


def row_key(req: NotificationRequest) -> str:
    """The outbox key: the waiting point, and which reminder or escalation of it."""
    if req.kind == "reminder":
        return f"{req.key}/reminder-{req.reminder}"
    if req.kind == "escalation":
        return f"{req.key}/escalation"
    return req.key


def resolve_recipients(session: Session, req: NotificationRequest) -> dict[str, Audience]:
    """Who to tell, in which roles, about which messages (by email address)."""
    caseworker = _normalise(req.caseworker)
    unsigned = set(req.unsigned_parties)
    audience: dict[str, Audience] = {}

    def person(email: str, name: str = "") -> Audience:
        entry = audience.setdefault(email, Audience(email))
        entry.name = entry.name or name
        return entry

    for message, roles in sorted(req.awaiting.items()):
        for role in sorted(set(roles)):
            if role == Role.caseworker:
                found = get_person(session, caseworker)
                people = [(caseworker, found.name if found else "")]
            else:
                candidates = people_with_role(session, role)
                if role == Role.signatory:
                    candidates = [p for p in candidates if p.organisation in unsigned]
                elif role in SEGREGATED:
                    # Segregation of duties: the proposer never acts in these roles.
                    candidates = [p for p in candidates if p.email != caseworker]
                people = [(p.email, p.name) for p in candidates]
                if role == Role.signatory:
                    for p in candidates:
                        person(p.email).party = p.organisation
            if not people:
                log.warning(
                    "notifications.nobody_to_notify",
                    proposal_id=req.proposal_id,
                    state=req.state,
                    message=message,
                    role=role,
                )
            for email, name in people:
                person(email, name).awaited[role].add(message)
    if req.kind == "escalation":
        # Overdue: the caseworker, Information Rights and the DPO hear of it too, even if
        # they hold none of the awaited roles (each once).
        found = get_person(session, caseworker)
        person(caseworker, found.name if found else "").informed.add(Role.caseworker.value)
        for role in ESCALATION_ROLES:
            for p in people_with_role(session, role):
                person(p.email, p.name).informed.add(role)
    return audience


def subject_line(req: NotificationRequest, kind: str) -> str:
    """One line (no header injection), naming the proposal and the kind of email."""
    title = " ".join(clean_text(req.title).split())
    if len(title) > SUBJECT_TITLE_LEN:
        title = title[: SUBJECT_TITLE_LEN - 3].rstrip() + "..."
    if kind == HELPHUB:
        text = f'ICT helphub request (8.1): secure transfer method for "{title}"'
        if req.kind == "reminder":
            text = f"Reminder {req.reminder}: {text}"
        elif req.kind == "escalation":
            text = f"Overdue: {text}"
    elif kind == "reminder":
        text = f'Reminder {req.reminder}: "{title}" still waits for you ({req.state})'
    elif kind == "escalation":
        text = f'Overdue since {_when(req)}: "{title}" ({req.state})'
    else:
        text = f'Action needed: "{title}" waits for you ({req.state})'
    return f"{text} [{req.proposal_id}]"


def _when(req: NotificationRequest) -> str:
    if req.overdue_since is None:
        return "an unknown date"
    return req.overdue_since.strftime("%Y-%m-%d %H:%M UTC")


def ict_factors(req: NotificationRequest) -> list[str]:
    """The 8.2 factors, as far as the request knows them."""
    sensitive = [c.replace("_", " ") for c in sorted(set(req.special_categories))]
    if req.criminal_offence_data:
        sensitive.append("criminal offence data")
    volume = f"{req.volume} records" if req.volume is not None else "not given"
    frequency = (
        f"shared {FREQUENCIES.get(req.frequency, req.frequency.replace('_', ' '))}"
        if req.frequency
        else "not given"
    )
    organisations = ", ".join(clean_text(o) for o in req.recipient_organisations)

    def known(flag: bool | None, yes: str, no: str) -> str:
        return "not known" if flag is None else (yes if flag else no)

    return [
        "Sensitivity: "
        + (f"special category data: {', '.join(sensitive)}" if sensitive else "personal data")
        + ("" if sensitive else " (no special category or criminal offence data)"),
        f"Volume: {volume}",
        f"Frequency: {frequency}",
        "Recipients (their security expertise and credibility): " + (organisations or "not given"),
        "Novelty of the technology: "
        + known(
            req.innovative_technology,
            "the DPIA screening found innovative technology",
            "the DPIA screening found no innovative technology",
        )
        + "; relies on technology needing maintenance and monitoring: "
        + known(req.maintained_technology, "yes", "no"),
    ]


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def _current_agreement(session: Session, proposal_id: str) -> AgreementRow | None:
    return session.scalars(
        select(AgreementRow)
        .where(AgreementRow.proposal_id == proposal_id)
        .order_by(AgreementRow.version.desc())
        .limit(1)
    ).first()


def _example(message: str, role: str, person: Audience, sha256: str | None) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if message == "advice":
        fields["role"] = role
    if message == "sign":
        fields["party"] = person.party or MESSAGES["sign"].example["party"]
        if person.name:
            fields["name"] = person.name
        if sha256:
            fields["document_sha256"] = sha256
    return example_payload(message, person.email, **fields)


def render_message(
    req: NotificationRequest,
    person: Audience,
    settings: Settings,
    agreement: AgreementRow | None = None,
) -> str:
    """The plain-text email to one person."""
    signs = any("sign" in messages for messages in person.awaited.values())
    to_sign = agreement if signs else None
    sha256 = to_sign.sha256 if to_sign is not None else None
    actions = [
        {
            "role": role,
            "party": person.party if role == Role.signatory else None,
            "messages": [
                {
                    "name": message,
                    "description": MESSAGES[message].description if message in MESSAGES else "",
                    "example": _json(_example(message, role, person, sha256))
                    if message in MESSAGES
                    else "{}",
                }
                for message in sorted(messages)
            ],
        }
        for role, messages in sorted(person.awaited.items())
    ]
    awaits_ict = any("security_advice" in m for m in person.awaited.values())
    return render(
        "notification.txt",
        name=clean_text(person.name),
        kind=req.kind,
        reminder=req.reminder,
        overdue_since=_when(req),
        title=clean_text(req.title),
        proposal_id=req.proposal_id,
        state=req.state,
        actions=actions,
        informed=sorted(person.informed - set(person.awaited)),
        waits_for=[
            f"{message} (from {' or '.join(sorted(set(roles)))})"
            for message, roles in sorted(req.awaiting.items())
        ],
        agreement={"version": to_sign.version, "sha256": to_sign.sha256} if to_sign else None,
        factors=ict_factors(req) if awaits_ict else [],
        web_url=settings.proposal_url(req.proposal_id),
        ui_url=settings.workflow_ui_url(req.proposal_id),
    )


def render_helphub_request(req: NotificationRequest, settings: Settings) -> str:
    return render(
        "helphub.txt",
        kind=req.kind,
        reminder=req.reminder,
        overdue_since=_when(req),
        title=clean_text(req.title),
        proposal_id=req.proposal_id,
        caseworker=_normalise(req.caseworker),
        factors=ict_factors(req),
        example=_json(example_payload("security_advice", "your.name@phso.example")),
        web_url=settings.proposal_url(req.proposal_id),
        ui_url=settings.workflow_ui_url(req.proposal_id),
    )


def outbox_rows(
    session: Session, req: NotificationRequest, settings: Settings
) -> list[dict[str, Any]]:
    """The outbox rows this request queues, one per recipient."""
    audience = resolve_recipients(session, req)
    agreement = _current_agreement(session, req.proposal_id)
    key = row_key(req)
    now = utcnow()
    rows = [
        {
            "proposal_id": req.proposal_id,
            "key": key,
            "recipient": email,
            "role": person.roles,
            "kind": req.kind,
            "subject": subject_line(req, req.kind),
            "message": render_message(req, person, settings, agreement),
            "created_at": now,
        }
        for email, person in sorted(audience.items())
    ]
    helphub = _normalise(settings.helphub_email) if settings.helphub_email else ""
    if helphub and "security_advice" in req.awaiting and helphub not in audience:
        rows.append(
            {
                "proposal_id": req.proposal_id,
                "key": key,
                "recipient": helphub,
                "role": Role.ict.value,
                "kind": HELPHUB,
                "subject": subject_line(req, HELPHUB),
                "message": render_helphub_request(req, settings),
                "created_at": now,
            }
        )
    return rows


# With the workflow's retry policy (1 s doubling to 1 min), about two minutes of outage.
MAIL_ATTEMPTS = 6


def _attempt() -> int:
    """This activity's attempt number (1 when called outside an activity, as by tests)."""
    try:
        return activity.info().attempt
    except RuntimeError:
        return 1


def check_kind(req: NotificationRequest) -> None:
    if req.kind not in KINDS:
        raise ApplicationError(
            f"unknown notification kind {req.kind!r}; expected one of {', '.join(KINDS)}",
            type="InvalidNotificationRequest",
            non_retryable=True,
        )


def queue(session: Session, req: NotificationRequest, settings: Settings) -> int:
    """Queue the request's outbox rows in `session`; how many were new (0 on a retry)."""
    rows = outbox_rows(session, req, settings)
    queued = insert_or_ignore(session, NotificationRow, rows, ["proposal_id", "key", "recipient"])
    log.info(
        "notifications.queued",
        proposal_id=req.proposal_id,
        state=req.state,
        kind=req.kind,
        recipients=len(rows),
        queued=queued,
    )
    return queued


def send_queued(settings: Settings, requests: list[NotificationRequest]) -> None:
    """Send the unsent rows of `requests` (queued and committed) when SMTP is configured.
    An SMTP failure raises, so Temporal retries: the rows stay queued, and those already
    sent are not sent again. After `MAIL_ATTEMPTS` attempts the activity gives up on the
    mail server and succeeds: the proposal must not stall on an SMTP outage, and the
    worker's outbox flusher sends the rows once it is back."""
    if not settings.smtp_host:
        return
    for req in requests:
        heartbeat()
        try:
            send_outbox(settings, proposal_id=req.proposal_id, key=row_key(req))
        except MailError as err:
            if _attempt() < MAIL_ATTEMPTS:
                raise ApplicationError(str(err), type="MailUnavailable") from None
            log.warning(
                "notifications.deferred",
                proposal_id=req.proposal_id,
                attempts=_attempt(),
                error=str(err),
            )


@activity.defn(name="queue_notifications")
def queue_notifications(req: NotificationRequest) -> int:
    """Queue one email per person to tell (and the ICT helphub request), then send every
    unsent one of this request (`send_queued`). Returns how many were newly queued (0 on a
    retry). Since workflow v3 `record_step` queues a step's notifications itself."""
    check_kind(req)
    settings = get_settings()
    with session_scope() as session:
        queued = queue(session, req, settings)
    send_queued(settings, [req])
    return queued
