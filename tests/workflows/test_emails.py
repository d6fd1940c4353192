"""A whole proposal on the time-skipping server with a real SMTP server: everyone the
proposal waits for is emailed, each email once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from activities.files import sha256_of
from infoshare.database.models import NotificationRow
from infoshare.database.session import session_scope
from tests import people
from tests.factories import make_intake
from tests.smtp import Received, SmtpServer
from tests.workflows.driver import Driver

pytestmark = pytest.mark.timeskipping

HELPHUB = "helphub@phso.example"


def outbox_of(proposal_id: str) -> list[NotificationRow]:
    with session_scope() as session:
        query = select(NotificationRow).where(NotificationRow.proposal_id == proposal_id)
        return list(session.scalars(query.order_by(NotificationRow.id)))


async def all_sent(proposal_id: str, smtp: SmtpServer, timeout: float = 20.0) -> list[Received]:
    """The emails of the proposal, once every row of its outbox is sent."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        rows = outbox_of(proposal_id)
        mails = [m for m in smtp.inbox.received if m.message["X-Infoshare-Proposal"] == proposal_id]
        if rows and all(r.sent_at for r in rows) and len(mails) == len(rows):
            return mails
        assert asyncio.get_running_loop().time() < deadline, (
            [(r.recipient, r.kind, r.sent_at) for r in rows],
            len(mails),
        )
        await asyncio.sleep(0.1)


class EmailedDriver(Driver):
    """Acts as people do: each sends their message once their email asking for it came."""

    smtp: SmtpServer

    async def send(self, message: str, actor: str, **payload: Any) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + 20
        while not any(
            m.rcpt_tos == [actor]
            and m.message["X-Infoshare-Proposal"] == self.workflow_id
            and f"\n  {message}: " in m.body
            for m in self.smtp.inbox.received
        ):
            assert asyncio.get_running_loop().time() < deadline, (
                f"no email asks {actor} for {message}"
            )
            await asyncio.sleep(0.05)
        return await super().send(message, actor, **payload)


async def test_everyone_is_emailed_once(
    time_skipping_env: WorkflowEnvironment,
    ts_worker: str,
    smtp: SmtpServer,
    json_logs: Callable[[], list[dict[str, Any]]],
) -> None:
    smtp.configure(helphub_email=HELPHUB, web_base_url="https://infoshare.phso.example")
    d = await EmailedDriver.start(time_skipping_env.client, make_intake(), ts_worker, via="signal")
    assert isinstance(d, EmailedDriver)
    d.smtp = smtp
    status = await d.to_active()  # each message sent only after its email arrived
    mails = await all_sent(d.workflow_id, smtp)

    def subjects(recipient: str) -> list[str]:
        return [m.subject for m in mails if m.rcpt_tos == [recipient]]

    def bodies(recipient: str) -> str:
        return "\n".join(m.body for m in mails if m.rcpt_tos == [recipient])

    # Each outbox row once, each with its own Message-ID.
    assert len({str(m.message["Message-ID"]) for m in mails}) == len(mails)
    assert all(len(m.rcpt_tos) == 1 for m in mails)
    recipients = {m.rcpt_tos[0] for m in mails}
    assert recipients >= {
        people.CASEWORKER,
        people.DPO,
        people.INFORMATION_RIGHTS,
        people.ICT,
        people.SIGNATORY_PHSO,
        people.SIGNATORY_LGSCO,
        HELPHUB,
    }
    # CQC is no party to this proposal; the reviewer has nothing to do before it is active.
    assert people.SIGNATORY_CQC not in recipients
    assert people.REVIEWER not in recipients

    link = f"https://infoshare.phso.example/proposals/{d.workflow_id}"
    for who, messages in {
        people.CASEWORKER: ["submit_screening", "submit_dpia", "propose_lawful_basis"],
        people.DPO: ["screening_decision", "dpia_decision", "advice"],
        people.INFORMATION_RIGHTS: ["isa_decision", "special_category_condition", "advice"],
        people.ICT: ["security_advice"],
        people.SIGNATORY_PHSO: ["sign"],
        people.SIGNATORY_LGSCO: ["sign"],
    }.items():
        text = bodies(who)
        assert link in text, who
        for message in messages:
            assert f"  {message}: " in text, (who, message)
        assert all(s.endswith(f"[{d.workflow_id}]") for s in subjects(who))

    [helphub] = [m for m in mails if m.rcpt_tos == [HELPHUB]]
    assert helphub.subject.startswith("ICT helphub request (8.1)")
    assert "What to consider (8.2):\n  - Sensitivity: " in helphub.body
    assert f"infoshare decide {d.workflow_id} security_advice PAYLOAD.json" in helphub.body

    # Signatories get the version to sign attached: the version they signed.
    signed = status["agreement"]["sha256"]
    for who in (people.SIGNATORY_PHSO, people.SIGNATORY_LGSCO):
        asked = [m for m in mails if m.rcpt_tos == [who]]
        assert asked
        for mail in asked:
            files = mail.attachments()
            assert sorted(files) == ["agreement-v1.html", "agreement-v1.pdf"]
            assert sha256_of(files["agreement-v1.html"]) == signed

    # Since v3 each step is one activity: the emails went with the step records.
    history = await d.handle.fetch_history()
    names = [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]
    assert "queue_notifications" not in names
    # one per message at most (messages close together settle as one step)
    assert 0 < names.count("record_step") <= names.count("lookup_person") + 1

    # The worker's logs (the activities' included) name no one and hold no free text.
    logs = json_logs()
    assert {"notifications.queued", "mail.sent", "agreement.drafted", "records.step"} <= {
        r["event"] for r in logs
    }
    text = repr(logs).lower()
    for personal in [*recipients, make_intake().title, make_intake().purpose]:
        assert personal.lower() not in text, personal
