"""Sending the outbox through a real SMTP server (aiosmtpd): each email once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import update
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.agreement import draft_agreement
from activities.files import path_of, sha256_of
from activities.mail import MailError, message_id, send_outbox
from activities.notifications import queue_notifications
from activities.records import record_step
from infoshare.database.models import NotificationRow
from infoshare.database.session import session_scope
from infoshare.settings import get_settings
from tests.activities.outbox import CASEWORKER, examples, queued, request
from tests.activities.test_agreement import agreement_request
from tests.activities.test_records import decisions
from tests.db_fixtures import make_event, make_step
from tests.ports import free_port
from tests.smtp import SmtpServer, settings_from

DPO_PEOPLE = {"dana@phso.example", "ira@phso.example"}


def sent() -> dict[str, bool]:
    return {recipient: row.sent_at is not None for recipient, row in queued().items()}


def test_each_email_is_sent_once(directory: None, smtp: SmtpServer) -> None:
    smtp.configure(mail_from="infoshare@phso.example")
    req = request({"screening_decision": ["dpo"], "withdraw": ["caseworker"]})
    env = ActivityEnvironment()
    assert env.run(queue_notifications, req) == 3
    assert env.run(queue_notifications, req) == 0  # a retry: nothing new, nothing resent
    assert sorted(smtp.inbox.recipients()) == sorted([CASEWORKER, *DPO_PEOPLE])
    assert sent() == dict.fromkeys([CASEWORKER, *DPO_PEOPLE], True)

    [mail] = smtp.inbox.to("dana@phso.example")
    row = queued()["dana@phso.example"]
    assert mail.mail_from == "infoshare@phso.example"
    assert mail.to == "dana@phso.example"
    assert mail.subject == row.subject
    assert mail.message["Message-ID"] == message_id(
        "isp-n1", "screening#1", "dana@phso.example", "infoshare@phso.example"
    )
    assert mail.message["Auto-Submitted"] == "auto-generated"
    assert mail.message["X-Infoshare-Proposal"] == "isp-n1"
    assert mail.body == row.message
    assert "http://127.0.0.1:8000/proposals/isp-n1" in mail.body
    assert examples(mail.body)[0] == {
        "actor": "dana@phso.example",
        "dpia_required": True,
        "reason": "special category data",
    }
    # Message-IDs differ between rows
    ids = {str(m.message["Message-ID"]) for m in smtp.inbox.received}
    assert len(ids) == 3


def test_a_resend_after_a_crash_is_the_same_message(directory: None, smtp: SmtpServer) -> None:
    smtp.configure()
    req = request({"screening_decision": ["dpo"]})
    queue_notifications(req)
    # The server took the messages, but the worker died before marking them sent.
    with session_scope() as session:
        session.execute(update(NotificationRow).values(sent_at=None))
    queue_notifications(req)
    assert len(smtp.inbox.received) == 4
    first, again = smtp.inbox.to("dana@phso.example")
    assert first.message["Message-ID"] == again.message["Message-ID"]
    assert first.body == again.body


def test_reminders_thread_under_the_first_email(directory: None, smtp: SmtpServer) -> None:
    smtp.configure()
    queue_notifications(request({"screening_decision": ["dpo"]}))
    queue_notifications(request({"screening_decision": ["dpo"]}, kind="reminder", reminder=1))
    first, reminder = smtp.inbox.to("dana@phso.example")
    assert reminder.subject.startswith("Reminder 1:")
    assert reminder.message["In-Reply-To"] == first.message["Message-ID"]
    assert reminder.message["X-Infoshare-Kind"] == "reminder"


def test_smtp_failure_retries_without_resending(directory: None, smtp: SmtpServer) -> None:
    smtp.configure()
    smtp.inbox.fail_after = 1  # takes one message, then answers 451
    req = request({"screening_decision": ["dpo"], "withdraw": ["caseworker"]})
    with pytest.raises(ApplicationError) as excinfo:
        queue_notifications(req)
    assert excinfo.value.type == "MailUnavailable"
    assert not excinfo.value.non_retryable  # Temporal retries it
    assert "451" in str(excinfo.value)
    assert len(queued()) == 3  # every row is queued
    assert sum(sent().values()) == 1
    [first] = smtp.inbox.recipients()

    smtp.inbox.fail_after = None
    assert queue_notifications(req) == 0  # the retry
    assert sorted(smtp.inbox.recipients()) == sorted([CASEWORKER, *DPO_PEOPLE])
    assert smtp.inbox.recipients()[0] == first
    assert all(sent().values())


def test_smtp_server_down(directory: None) -> None:
    with settings_from(smtp_host="127.0.0.1", smtp_port=str(free_port())):
        with pytest.raises(ApplicationError) as excinfo:
            queue_notifications(request({"screening_decision": ["dpo"]}))
        assert "cannot connect to the SMTP server 127.0.0.1:" in str(excinfo.value)
    assert sent() == dict.fromkeys(DPO_PEOPLE, False)


async def test_a_long_outage_defers_to_the_worker_flusher(
    directory: None, smtp: SmtpServer
) -> None:
    """After MAIL_ATTEMPTS the activity succeeds (the proposal goes on); the rows stay
    queued and the worker's flusher sends them once the server is back."""
    import asyncio
    import dataclasses

    from activities.notifications import MAIL_ATTEMPTS
    from worker import flush_outbox

    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, attempt=MAIL_ATTEMPTS)
    with settings_from(smtp_host="127.0.0.1", smtp_port=str(free_port())):
        assert env.run(queue_notifications, request({"screening_decision": ["dpo"]})) == 2
    assert sent() == dict.fromkeys(DPO_PEOPLE, False)

    smtp.configure()
    stop = asyncio.Event()
    settings = get_settings().model_copy(update={"outbox_retry_seconds": 0.05})
    flusher = asyncio.create_task(flush_outbox(settings, stop))
    for _ in range(200):
        if all(sent().values()):
            break
        await asyncio.sleep(0.05)
    stop.set()
    await flusher
    assert sorted(smtp.inbox.recipients()) == sorted(DPO_PEOPLE)


