"""Overdue approvals and reviews are reminded, then escalated (PROTOCOL.md 2.9), on the
time-skipping server; the signed agreement is published and entered in the register."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from temporalio.api.common.v1 import Payload
from temporalio.converter import default
from temporalio.testing import WorkflowEnvironment

from activities.files import path_of, sha256_of
from infoshare.database.models import LocalRecordRow, NotificationRow, RegisterRow
from infoshare.database.session import session_scope
from states.types import Policy
from tests import people
from tests.factories import ALL_FALSE_SCREENING, make_intake
from tests.workflows.driver import Driver, describe
from tests.workflows.test_lifecycle import skip_to_next_review

pytestmark = pytest.mark.timeskipping

POLICY = Policy()


def overdue_search_attribute(indexed: dict[str, Payload]) -> datetime | None:
    payload = indexed.get("IspOverdueSince")
    if payload is None or not payload.data or payload.data == b"null":
        return None
    value = default().payload_converter.from_payload(payload, str)
    return datetime.fromisoformat(value) if value else None


async def settled(d: Driver) -> None:
    """Until the decision log holds the whole timeline: the step's records are written."""
    from infoshare.database.models import DecisionRow

    want = len(await d.timeline())
    for _ in range(200):
        with session_scope() as session:
            rows = session.scalars(
                select(DecisionRow.seq).where(DecisionRow.proposal_id == d.workflow_id)
            ).all()
        if len(rows) >= want:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the decision log never reached {want} events")


def kinds_notified(workflow_id: str) -> dict[str, set[str]]:
    """key suffix kind -> recipients, from the outbox."""
    with session_scope() as session:
        rows = session.scalars(
            select(NotificationRow).where(NotificationRow.proposal_id == workflow_id)
        ).all()
    kinds: dict[str, set[str]] = {}
    for row in rows:
        kind = row.key.rsplit("/", 1)[-1] if "/" in row.key else "waiting"
        kinds.setdefault(kind, set()).add(row.recipient)
    return kinds


async def test_overdue_approval_is_reminded_then_escalated_until_it_moves_on(
    time_skipping_env: WorkflowEnvironment, ts_worker: str
) -> None:
    env = time_skipping_env
    d = await Driver.start(env.client, make_intake(), ts_worker, via="signal")
    waiting = await d.wait_for(lambda s: s["state"] == "screening" and s["waiting_since"])
    since = datetime.fromisoformat(waiting["waiting_since"])
    assert waiting["overdue_since"] is None

    before = len(await d.timeline())
    await env.sleep(POLICY.remind_after + timedelta(hours=1))
    await d.wait_for(lambda s: True, timeline_longer_than=before)
    reminders = [e for e in await d.timeline() if e["message"] == "reminder"]
    assert len(reminders) == 1
    assert "reminder 1" in reminders[0]["detail"] and "submit_screening" in reminders[0]["detail"]
    assert reminders[0]["clauses"], "a reminder names the clauses of what it waits for"
    assert (await d.status())["overdue_since"] is None

    await env.sleep(POLICY.escalate_after - POLICY.remind_after)
    status = await d.wait_for(lambda s: bool(s["overdue_since"]))
    overdue = datetime.fromisoformat(status["overdue_since"])
    assert overdue == since + POLICY.escalate_after
    escalations = [e for e in await d.timeline() if e["message"] == "escalated"]
    assert len(escalations) == 1 and "overdue" in escalations[0]["detail"]
    # the escalation counts as the second reminder: no second email at the same moment
    assert [e["message"] for e in await d.timeline()].count("reminder") == 1
    info = await describe(d.client, d.workflow_id)
    assert overdue_search_attribute(dict(info.search_attributes.indexed_fields)) == overdue
    for _ in range(200):  # the emails are queued once the step is recorded
        kinds = kinds_notified(d.workflow_id)
        if "escalation" in kinds:
            break
        await asyncio.sleep(0.05)
    assert kinds["reminder-1"] == {people.CASEWORKER}
    assert people.CASEWORKER in kinds["escalation"]

    # acting clears the overdue flag and restarts the clock for whoever is awaited next
    status = await d.send("submit_screening", people.CASEWORKER, answers=ALL_FALSE_SCREENING)
    assert status["overdue_since"] is None
    assert datetime.fromisoformat(status["waiting_since"]) > since
    for _ in range(100):  # the search attribute follows once the step is settled
        info = await describe(d.client, d.workflow_id)
        if overdue_search_attribute(dict(info.search_attributes.indexed_fields)) is None:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("IspOverdueSince was not unset")


