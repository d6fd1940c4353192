"""Audit replay rate: full histories of ours replayed by `audit.replay`, as an auditor does."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from temporalio.client import Client

from infoshare.audit.history import Problem, Source, server_sources
from infoshare.audit.replay import replay


@dataclass
class ReplayRate:
    histories: int
    events: int
    fetch_seconds: float
    replay_seconds: float
    failures: int

    def as_json(self) -> dict[str, object]:
        return {
            "histories": self.histories,
            "events": self.events,
            "fetch_seconds": round(self.fetch_seconds, 2),
            "replay_seconds": round(self.replay_seconds, 2),
            "histories_per_second": round(self.histories / self.replay_seconds, 1)
            if self.replay_seconds
            else 0.0,
            "failures": self.failures,
        }


async def replay_rate(client: Client, workflow_ids: list[str]) -> ReplayRate:
    """Fetch every run of each proposal, then time the replay alone."""
    started = time.perf_counter()
    fetched: list[Source | Problem] = [s async for s in server_sources(client, workflow_ids)]
    fetch_seconds = time.perf_counter() - started

    async def sources() -> AsyncIterator[Source | Problem]:
        for source in fetched:
            yield source

    summary = await replay(sources(), data_converter=client.data_converter)
    return ReplayRate(
        histories=len(summary.results),
        events=sum(r.events for r in summary.results),
        fetch_seconds=fetch_seconds,
        replay_seconds=summary.seconds,
        failures=len(summary.failures),
    )
