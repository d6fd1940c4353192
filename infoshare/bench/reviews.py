"""Ten years of reviews for many agreements, on the time-skipping test server.

Every agreement is first walked to `active` (its real lifecycle); then, review period by
review period, time skips to the date the reviews fall due, and the reviewer answers each
review with a Signal (the time-skipping server skips time while the client sleeps or waits
on a workflow result, not while it waits on an Update's). The history of one proposal
after all those years shows what continue-as-new keeps it to.

With many agreements the worker is busy for a while after each skip: a status query or a
signal that times out is made again, and a skip that outlasts the sleep call's deadline is
waited out on the server's clock. Each of these is counted and reported (`retried`).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from infoshare.bench import lifecycle
from infoshare.bench.stack import Stack
from infoshare.runtime.devserver import INDEXED_VALUE_TYPES
from infoshare.runtime.serving import free_port
from infoshare.settings import get_settings

T = TypeVar("T")
REVIEWER = "reviewer@phso.example"
QUERY_TIMEOUT = timedelta(seconds=3)
# How long a status query or a signal is made again before the section fails.
PATIENCE = timedelta(minutes=10)
# How long a time skip may take, waiting out the worker's work at each wake-up.
SKIP_PATIENCE = timedelta(minutes=30)


@dataclass
class ReviewsResult:
    agreements: int
    years: float
    lifecycle_seconds: float = 0.0
    review_seconds: float = 0.0
    reviews: int = 0
    periods: int = 0
    runs: int = 0
    events_per_run: list[int] = field(default_factory=list)
    bytes_per_run: list[int] = field(default_factory=list)
    # calls made again after a transient RPC error, by call, and each call's first error
    retried: Counter[str] = field(default_factory=Counter)
    first_errors: dict[str, str] = field(default_factory=dict)

    def note_retry(self, call: str, err: RPCError) -> None:
        self.retried[call] += 1
        self.first_errors.setdefault(call, f"{type(err).__name__}: {err.message}")

    def as_json(self) -> dict[str, object]:
        return {
            "agreements": self.agreements,
            "years": self.years,
            "lifecycle_wall_seconds": round(self.lifecycle_seconds, 1),
            "reviews_wall_seconds": round(self.review_seconds, 1),
            "review_periods": self.periods,
            "reviews": self.reviews,
            "history": {
                "runs": self.runs,
                "events_per_run": self.events_per_run,
                "bytes_per_run": self.bytes_per_run,
                "events_last_run": self.events_per_run[-1] if self.events_per_run else 0,
                "events_all_runs": sum(self.events_per_run),
            },
            "retried": {call: self.retried[call] for call in sorted(self.retried)},
            "retried_first_error": dict(sorted(self.first_errors.items())),
        }


async def _patiently(call: Callable[[], Awaitable[T]], name: str, result: ReviewsResult) -> T:
    """Make the call again after an RPC error (a query that lands on a run just
    continued-as-new, or one the busy worker did not answer in time), each time counted
    under `name`, until PATIENCE has passed; then the error stands."""
    deadline = time.monotonic() + PATIENCE.total_seconds()
    while True:
        try:
            return await call()
        except RPCError as err:
            if time.monotonic() > deadline:
                raise
            result.note_retry(name, err)
            await asyncio.sleep(0.2)


async def _status(client: Client, workflow_id: str, result: ReviewsResult) -> dict[str, Any]:
    handle = client.get_workflow_handle(workflow_id)
    status: dict[str, Any] = await _patiently(
        lambda: handle.query("status", result_type=dict, rpc_timeout=QUERY_TIMEOUT),
        "status_query",
        result,
    )
    return status


async def _all_reach(
    client: Client,
    ids: list[str],
    done: Callable[[dict[str, Any]], bool],
    gate: int,
    result: ReviewsResult,
) -> list[dict[str, Any]]:
    """Poll every proposal until its status satisfies `done`; their statuses."""
    limit = asyncio.Semaphore(gate)

    async def one(workflow_id: str) -> dict[str, Any]:
        delay = 0.05
        while True:
            async with limit:
                status = await _status(client, workflow_id, result)
            if done(status):
                return status
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)

    return list(await asyncio.gather(*(one(i) for i in ids)))


async def _skip_to(env: WorkflowEnvironment, target: datetime, result: ReviewsResult) -> None:
    """Skip the server's time to `target`. The sleep call has a 30 s deadline, but the
    server cannot skip past a wake-up until the worker has done its work, which with many
    agreements takes longer; the server goes on skipping after the call has timed out, so
    its clock is then watched until it reaches `target` (counted as `time_skip`)."""
    now = await env.get_current_time()
    try:
        await env.sleep(max(target - now, timedelta(0)))
        return
    except RPCError as err:
        result.note_retry("time_skip", err)
    deadline = time.monotonic() + SKIP_PATIENCE.total_seconds()
    while (now := await env.get_current_time()) < target:
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"the time-skipping server's clock reached {now.isoformat()}, not "
                f"{target.isoformat()}, within {SKIP_PATIENCE}"
            )
        await asyncio.sleep(1.0)


async def _register_search_attributes(client: Client) -> None:
    from workflows.search_attributes import SEARCH_ATTRIBUTES

    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=client.namespace,
            search_attributes={k: INDEXED_VALUE_TYPES[v] for k, v in SEARCH_ATTRIBUTES.items()},
        )
    )


def review_payload(number: int) -> dict[str, Any]:
    from states import rules

    answers = dict.fromkeys(rules.checks_due(number), True)
    if "needs_refresh" in answers:
        answers["needs_refresh"] = False
    return {"actor": REVIEWER, "review_number": number, "answers": answers, "notes": ""}


async def _answer_reviews(
    client: Client, numbers: dict[str, int], concurrency: int, result: ReviewsResult
) -> list[dict[str, Any]]:
    """Signal each proposal's review (`numbers`: id -> review number); wait for active."""
    gate = asyncio.Semaphore(concurrency)

    async def answer(workflow_id: str) -> None:
        handle = client.get_workflow_handle(workflow_id)
        async with gate:
            await _patiently(
                lambda: handle.signal("submit_review", review_payload(numbers[workflow_id])),
                "review_signal",
                result,
            )

    await asyncio.gather(*(answer(i) for i in numbers))
    return await _all_reach(
        client,
        list(numbers),
        lambda s: s["state"] == "active" and s["review_number"] >= numbers[s["proposal_id"]],
        concurrency,
        result,
    )