def test_without_smtp_rows_stay_queued(directory: None, smtp: SmtpServer) -> None:
    assert not get_settings().smtp_host
    queue_notifications(request({"screening_decision": ["dpo"]}))
    assert sent() == dict.fromkeys(DPO_PEOPLE, False)
    assert smtp.inbox.received == []
    # ... until the outbox is sent (`infoshare outbox send`)
    smtp.configure()
    result = send_outbox(get_settings())
    assert len(result.sent) == 2 and not result.refused
    assert sorted(smtp.inbox.recipients()) == sorted(DPO_PEOPLE)
    assert send_outbox(get_settings()).sent == []
    with settings_from(smtp_host=None), pytest.raises(MailError, match="INFOSHARE_SMTP_HOST"):
        send_outbox(get_settings())


def test_a_refused_recipient_does_not_hold_up_the_others(directory: None, smtp: SmtpServer) -> None:
    smtp.configure()
    smtp.inbox.refuse["dana@phso.example"] = "550 5.1.1 no such user"
    req = request({"screening_decision": ["dpo"]})
    queue_notifications(req)  # no error: retrying would not help
    assert smtp.inbox.recipients() == ["ira@phso.example"]
    assert sent() == {"dana@phso.example": False, "ira@phso.example": True}
    result = send_outbox(get_settings())
    assert list(result.refused.values()) == ["550 5.1.1 no such user"]
    # once the address works, the outbox sends it
    del smtp.inbox.refuse["dana@phso.example"]
    assert len(send_outbox(get_settings()).sent) == 1
    assert sorted(smtp.inbox.recipients()) == sorted(DPO_PEOPLE)


def test_signatories_get_the_agreement(directory: None, smtp: SmtpServer) -> None:
    smtp.configure()
    draft = draft_agreement(agreement_request(proposal_id="isp-n1"))
    req = request(
        {"sign": ["signatory"]}, key="signing#1", state="signing", unsigned_parties=["LGSCO"]
    )
    queue_notifications(req)
    [mail] = smtp.inbox.received
    assert mail.rcpt_tos == ["sam@lgsco.example"]
    assert f"The agreement to sign is version 1, SHA-256\n  {draft.sha256}" in mail.body
    [example] = examples(mail.body)
    assert (example["party"], example["document_sha256"]) == ("LGSCO", draft.sha256)
    html_part = next(
        p for p in mail.message.iter_attachments() if p.get_content_subtype() == "html"
    )
    assert html_part.get_content_charset() == "utf-8"
    files = mail.attachments()
    assert sorted(files) == ["agreement-v1.html", "agreement-v1.pdf"]
    assert files["agreement-v1.pdf"].startswith(b"%PDF-")
    assert sha256_of(files["agreement-v1.html"]) == draft.sha256
    assert files["agreement-v1.pdf"] == path_of(draft.pdf_uri or "").read_bytes()


def test_concurrent_senders_send_each_email_once(directory: None, smtp: SmtpServer) -> None:
    """Overlapping retries (or `outbox send` while the worker sends): each row once."""
    queue_notifications(request({"screening_decision": ["dpo"], "withdraw": ["caseworker"]}))
    smtp.configure()
    settings = get_settings()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: send_outbox(settings), range(4)))
    assert sum(len(r.sent) for r in results) == 3
    assert sorted(smtp.inbox.recipients()) == sorted([CASEWORKER, *DPO_PEOPLE])


def test_a_step_records_and_notifies_in_one_activity(directory: None, smtp: SmtpServer) -> None:
    """Workflow v3: `record_step` carries the step's notifications. The decision log and
    the outbox are written together; a mail outage fails the activity after both are
    committed, and the retry writes nothing twice and sends only what was not sent."""
    smtp.configure()
    smtp.inbox.fail_after = 1
    req = request({"screening_decision": ["dpo"], "withdraw": ["caseworker"]})
    step = make_step([make_event(1), make_event(2)], proposal_id="isp-n1", notifications=[req])
    beats: list[object] = []
    env = ActivityEnvironment()
    env.on_heartbeat = lambda *details: beats.append(details)
    with pytest.raises(ApplicationError) as excinfo:
        env.run(record_step, step)
    assert excinfo.value.type == "MailUnavailable" and not excinfo.value.non_retryable
    assert [r.seq for r in decisions("isp-n1")] == [1, 2]
    assert len(queued()) == 3 and sum(sent().values()) == 1

    smtp.inbox.fail_after = None
    env.run(record_step, step)  # Temporal's retry
    env.run(record_step, step)  # and a replayed step
    assert [r.seq for r in decisions("isp-n1")] == [1, 2]
    assert sorted(smtp.inbox.recipients()) == sorted([CASEWORKER, *DPO_PEOPLE])
    assert all(sent().values())
    # alive while sending: once per request and once per email it sends
    assert len(beats) >= 2 + 3


def test_a_step_with_an_unknown_notification_kind_writes_nothing(directory: None) -> None:
    req = request({"screening_decision": ["dpo"]}, kind="carrier-pigeon")
    step = make_step([make_event(1)], proposal_id="isp-n1", notifications=[req])
    with pytest.raises(ApplicationError) as excinfo:
        record_step(step)
    assert excinfo.value.non_retryable and "carrier-pigeon" in str(excinfo.value)
    assert decisions("isp-n1") == [] and queued() == {}
