"""Drives a proposal the way people do: each message as an Update or as a Signal."""

from __future__ import annotations

import asyncio
import sys
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, TypeVar

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflow.v1 import WorkflowExecutionInfo
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from states.intake import Intake
from tests import people
from tests.factories import ALL_FALSE_SCREENING, LAWFUL_BASIS, SPECIAL_CONDITION
from workflows.starter import Refused, send_decision

T = TypeVar("T")
SHA = "a" * 64
# A query that lands on a run just continued-as-new waits for nothing: retry it soon.
QUERY_TIMEOUT = timedelta(seconds=2)
# Every retry `patiently` made, by call site: in pytest's terminal summary (tests/conftest.py).
RETRIES: Counter[str] = Counter()


def is_the_quirk(err: RPCError) -> bool:
    """The request timed out: the client's RPC timeout ran out (CANCELLED, "Timeout
    expired"), or the server's deadline did. Any other error is a real one."""
    if err.status == RPCStatusCode.CANCELLED:
        return err.message == "Timeout expired"
    return err.status == RPCStatusCode.DEADLINE_EXCEEDED


def call_site() -> str:
    """The innermost frame outside this module: the test's line that made the call."""
    for frame in reversed(traceback.extract_stack()):
        if frame.filename != __file__:
            return f"{Path(frame.filename).name}:{frame.lineno}"
    return "?"


async def patiently(call: Callable[[], Awaitable[T]], attempts: int = 10) -> T:
    """Retry a request on a proposal's current run that timed out. The time-skipping test
    server's quirk: a request that lands on a run just continuing-as-new is left
    unanswered until it times out; asked again, the new run answers. Only for calls that
    can land on that moment (a query, a describe or the teardown's history right after a
    message that may continue the run as new); retries only that timeout, and counts and
    prints each retry with its call site."""
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RPCError as err:
            if not is_the_quirk(err) or attempt == attempts:
                raise
            site = call_site()
            RETRIES[site] += 1
            print(
                f"patiently: retry {attempt} at {site} after {err.status.name}: {err.message}",
                file=sys.stderr,
            )
    raise AssertionError("unreachable")


async def describe(client: Client, workflow_id: str) -> WorkflowExecutionInfo:
    """The raw description (the SDK's typed one cannot decode an unset datetime search
    attribute as the time-skipping server returns it)."""
    response = await patiently(
        lambda: client.workflow_service.describe_workflow_execution(
            DescribeWorkflowExecutionRequest(
                namespace=client.namespace, execution=WorkflowExecution(workflow_id=workflow_id)
            )
        )
    )
    return response.workflow_execution_info


