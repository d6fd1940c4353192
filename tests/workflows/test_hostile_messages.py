"""Hostile payloads against the real workflow on the dev server, as Updates and as Signals.

Payloads are written as the wire carries them (JSON made here, so that what the client's
own converter would refuse to write — lone surrogates, NaN, nesting deeper than the worker
decodes — still gets sent), encrypted by the client's codec. Whatever arrives: never a
failed workflow task, the workflow keeps running, its status is unchanged after each
refusal, and its history still replays (the fixture replays it at teardown).

The sender is never in the people directory, so nothing is ever accepted: a valid payload
gets past the Update validator and is refused once the directory is asked.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.common import RawValue
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from infoshare.codec.encryption import ENCODING, KEY_ID
from infoshare.codec.keys import load_keyring
from infoshare.settings import get_settings
from states.messages import MESSAGES
from tests import people
from tests.factories import ALL_FALSE_SCREENING, make_intake
from tests.hostile import hostile_payload, kind_of_refusal, nested, summary
from tests.workflows.driver import Driver, describe
from workflows.starter import Refused, send_decision

pytestmark = pytest.mark.devserver

UPDATES = 40
SIGNALS = 40


def draw_payloads(count: int) -> list[tuple[str, RawValue]]:
    """`count` (message, hostile payload) pairs, drawn by hypothesis (generation only: the
    cases run against a server afterwards)."""
    cases: list[tuple[str, RawValue]] = []

    @settings(
        max_examples=count,
        phases=[Phase.generate],
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.sampled_from(sorted(MESSAGES)), st.data())
    def collect(message: str, data: st.DataObject) -> None:
        valid = {"actor": people.NOBODY, **MESSAGES[message].example}
        payload = as_json(data.draw(hostile_payload(valid, json_safe=True)))
        # over Temporal's 2 MB limit a payload never reaches the workflow (tested below)
        assume(len(payload.payload.data) < 1_500_000)
        cases.append((message, payload))

    collect()
    return cases


def as_json(value: Any) -> RawValue:
    """`value` as a JSON payload, written here (the client's codec still encrypts it)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 5000))  # json.dumps recurses once per level of nesting
    try:
        data = json.dumps(value).encode()
    finally:
        sys.setrecursionlimit(limit)
    return RawValue(Payload(metadata={"encoding": b"json/plain"}, data=data))


def shown(payload: RawValue) -> str:
    return payload.payload.data[:200].decode(errors="replace")


async def settled(d: Driver) -> int:
    """Wait until the workflow has nothing in flight; returns its history length."""
    last = -1
    for _ in range(200):
        info = await d.client.workflow_service.describe_workflow_execution(_describe_request(d))
        length = info.workflow_execution_info.history_length
        idle = not info.pending_activities and not info.HasField("pending_workflow_task")
        if idle and length == last:
            return length
        last = length
        await asyncio.sleep(0.05)
    raise AssertionError("the workflow never settled")


def _describe_request(d: Driver) -> Any:
    from temporalio.api.common.v1 import WorkflowExecution
    from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest

    return DescribeWorkflowExecutionRequest(
        namespace=d.client.namespace, execution=WorkflowExecution(workflow_id=d.workflow_id)
    )


async def failed_tasks(d: Driver) -> list[str]:
    history = await d.handle.fetch_history()
    failed = EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
    return [str(e.workflow_task_failed_event_attributes) for e in history.events
            if e.event_type == failed]  # fmt: skip


async def assert_healthy(d: Driver, before: dict[str, Any], what: str) -> None:
    assert await failed_tasks(d) == [], f"a workflow task failed after {what}"
    info = await describe(d.client, d.workflow_id)
    assert info.status == WorkflowExecutionStatus.RUNNING.value, what
    assert await d.status() == before, f"the status changed after {what}"


async def screening_proposal(dev_env: WorkflowEnvironment, queue: str) -> Driver:
    d = await Driver.start(dev_env.client, make_intake(), queue)
    await d.send("submit_screening", people.CASEWORKER, answers=ALL_FALSE_SCREENING)
    await d.wait_for(lambda s: s["state"] == "screening" and s["waiting_since"])
    await settled(d)
    return d


async def test_fuzzed_updates_and_signals_never_fail_a_workflow_task(
    dev_env: WorkflowEnvironment, dev_worker: str, capsys: pytest.CaptureFixture[str]
) -> None:
    d = await screening_proposal(dev_env, dev_worker)
    before = await d.status()
    counts: Counter[str] = Counter()

    for message, payload in draw_payloads(UPDATES):
        events = len(await d.timeline())
        try:
            await d.handle.execute_update(message, payload)
        except WorkflowUpdateFailedError as err:
            text = str(getattr(err.cause, "message", err.cause))
            if "Failed decoding arguments" in text:
                counts["update refused: undecodable"] += 1
            else:
                grew = len(await d.timeline()) > events
                where = "in the handler" if grew else "by the validator"
                counts[f"update refused {where} ({kind_of_refusal(text)})"] += 1
        else:
            raise AssertionError(f"{message} accepted from someone not in the directory")
        await settled(d)
        await assert_healthy(d, before, f"update {message} {shown(payload)}")

    for message, payload in draw_payloads(SIGNALS):
        events = len(await d.timeline())
        await d.handle.signal(message, payload)
        await settled(d)
        timeline = await d.timeline()
        if len(timeline) > events:
            assert timeline[-1]["accepted"] is False, timeline[-1]
            counts[f"signal refused ({kind_of_refusal(timeline[-1]['detail'])})"] += 1
        else:
            counts["signal dropped (undecodable)"] += 1
        await assert_healthy(d, before, f"signal {message} {shown(payload)}")

    with capsys.disabled():
        print("\n" + summary("hostile payloads, real workflow", counts))
    assert any(k.startswith("update refused by the validator") for k in counts)
    assert any(k.startswith("signal refused") for k in counts)


# ----- what no well-behaved client sends -------------------------------------------------


def _plain_client(client: Client) -> Client:
    """A client without the codec: what anyone with access to Temporal could use."""
    return Client(client.service_client, namespace=client.namespace)


def _forged() -> RawValue:
    """A payload claiming the worker's key that was not encrypted with it."""
    key_id = load_keyring(get_settings()).active.encode()
    return RawValue(Payload(metadata={"encoding": ENCODING, KEY_ID: key_id}, data=b"\x01" * 60))


def _not_json() -> RawValue:
    return RawValue(Payload(metadata={"encoding": b"json/plain"}, data=b"{\xff not json"))


@pytest.mark.parametrize(
    "case",
    ["no payload", "two payloads", "forged ciphertext", "invalid JSON", "lone surrogate",
     "nested 300 deep", "plaintext"],
)  # fmt: skip
async def test_payloads_no_client_writes_are_refused_or_dropped(
    dev_env: WorkflowEnvironment, dev_worker: str, case: str
) -> None:
    d = await screening_proposal(dev_env, dev_worker)
    before = await d.status()
    events = len(await d.timeline())
    handle = d.handle
    if case in ("forged ciphertext", "plaintext"):
        handle = _plain_client(dev_env.client).get_workflow_handle(d.workflow_id)
    cases: dict[str, list[Any]] = {
        "no payload": [],
        "two payloads": [{"actor": people.NOBODY, "reason": "r"}, {"actor": people.NOBODY}],
        "forged ciphertext": [_forged()],
        "invalid JSON": [_not_json()],
        "lone surrogate": [as_json({"actor": people.NOBODY, "reason": "\ud800"})],
        "nested 300 deep": [as_json({"actor": people.NOBODY, "reason": nested(300)})],
        "plaintext": [{"actor": people.NOBODY, "reason": "sent in clear"}],
    }  # fmt: skip
    args = cases[case]

    with pytest.raises(WorkflowUpdateFailedError) as err:
        await handle.execute_update("withdraw", args=args)
    refusal = str(getattr(err.value.cause, "message", err.value.cause))
    await handle.signal("withdraw", args=args)
    await settled(d)
    await assert_healthy(d, before, case)
    timeline = await d.timeline()
    if case == "no payload":
        assert "the payload must be one JSON object with 'actor', got NoneType" in refusal
        assert timeline[-1]["detail"] == refusal  # the signal's refusal is recorded too
    elif case == "plaintext":
        # not encrypted, so it is in the history in clear, but checked like any message
        assert "<actor> is not in the people directory" in refusal  # refusals travel in clear
        assert timeline[-1]["actor"] == people.NOBODY
        assert f"{people.NOBODY} is not in the people directory" in timeline[-1]["detail"]
    else:
        # a sender without the key cannot even read why (the failure is encrypted too)
        expected = "Encoded failure" if case == "forged ciphertext" else "Failed decoding arguments"
        assert refusal == expected
        assert len(timeline) == events  # the SDK drops a signal it cannot decode


async def test_a_payload_over_temporal_s_limit_never_reaches_the_workflow(
    dev_env: WorkflowEnvironment, dev_worker: str
) -> None:
    """Over 2 MB the server refuses a signal. An update that large would reach the worker,
    whose refusal (which repeats the request) the SDK cannot send: the clients refuse it
    before sending anything, naming the limit."""
    d = await screening_proposal(dev_env, dev_worker)
    before = await d.status()
    huge = {"actor": people.NOBODY, "reason": "x" * (3 * 1024 * 1024)}
    with pytest.raises(RPCError):
        await d.handle.signal("withdraw", huge)
    length = await settled(d)
    with pytest.raises(Refused, match=r"withdraw: the payload is \d+ bytes of JSON; the limit"):
        await send_decision(d.client, d.workflow_id, "withdraw", huge)
    assert await settled(d) == length
    await assert_healthy(d, before, "a payload over the blob size limit")
    refusal = await d.refused("withdraw", people.NOBODY, reason="x" * 70_000)
    assert "the payload is" in refusal and "the limit is 65536 bytes (64 KiB)" in refusal
