"""Send the outbox (the `notifications` table) by SMTP, each row at most once.

Each row is sent in its own transaction that marks it sent: a crash between the SMTP
server accepting a message and the commit can resend it, but with the same Message-ID
(derived from the row's proposal, key and recipient), so mail systems and people can tell
it is the same message. Two senders do not send the same row at once: on PostgreSQL the
row is locked (`FOR UPDATE SKIP LOCKED`) while it is sent, and within a process a row
being sent is skipped by every other thread. (SQLite has no row locks: two processes, say
`infoshare outbox send` run while the worker sends, could both send a row in the instant
before either marks it; the Message-ID then shows it is one message.)

A recipient the server refuses for good (5xx) is left unsent and reported, so one bad
address does not hold up the others; anything else (server down, 4xx, authentication)
raises `MailError` after the rows sent so far are marked.
"""

from __future__ import annotations

import contextlib
import hashlib
import smtplib
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session
from temporalio import activity

from activities.files import path_of, sha256_of
from infoshare.database.models import AgreementRow, NotificationRow, utcnow
from infoshare.database.outbox import outbox
from infoshare.database.session import session_scope
from infoshare.settings import Settings

log = structlog.get_logger()

# Below the workflow's heartbeat timeout (20 s): one stuck call must not outlast it.
SMTP_TIMEOUT = 10.0
_guard = threading.Lock()
_sending: set[int] = set()


class MailError(RuntimeError):
    """The SMTP server could not be reached or would not take a message (try again)."""


@dataclass
class SendResult:
    sent: list[int] = field(default_factory=list)
    # rows whose recipient the server refused for good: row id -> the server's answer
    refused: dict[int, str] = field(default_factory=dict)


def message_id(proposal_id: str, key: str, recipient: str, mail_from: str) -> str:
    """The same Message-ID for every attempt to send one outbox row."""
    digest = hashlib.sha256(f"{proposal_id}\n{key}\n{recipient}".encode()).hexdigest()[:32]
    domain = mail_from.rpartition("@")[2].strip(" >") or "infoshare.invalid"
    return f"<isp.{digest}@{domain}>"


def _attachments(session: Session, row: NotificationRow) -> list[tuple[str, str, bytes]]:
    """For a signatory: the agreement version the email names, as (filename, type, data),
    each only if its file still has the registered SHA-256."""
    if "signatory" not in row.role.split(","):
        return []
    versions = session.scalars(
        select(AgreementRow).where(AgreementRow.proposal_id == row.proposal_id)
    ).all()
    files: list[tuple[str, str, bytes]] = []
    for agreement in versions:
        if agreement.sha256 not in row.message:
            continue
        for uri, sha256, mime in (
            (agreement.uri, agreement.sha256, "text/html"),
            (agreement.pdf_uri, agreement.pdf_sha256, "application/pdf"),
        ):
            if not uri or not sha256:
                continue
            try:
                path = path_of(uri)
                data = path.read_bytes()
            except (ValueError, OSError):
                log.warning("mail.attachment_missing", notification=row.id, uri=uri)
                continue
            if sha256_of(data) != sha256:
                log.warning("mail.attachment_changed", notification=row.id, uri=uri)
                continue
            files.append((path.name, mime, data))
    return files


def build_email(session: Session, row: NotificationRow, settings: Settings) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = row.recipient
    msg["Subject"] = row.subject or f"Information sharing proposal {row.proposal_id}"
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = message_id(row.proposal_id, row.key, row.recipient, settings.mail_from)
    if "/" in row.key:
        # A reminder or escalation threads under the first email of that waiting point.
        first = message_id(
            row.proposal_id, row.key.split("/", 1)[0], row.recipient, settings.mail_from
        )
        msg["In-Reply-To"] = first
        msg["References"] = first
    # RFC 3834: no out-of-office replies to an automatic message.
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Infoshare-Proposal"] = row.proposal_id
    msg["X-Infoshare-Kind"] = row.kind
    msg.set_content(row.message)
    for filename, mime, data in _attachments(session, row):
        maintype, subtype = mime.split("/")
        # the exact bytes (base64), so the HTML's SHA-256 can be checked on receipt
        msg.add_attachment(
            data,
            maintype=maintype,
            subtype=subtype,
            filename=filename,
            params={"charset": "utf-8"} if maintype == "text" else {},
        )
    return msg