async def test_overdue_review_is_reminded(
    time_skipping_env: WorkflowEnvironment, ts_worker: str
) -> None:
    env = time_skipping_env
    d = await Driver.start(env.client, make_intake(), ts_worker, via="signal")
    await d.to_active()
    await skip_to_next_review(env, d)
    await env.sleep(POLICY.escalate_after + timedelta(hours=1))
    status = await d.wait_for(lambda s: bool(s["overdue_since"]))
    assert status["state"] == "review_due"
    escalated = [e for e in await d.timeline() if e["message"] == "escalated"]
    assert "submit_review" in escalated[-1]["detail"] and "10.1" in escalated[-1]["clauses"]
    status = await d.review(1)
    assert status["state"] == "active" and status["overdue_since"] is None


async def test_signed_agreement_is_published_and_registered(
    time_skipping_env: WorkflowEnvironment, ts_worker: str
) -> None:
    d = await Driver.start(time_skipping_env.client, make_intake(), ts_worker, via="signal")
    await d.send(
        "attach_record",
        people.CASEWORKER,
        kind="email",
        uri="https://records.example/emails/7",
        sha256="a" * 64,
        description="partner's confirmation",
    )
    status = await d.to_active()
    status = await d.wait_for(lambda s: bool(s["published"]))
    agreement: dict[str, Any] = status["agreement"]
    assert status["published"] == {
        "version": agreement["version"],
        "public_path": f"/register/{d.workflow_id}/v{agreement['version']}",
    }
    published = [e for e in await d.timeline() if e["message"] == "agreement_published"]
    assert len(published) == 1 and published[0]["clauses"] == ["9.1", "4.14"]
    await settled(d)
    with session_scope() as session:
        row = session.get(RegisterRow, d.workflow_id)
        assert row is not None
        assert row.version == agreement["version"] and row.sha256 == agreement["sha256"]
        assert row.parties == status["parties"] and row.status == "active"
        assert row.lawful_basis == status["lawful_basis"]
        assert {s["party"] for s in row.signatures} == set(status["parties"])
        assert row.next_review_due is not None
        # the published copy is exactly the version that was signed
        assert sha256_of(path_of(row.html_uri).read_bytes()) == agreement["sha256"]
        assert Path(path_of(row.html_uri)).parent.name == d.workflow_id
        records = session.scalars(
            select(LocalRecordRow).where(LocalRecordRow.proposal_id == d.workflow_id)
        ).all()
        assert [(r.uri, r.released_at) for r in records] == [
            ("https://records.example/emails/7", None)
        ]

    # Information Rights releases the local records once they are no longer needed (4.14)
    status = await d.send("release_records", people.INFORMATION_RIGHTS, reason="registered")
    assert status["local_records_held"] == 0
    refusal = await d.refused("release_records", people.INFORMATION_RIGHTS, reason="again")
    assert "no local records" in refusal
    await settled(d)
    with session_scope() as session:
        record = session.scalars(
            select(LocalRecordRow).where(LocalRecordRow.proposal_id == d.workflow_id)
        ).one()
        assert record.released_by == people.INFORMATION_RIGHTS and record.released_at

    # the register follows the agreement's status
    status = await d.send("terminate", people.INFORMATION_RIGHTS, reason="purpose fulfilled")
    await settled(d)
    with session_scope() as session:
        row = session.get(RegisterRow, d.workflow_id)
        assert row is not None and row.status == "closing" and row.next_review_due is None
