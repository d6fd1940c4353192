"""Messages through the real client on the dev server: every refusal is specific and
changes nothing, as an Update (refused before anything is written) and as a Signal
(recorded as refused in the timeline)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment

from infoshare.database.models import DecisionRow, ProposalRow
from infoshare.database.session import session_scope
from tests import people
from tests.conftest import make_worker
from tests.factories import ALL_FALSE_SCREENING, make_intake
from tests.workflows.driver import Driver, describe

pytestmark = pytest.mark.devserver

# (message, actor, payload, words the refusal must contain) — sent in `screening`
REFUSALS: dict[str, tuple[str, str, dict[str, Any], list[str]]] = {
    "wrong role": (
        "submit_screening",
        people.DPO,
        {"answers": ALL_FALSE_SCREENING},
        ["does not hold the role caseworker", "dpo"],
    ),
    "unknown actor": (
        "submit_screening",
        people.NOBODY,
        {"answers": ALL_FALSE_SCREENING},
        ["not in the people directory"],
    ),
    "wrong state": (
        "isa_decision",
        people.INFORMATION_RIGHTS,
        {"isa_required": True},
        ["not accepted in state screening", "submit_screening"],
    ),
    "missing field": (
        "submit_screening",
        people.CASEWORKER,
        {"answers": {"ico_tracking": True}},
        ["missing answers", "art35_automated_decisions"],
    ),
    "wrong type": (
        "withdraw",
        people.CASEWORKER,
        {"reason": {"nested": [1, 2]}},
        ["field 'reason'"],
    ),
    "extra field": (
        "withdraw",
        people.CASEWORKER,
        {"reason": "x", "urgent": True},
        ["field 'urgent'", "not a field of this message"],
    ),
    "not an email": (
        "withdraw",
        "not-an-email",
        {"reason": "x"},
        ["field 'actor'"],
    ),
    "needs answers first": (
        "screening_decision",
        people.DPO,
        {"dpia_required": True},
        ["has not sent submit_screening"],
    ),
}


async def history_length(d: Driver) -> int:
    return (await describe(d.client, d.workflow_id)).history_length


async def settled_history_length(d: Driver) -> int:
    """The history length once the workflow has finished what it was doing."""
    length = await history_length(d)
    for _ in range(50):
        await asyncio.sleep(0.2)
        now = await history_length(d)
        if now == length:
            return now
        length = now
    raise AssertionError("the workflow never settled")


@pytest.mark.parametrize("case", sorted(REFUSALS))
async def test_refused_update_says_why_and_changes_nothing(
    dev_env: WorkflowEnvironment, dev_worker: str, case: str
) -> None:
    message, actor, payload, words = REFUSALS[case]
    d = await Driver.start(dev_env.client, make_intake(), dev_worker, via="update")
    await d.wait_for(lambda s: s["state"] == "screening")
    length = await settled_history_length(d)
    before = await d.status()
    timeline_before = await d.timeline()
    refusal = await d.refused(message, actor, **payload)
    for word in words:
        assert word in refusal, refusal
    assert await d.status() == before
    if case in ("wrong role", "unknown actor"):
        # the directory is asked by the workflow: the refusal is on the timeline
        timeline = await d.timeline()
        assert timeline[:-1] == timeline_before
        assert timeline[-1]["accepted"] is False and timeline[-1]["message"] == message
    else:
        # refused by the validator: nothing at all was written to the history
        assert await d.timeline() == timeline_before
        assert await settled_history_length(d) == length


@pytest.mark.parametrize("case", sorted(REFUSALS))
async def test_refused_signal_is_recorded_and_changes_nothing(
    dev_env: WorkflowEnvironment, dev_worker: str, case: str
) -> None:
    message, actor, payload, words = REFUSALS[case]
    d = await Driver.start(dev_env.client, make_intake(), dev_worker, via="signal")
    # settled: the overdue clock has started
    before = await d.wait_for(lambda s: s["state"] == "screening" and s["waiting_since"])
    refusal = await d.refused(message, actor, **payload)
    for word in words:
        assert word in refusal, refusal
    assert await d.status() == before


async def test_segregation_of_duties(dev_env: WorkflowEnvironment, dev_worker: str) -> None:
    # cam is a caseworker and also holds the dpo role; on cam's own proposal cam never acts
    # as dpo, information_rights or ict
    d = await Driver.start(
        dev_env.client, make_intake(caseworker=people.OTHER_CASEWORKER), dev_worker
    )
    await d.send("submit_screening", people.OTHER_CASEWORKER, answers=ALL_FALSE_SCREENING)
    before = await d.status()
    refusal = await d.refused("screening_decision", people.OTHER_CASEWORKER, dpia_required=True)
    assert "segregation of duties" in refusal and "dpo" in refusal
    refusal = await d.refused("terminate", people.OTHER_CASEWORKER, reason="x")
    assert "segregation of duties" in refusal
    assert await d.status() == before
    # the same person may act as dpo on somebody else's proposal
    other = await Driver.start(dev_env.client, make_intake(), dev_worker)
    await other.send("submit_screening", people.CASEWORKER, answers=ALL_FALSE_SCREENING)
    status = await other.send("screening_decision", people.OTHER_CASEWORKER, dpia_required=True)
    assert status["state"] == "dpia"
    # and as signal: recorded as refused
    d.via = "signal"
    refusal = await d.refused("screening_decision", people.OTHER_CASEWORKER, dpia_required=True)
    assert "segregation of duties" in refusal


async def test_update_returns_the_new_status_and_repeats_are_harmless(
    dev_env: WorkflowEnvironment, dev_worker: str
) -> None:
    d = await Driver.start(dev_env.client, make_intake(), dev_worker)
    status = await d.send("submit_screening", people.CASEWORKER, answers=ALL_FALSE_SCREENING)
    assert status["awaiting"] == [{"message": "screening_decision", "roles": ["dpo"]}]
    dpia = next(r for r in status["recommendations"] if r["decision"] == "dpia_required")
    assert dpia["value"] is True and "6.4" in dpia["clauses"]
    timeline = await d.timeline()
    # the same message again, in the same state: nothing happens
    again = await d.send("submit_screening", people.CASEWORKER, answers=ALL_FALSE_SCREENING)
    assert again == status and await d.timeline() == timeline
    status = await d.send("screening_decision", people.DPO, dpia_required=True)
    assert status["state"] == "dpia"
    timeline = await d.timeline()
    # a late duplicate of the message that moved it on is acknowledged, not refused
    again = await d.send("screening_decision", people.DPO, dpia_required=True)
    assert again["state"] == "dpia" and await d.timeline() == timeline
    d.via = "signal"
    await d.handle.signal("screening_decision", {"actor": people.DPO, "dpia_required": True})
    await d.send(
        "attach_record",
        people.CASEWORKER,
        kind="email",
        uri="https://r.example/1",
        sha256="d" * 64,
        description="partner's reply",
    )
    timeline_after = await d.timeline()
    assert [e["message"] for e in timeline_after[len(timeline) :]] == ["attach_record"]


async def test_full_path_by_update_records_every_event_once(
    dev_env: WorkflowEnvironment, dev_worker: str
) -> None:
    d = await Driver.start(dev_env.client, make_intake(), dev_worker)
    status = await d.to_active()
    assert status["agreement"]["version"] == 1
    timeline = await d.timeline()
    assert [e["seq"] for e in timeline] == list(range(1, len(timeline) + 1))
    with session_scope() as session:
        rows = session.scalars(
            select(DecisionRow)
            .where(DecisionRow.proposal_id == d.workflow_id)
            .order_by(DecisionRow.seq)
        ).all()
        assert [(r.seq, r.message, r.accepted) for r in rows] == [
            (e["seq"], e["message"], e["accepted"]) for e in timeline
        ]
        proposal = session.get(ProposalRow, d.workflow_id)
        assert proposal is not None and proposal.state == "active"
    # search attributes follow the state (visibility is eventually consistent)
    query = f'WorkflowId = "{d.workflow_id}" AND IspState = "active" AND IspPartners = "LGSCO"'
    for _ in range(50):
        found = [w.id async for w in dev_env.client.list_workflows(query)]
        if found:
            break
        await asyncio.sleep(0.2)
    assert found == [d.workflow_id]
    awaiting_dpo = f'WorkflowId = "{d.workflow_id}" AND IspAwaiting = "dpo"'
    assert [w.id async for w in dev_env.client.list_workflows(awaiting_dpo)] == []


async def test_a_new_worker_continues_where_the_old_one_stopped(
    dev_env: WorkflowEnvironment,
) -> None:
    queue = "restart-" + __import__("uuid").uuid4().hex[:8]
    async with make_worker(dev_env, queue):
        d = await Driver.start(dev_env.client, make_intake(), queue)
        await d.screen(dpia_required=True)
        await d.dpia()
    # no worker now: the proposal waits, durable, in the server
    await d.handle.signal(
        "isa_decision", {"actor": people.INFORMATION_RIGHTS, "isa_required": True}
    )
    async with make_worker(dev_env, queue):
        await d.wait_for(lambda s: s["state"] == "lawful_basis")
        status = await d.to_active_from_lawful_basis()
        assert status["state"] == "active"
        decisions = [e["message"] for e in await d.timeline() if e["actor"] != "infoshare"]
        assert decisions.count("isa_decision") == 1
        from tests.conftest import replay_and_clean_up

        await replay_and_clean_up(dev_env, queue)
