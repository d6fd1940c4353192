"""Lifecycles per second and message latency at a given load, ours and bare side by side."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from infoshare.bench.lifecycle import Outcome


@dataclass
class LoadResult:
    system: str  # "ours" or "bare"
    load: int  # lifecycles in flight at once
    lifecycles: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    workflow_ids: list[str] = field(default_factory=list)
    resent: int = 0  # messages sent again when told to (see lifecycle.RETRY_LATER)
    query_timeouts: int = 0  # status queries not answered in time, asked again
    errors: list[str] = field(default_factory=list)  # lifecycles that failed, and why

    @property
    def rate(self) -> float:
        """Lifecycles completed per second (a failed one does not count)."""
        done = self.lifecycles - len(self.errors)
        return done / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, p: float) -> float:
        """The p-th percentile of the message latencies (nearest rank), in seconds."""
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1]

    def as_json(self) -> dict[str, object]:
        return {
            "system": self.system,
            "load": self.load,
            "lifecycles": self.lifecycles,
            "seconds": round(self.seconds, 3),
            "lifecycles_per_second": round(self.rate, 3),
            "latency_p50_ms": round(self.percentile(50) * 1000, 1),
            "latency_p99_ms": round(self.percentile(99) * 1000, 1),
            "messages": len(self.latencies),
            "resent": self.resent,
            "query_timeouts": self.query_timeouts,
            "failed": len(self.errors),
            "first_error": self.errors[0] if self.errors else None,
        }


async def run_load(
    system: str,
    load: int,
    lifecycles: int,
    one: Callable[[int], Awaitable[Outcome]],
) -> LoadResult:
    """`lifecycles` lifecycles, `load` of them in flight at any moment."""
    gate = asyncio.Semaphore(load)
    outcomes: list[Outcome] = []
    errors: list[str] = []

    async def guarded(index: int) -> None:
        async with gate:
            try:
                outcomes.append(await one(index))
            except Exception as err:  # counted and reported: one failure ends no run
                errors.append(f"{type(err).__name__}: {err}")

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for index in range(lifecycles):
            group.create_task(guarded(index))
    seconds = time.perf_counter() - started
    return LoadResult(
        system=system,
        load=load,
        lifecycles=lifecycles,
        seconds=seconds,
        latencies=[latency for o in outcomes for latency in o.latencies],
        workflow_ids=[o.workflow_id for o in outcomes],
        resent=sum(o.resent for o in outcomes),
        query_timeouts=sum(o.query_timeouts for o in outcomes),
        errors=errors,
    )


def bare_id(load: int, index: int) -> str:
    return f"bare-{load}-{index}-{uuid.uuid4().hex[:6]}"
