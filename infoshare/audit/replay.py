"""Replay histories against the current code: does it make the same decisions again?

The Replayer is configured as the worker is (same workflow, data converter and sandbox
passthrough modules), so a history replays here exactly when a worker could resume it.
"""

from __future__ import annotations

import functools
import re
import time
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.worker import Replayer

from infoshare.audit.history import Problem, Source, first_run_id, run_id


def file_data_converter() -> DataConverter:
    """The worker's converter, decrypting with the configured keys (`codec.converter`);
    histories from before encryption pass through it unchanged. With a client, use
    `client.data_converter`, which is the same."""
    from infoshare.codec.converter import configured_data_converter

    return configured_data_converter()


@functools.cache
def quiet_runtime() -> Runtime:
    """A Temporal runtime that keeps its own warnings to itself: a failed replay is
    reported once, by us, rather than also logged by the SDK's core."""
    level = TelemetryFilter(core_level="ERROR", other_level="ERROR")
    return Runtime(telemetry=TelemetryConfig(logging=LoggingConfig(filter=level)))


def replayer(
    workflows: Sequence[type] | None = None, data_converter: DataConverter | None = None
) -> Replayer:
    """A Replayer set up as the worker is; `workflows` replaces SharingProposal (tests)."""
    from infoshare.runtime.temporal import workflow_runner
    from workflows.sharing_proposal import SharingProposal

    return Replayer(
        workflows=list(workflows or [SharingProposal]),
        data_converter=data_converter or file_data_converter(),
        workflow_runner=workflow_runner(),
        runtime=quiet_runtime(),
    )


_CORE_MESSAGE = re.compile(r'message: "((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class ReplayResult:
    workflow_id: str
    run_id: str
    origin: str
    events: int
    first_run_id: str = ""  # the proposal's first run: runs of one proposal share it
    # None: replayed deterministically; otherwise why not (or why it could not be read)
    failure: str | None = None
    unreadable: bool = False
    last_of_unit: bool = True

    @property
    def ok(self) -> bool:
        return self.failure is None

    @property
    def reason(self) -> str:
        """The failure in one line: the core's own message where it wraps one."""
        if self.failure is None:
            return ""
        inner = _CORE_MESSAGE.search(self.failure)
        text = inner.group(1) if inner else self.failure
        return " ".join(text.split())

    def as_json(self) -> dict[str, object]:
        return {
            "workflow_id": self.workflow_id,
            "run_id": self.run_id,
            "origin": self.origin,
            "events": self.events,
            "replays": self.ok,
            "unreadable": self.unreadable,
            "reason": self.reason,
            "failure": self.failure,
        }


@dataclass
class ReplaySummary:
    results: list[ReplayResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failures(self) -> list[ReplayResult]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return bool(self.results) and not self.failures

    @property
    def rate(self) -> float:
        """Histories replayed per second."""
        return len(self.results) / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        replayed = len(self.results)
        proposals = len({r.first_run_id or r.workflow_id for r in self.results})
        failed = len(self.failures)
        verdict = (
            "all replay deterministically"
            if not failed
            else f"{failed} {'does' if failed == 1 else 'do'} not replay"
            + (" or could not be read" if any(r.unreadable for r in self.failures) else "")
        )
        return (
            f"{replayed} histor{'y' if replayed == 1 else 'ies'} of {proposals} "
            f"proposal{'' if proposals == 1 else 's'} in {self.seconds:.1f} s "
            f"({self.rate:.1f} histories/s): {verdict}"
        )


async def replay(
    sources: AsyncIterable[Source | Problem],
    *,
    workflows: Sequence[type] | None = None,
    data_converter: DataConverter | None = None,
    on_result: Callable[[ReplayResult], None] | None = None,
) -> ReplaySummary:
    """Replay every history from `sources`, one after the other, with one Replayer."""
    summary = ReplaySummary()
    pending: deque[Source] = deque()

    def report(result: ReplayResult) -> None:
        summary.results.append(result)
        if on_result is not None:
            on_result(result)

    async def histories() -> AsyncIterator[WorkflowHistory]:
        async for item in sources:
            if isinstance(item, Problem):
                report(
                    ReplayResult(
                        workflow_id=item.workflow_id,
                        run_id="",
                        origin=item.origin,
                        events=0,
                        failure=item.message,
                        unreadable=True,
                    )
                )
                continue
            pending.append(item)
            yield item.history

    started = time.monotonic()
    async with replayer(workflows, data_converter).workflow_replay_iterator(histories()) as results:
        async for result in results:
            source = pending.popleft()
            report(
                ReplayResult(
                    workflow_id=source.history.workflow_id,
                    run_id=run_id(source.history),
                    first_run_id=first_run_id(source.history),
                    origin=source.origin,
                    events=len(source.history.events),
                    failure=None if result.replay_failure is None else str(result.replay_failure),
                    last_of_unit=source.last_of_unit,
                )
            )
    summary.seconds = time.monotonic() - started
    return summary