@contextmanager
def smtp_connection(settings: Settings) -> Iterator[smtplib.SMTP]:
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT)
    except (OSError, smtplib.SMTPException) as err:
        raise MailError(f"cannot connect to the SMTP server {where}: {err}") from None
    try:
        try:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password)
        except (OSError, smtplib.SMTPException) as err:
            raise MailError(f"the SMTP server {where} refused the session: {err}") from None
        yield smtp
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


@contextmanager
def _claim(row_id: int) -> Iterator[bool]:
    """True if this thread may send the row: no other thread of the process is."""
    with _guard:
        free = row_id not in _sending
        _sending.add(row_id)
    try:
        yield free
    finally:
        if free:
            with _guard:
                _sending.discard(row_id)


def _permanent(err: smtplib.SMTPException) -> str | None:
    """The server's answer if it refused this one message for good (5xx), else None."""
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        answers = list(err.recipients.values())
        if answers and all(code >= 500 for code, _ in answers):
            return "; ".join(f"{code} {_text(text)}" for code, text in answers)
    if isinstance(err, smtplib.SMTPDataError) and err.smtp_code >= 500:
        return f"{err.smtp_code} {_text(err.smtp_error)}"
    return None


def _text(answer: bytes | str) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else answer


def heartbeat() -> None:
    """Tell Temporal this activity is alive (a no-op outside an activity: the CLI, tests).
    Sending mail may outlast the workflow's heartbeat timeout; a dead worker's may not."""
    with contextlib.suppress(RuntimeError):
        activity.heartbeat()


def unsent_ids(proposal_id: str | None = None, key: str | None = None) -> list[int]:
    with session_scope() as session:
        rows = outbox(session, unsent_only=True, proposal_id=proposal_id)
        return [row.id for row in rows if key is None or row.key == key]


def send_outbox(
    settings: Settings, *, proposal_id: str | None = None, key: str | None = None
) -> SendResult:
    """Send every unsent row (of one proposal, of one key); MailError if SMTP fails."""
    if not settings.smtp_host:
        raise MailError("no SMTP server is configured (INFOSHARE_SMTP_HOST)")
    result = SendResult()
    ids = unsent_ids(proposal_id, key)
    if not ids:
        return result
    with smtp_connection(settings) as smtp:
        for row_id in ids:
            heartbeat()
            with _claim(row_id) as free:
                if free:
                    _send_one(smtp, row_id, settings, result)
    log.info("mail.sent", sent=len(result.sent), refused=len(result.refused))
    return result


def _send_one(smtp: smtplib.SMTP, row_id: int, settings: Settings, result: SendResult) -> None:
    with session_scope() as session:
        row = session.scalars(
            select(NotificationRow)
            .where(NotificationRow.id == row_id, NotificationRow.sent_at.is_(None))
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return  # sent meanwhile, or being sent by another process
        msg = build_email(session, row, settings)
        try:
            smtp.send_message(msg)
        except smtplib.SMTPException as err:
            answer = _permanent(err)
            if answer is None:
                raise MailError(
                    f"the SMTP server {settings.smtp_host}:{settings.smtp_port} did not take "
                    f"notification {row_id}: {err}"
                ) from None
            log.warning("mail.refused", notification=row_id, answer=answer)
            result.refused[row_id] = answer
            return
        except OSError as err:
            raise MailError(
                f"lost the SMTP server {settings.smtp_host}:{settings.smtp_port} while "
                f"sending notification {row_id}: {err}"
            ) from None
        row.sent_at = utcnow()
    result.sent.append(row_id)