class Driver:
    # Every proposal a test started, by task queue: the fixtures replay their histories
    # and terminate what is still running once the test ends.
    started: dict[str, list[str]] = {}

    def __init__(
        self, client: Client, workflow_id: str, via: Literal["update", "signal"] = "update"
    ) -> None:
        self.client = client
        self.workflow_id = workflow_id
        self.via = via

    @classmethod
    async def start(
        cls,
        client: Client,
        intake: Intake,
        task_queue: str,
        via: Literal["update", "signal"] = "update",
    ) -> Driver:
        from infoshare.settings import get_settings
        from workflows.starter import start_proposal

        # as the CLI and the web form start it: search attributes and summary included
        settings = get_settings().model_copy(update={"task_queue": task_queue})
        workflow_id = await start_proposal(client, intake, settings)
        cls.started.setdefault(task_queue, []).append(workflow_id)
        return cls(client, workflow_id, via)

    @property
    def handle(self) -> WorkflowHandle[Any, Any]:
        return self.client.get_workflow_handle(self.workflow_id)

    async def _query(self, name: str) -> Any:
        return await patiently(lambda: self.handle.query(name, rpc_timeout=QUERY_TIMEOUT))

    async def status(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._query("status")
        return result

    async def timeline(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._query("timeline")
        return result

    async def send(self, message: str, actor: str, **payload: Any) -> dict[str, Any]:
        body = {"actor": actor, **payload}
        if self.via == "update":
            return await send_decision(self.client, self.workflow_id, message, body)
        before = len(await self.timeline())
        await self.handle.signal(message, body)
        await self.wait_for(lambda _: True, timeline_longer_than=before)
        return await self.status()

    async def refused(self, message: str, actor: str, **payload: Any) -> str:
        """Send a message that must be refused; returns the refusal text."""
        if self.via == "update":
            try:
                await self.send(message, actor, **payload)
            except Refused as err:
                return str(err)
            raise AssertionError(f"{message} was accepted")
        await self.send(message, actor, **payload)
        last = (await self.timeline())[-1]
        assert last["message"] == message and last["accepted"] is False, last
        return str(last["detail"])

    async def wait_for(
        self,
        condition: Callable[[dict[str, Any]], bool],
        *,
        timeline_longer_than: int = -1,
        timeout: float = 20.0,
    ) -> dict[str, Any]:
        """Poll until the status satisfies `condition` (and the timeline has grown)."""
        deadline = asyncio.get_running_loop().time() + timeout
        last_error: Exception | None = None
        while True:
            try:
                status = await self.status()
                grown = len(await self.timeline()) > timeline_longer_than
            except Exception as err:  # the query can fail while a task retries
                status, grown, last_error = {}, False, err
            if status and grown and condition(status):
                return status
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(
                    f"timed out waiting; last status {status}, error {last_error!r}"
                )
            await asyncio.sleep(0.05)

    async def signed_draft(self) -> dict[str, Any]:
        status = await self.wait_for(lambda s: bool(s["agreement"]) and bool(s["awaiting"]))
        agreement: dict[str, Any] = status["agreement"]
        return agreement

    # ----- the protocol's happy path, step by step ---------------------------------------

    async def screen(self, dpia_required: bool, **answers: bool) -> dict[str, Any]:
        await self.send(
            "submit_screening", people.CASEWORKER, answers={**ALL_FALSE_SCREENING, **answers}
        )
        return await self.send(
            "screening_decision",
            people.DPO,
            dpia_required=dpia_required,
            reason="confirmed by the DPO",
        )

    async def dpia(self, residual_risk: str = "low") -> dict[str, Any]:
        await self.send(
            "submit_dpia",
            people.CASEWORKER,
            document_uri="https://docs.example/d",
            document_sha256=SHA,
            residual_risk=residual_risk,
        )
        return await self.send(
            "dpia_decision", people.DPO, outcome="approved", reason="mitigations adequate"
        )

    async def lawful_basis(self, special: bool = True) -> dict[str, Any]:
        await self.send("propose_lawful_basis", people.CASEWORKER, **LAWFUL_BASIS)
        if special:
            await self.send(
                "special_category_condition", people.INFORMATION_RIGHTS, **SPECIAL_CONDITION
            )
        await self.send("advice", people.DPO, role="dpo", outcome="support", notes="sound")
        return await self.send(
            "advice",
            people.INFORMATION_RIGHTS,
            role="information_rights",
            outcome="support",
            notes="agreed",
        )

    async def sign_all(self, signatories: dict[str, str] | None = None) -> dict[str, Any]:
        signatories = signatories or {
            "PHSO": people.SIGNATORY_PHSO,
            "LGSCO": people.SIGNATORY_LGSCO,
        }
        agreement = await self.signed_draft()
        status: dict[str, Any] = {}
        for party, actor in signatories.items():
            status = await self.send(
                "sign",
                actor,
                party=party,
                name=f"Signatory of {party}",
                job_title="Director",
                document_sha256=agreement["sha256"],
            )
        return status

    async def to_active(self) -> dict[str, Any]:
        """The CONTRACT.md example intake (health data, regular sharing) to `active`."""
        await self.screen(dpia_required=True)
        await self.dpia()
        await self.send("isa_decision", people.INFORMATION_RIGHTS, isa_required=True)
        return await self.to_active_from_lawful_basis()

    async def to_active_from_lawful_basis(self) -> dict[str, Any]:
        status = await self.lawful_basis()
        assert status["state"] == "security_method", status
        await self.send(
            "security_advice",
            people.ICT,
            method="SFTP with PGP",
            notes="regular and sensitive: managed transfer",
        )
        status = await self.sign_all()
        assert status["state"] == "active", status
        return status

    async def review(self, number: int, **overrides: bool) -> dict[str, Any]:
        from states import rules

        answers = dict.fromkeys(rules.checks_due(number), True)
        if "needs_refresh" in answers:
            answers["needs_refresh"] = False
        answers.update(overrides)
        return await self.send(
            "submit_review", people.REVIEWER, review_number=number, answers=answers, notes=""
        )


def months(n: int) -> timedelta:
    return timedelta(days=31 * n)
