"""The bare engine: a workflow that takes the same messages and runs the same number of
no-op activities as `SharingProposal` does for a lifecycle, and nothing else.

`plan[0]` activities run at start, `plan[i]` after message i (the shape is counted from a
real history of ours, `bench.shape`). Payloads are plain JSON (no encryption), there are
no search attributes, no current details, no rules: what is left is the engine's own cost.

`python -m infoshare.bench.bare ADDRESS TASK_QUEUE` runs its worker until SIGTERM.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

WORKFLOW = "BareLifecycle"
MESSAGE = "message"


@activity.defn(name="noop")
async def noop() -> None:
    return None


@workflow.defn(name=WORKFLOW)
class BareLifecycle:
    def __init__(self) -> None:
        self.plan: list[int] = []
        self.done = 0
        self.received = 0

    @workflow.run
    async def run(self, plan: list[int]) -> int:
        self.plan = plan
        await self._activities(plan[0])
        await workflow.wait_condition(lambda: self.done >= len(plan) - 1)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.done

    async def _activities(self, count: int) -> None:
        for _ in range(count):
            await workflow.execute_activity(noop, start_to_close_timeout=timedelta(seconds=60))

    async def _receive(self) -> int:
        await workflow.wait_condition(lambda: bool(self.plan))
        self.received += 1
        number = self.received
        # one message at a time, in the order received, as ours
        await workflow.wait_condition(lambda: self.done == number - 1)
        await self._activities(self.plan[number] if number < len(self.plan) else 0)
        self.done = number
        return number

    @workflow.signal(name=MESSAGE)
    async def message(self, payload: dict[str, Any]) -> None:
        await self._receive()

    @workflow.update(name=MESSAGE)
    async def message_update(self, payload: dict[str, Any]) -> int:
        return await self._receive()

    @workflow.query
    def status(self) -> int:
        return self.done


async def run_worker(address: str, task_queue: str) -> None:
    client = await Client.connect(address)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with Worker(client, task_queue=task_queue, workflows=[BareLifecycle], activities=[noop]):
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(run_worker(sys.argv[1], sys.argv[2]))
