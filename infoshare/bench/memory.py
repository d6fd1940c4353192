"""Worker memory with many open proposals, each waiting on a person and on a timer."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from temporalio.client import Client

from infoshare.bench import lifecycle
from infoshare.bench.stack import Stack
from infoshare.settings import get_settings

WAVE = 200


@dataclass
class MemoryResult:
    open_proposals: int
    start_seconds: float = 0.0
    rss_idle_mib: float = 0.0
    rss_open_mib: float = 0.0
    rss_peak_mib: float = 0.0
    cached_workflows_limit: int = 1000

    def as_json(self) -> dict[str, object]:
        return {
            "open_proposals": self.open_proposals,
            "start_wall_seconds": round(self.start_seconds, 1),
            "starts_per_second": round(self.open_proposals / self.start_seconds, 1)
            if self.start_seconds
            else 0.0,
            "worker_rss_idle_mib": round(self.rss_idle_mib, 1),
            "worker_rss_open_mib": round(self.rss_open_mib, 1),
            "worker_rss_peak_mib": round(self.rss_peak_mib, 1),
            "worker_cached_workflows_limit": self.cached_workflows_limit,
        }


async def _count(client: Client, query: str) -> int:
    return (await client.count_workflows(query)).count


async def open_proposals(
    stack: Stack, client: Client, count: int, concurrency: int = 50
) -> MemoryResult:
    """Start `count` proposals on a fresh worker and wait until every one has settled into
    waiting for the caseworker's screening (with its reminder timer set)."""
    from workflows.starter import start_proposal

    queue = "bench-open"
    worker = stack.start_worker(queue)
    result = MemoryResult(count)
    settings = get_settings().model_copy(update={"task_queue": queue})
    the_intake = lifecycle.intake()
    try:
        # the worker is up once it has settled a first proposal
        waiting = f"TaskQueue = '{queue}' AND IspAwaiting = 'caseworker'"
        await start_proposal(client, the_intake, settings)
        while await _count(client, waiting) < 1:
            await asyncio.sleep(0.2)
        result.rss_idle_mib = worker.rss_kib() / 1024
        gate = asyncio.Semaphore(concurrency)

        async def start(_: int) -> None:
            async with gate:
                await start_proposal(client, the_intake, settings)

        # In waves the worker absorbs: thousands of new proposals at once each run their
        # first activities while the worker's cache (1,000 workflows) keeps evicting them,
        # and every eviction costs a replay (measured: about 2 settled a second).
        started = time.perf_counter()
        opened = 1
        while opened < count:
            wave = min(WAVE, count - opened)
            await asyncio.gather(*(start(i) for i in range(wave)))
            opened += wave
            while await _count(client, waiting) < opened - WAVE // 2:
                await asyncio.sleep(2.0)  # a count scans visibility: not too often
        while await _count(client, waiting) < count:
            await asyncio.sleep(2.0)
        result.start_seconds = time.perf_counter() - started
        result.rss_open_mib = worker.rss_kib() / 1024
        result.rss_peak_mib = worker.peak_rss_kib() / 1024
    finally:
        await asyncio.to_thread(worker.stop)
    return result