async def ten_years(
    stack: Stack, agreements: int, years: float, concurrency: int = 50
) -> ReviewsResult:
    """Drive `agreements` to active, then every review for `years`; wall times and the
    history of the first agreement. Uses the database of `stack`, not its server."""
    from infoshare.audit.history import fetch_runs
    from infoshare.codec.converter import configured_data_converter

    result = ReviewsResult(agreements, years)
    port = free_port()
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(Path(sys.executable).parent / "temporal-test-server"),
        data_converter=configured_data_converter(),
        port=port,
    )
    worker = None
    try:
        client = env.client
        await _register_search_attributes(client)
        queue = "bench-ten-years"
        worker = stack.start_worker(queue, INFOSHARE_TEMPORAL_ADDRESS=f"127.0.0.1:{port}")
        settings = get_settings().model_copy(update={"task_queue": queue})
        the_intake = lifecycle.intake()
        gate = asyncio.Semaphore(concurrency)

        async def to_active(_: int) -> str:
            async with gate:
                return (await lifecycle.ours(client, settings, the_intake)).workflow_id

        started = time.perf_counter()
        ids = list(await asyncio.gather(*(to_active(i) for i in range(agreements))))
        result.lifecycle_seconds = time.perf_counter() - started

        started = time.perf_counter()
        statuses = await _all_reach(
            client, ids, lambda s: s["state"] == "active", concurrency, result
        )
        horizon = await env.get_current_time() + timedelta(days=365.25 * years)
        while True:
            due = max(datetime.fromisoformat(s["next_review_due"]) for s in statuses)
            if due > horizon:
                break
            await _skip_to(env, due + timedelta(hours=1), result)
            statuses = await _all_reach(
                client, ids, lambda s: s["state"] == "review_due", concurrency, result
            )
            numbers = {i: s["review_number"] + 1 for i, s in zip(ids, statuses, strict=True)}
            statuses = await _answer_reviews(client, numbers, concurrency, result)
            result.periods += 1
            result.reviews += len(ids)
        result.review_seconds = time.perf_counter() - started

        runs = await fetch_runs(client, ids[0])
        result.runs = len(runs)
        result.events_per_run = [len(h.events) for h in runs]
        result.bytes_per_run = [sum(e.ByteSize() for e in h.events) for h in runs]
    finally:
        if worker is not None:
            await asyncio.to_thread(worker.stop)
        await env.shutdown()
    return result
