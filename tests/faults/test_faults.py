"""Fault injection: many proposals in flight while the worker is killed, the Temporal
server restarted, the database made unreachable, every message sent twice and out of
order, and two workers share the queue. After each, every proposal is `active`, the
decision log holds one row per timeline event, the register one row per agreement, and
each email reached the SMTP server exactly once. The figures are printed; the random
seed is fixed and printed (INFOSHARE_FAULT_SEED=N reproduces a run)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from infoshare.settings import get_settings
from tests.faults.campaign import SEED, Figures, check, walk
from tests.faults.conftest import FaultStack

pytestmark = [pytest.mark.devserver, pytest.mark.postgres]

PROPOSALS = 10
CAMPAIGN_TIMEOUT = 150.0


async def campaign(
    faults: FaultStack,
    name: str,
    inject: Callable[[random.Random, Figures, asyncio.Event], Coroutine[Any, Any, None]],
    *,
    workers: int = 1,
    twice_and_out_of_order: bool = False,
    resend_after_crash: bool = False,
    capsys: pytest.CaptureFixture[str],
) -> Figures:
    """Walk PROPOSALS proposals on a fresh task queue while `inject` runs; check them."""
    rng = random.Random(f"{SEED}-{name}")
    figures = Figures(name, SEED)
    with capsys.disabled():
        print(f"\nfaults[{name}]: seed {SEED} (INFOSHARE_FAULT_SEED to change it)")
    queue = f"faults-{name}"
    started = [faults.stack.start_worker(queue) for _ in range(workers)]
    await asyncio.gather(*(worker.started() for worker in started))
    settings = get_settings().model_copy(update={"task_queue": queue})
    done = asyncio.Event()

    async def walk_all() -> list[str]:
        try:
            async with asyncio.TaskGroup() as group:
                walks = [
                    group.create_task(
                        walk(
                            faults.client,
                            settings,
                            figures,
                            random.Random(rng.random()),
                            twice_and_out_of_order=twice_and_out_of_order,
                        )
                    )
                    for _ in range(PROPOSALS)
                ]
        finally:
            done.set()
        return [w.result() for w in walks]

    async with asyncio.timeout(CAMPAIGN_TIMEOUT), asyncio.TaskGroup() as group:
        walking = group.create_task(walk_all())
        group.create_task(inject(rng, figures, done))
    ids = walking.result()
    await check(
        faults.client,
        ids,
        figures,
        faults.smtp.inbox,
        get_settings().mail_from,
        resend_after_crash=resend_after_crash,
    )
    with capsys.disabled():
        print(figures.line())
    assert not figures.lost, "\n".join(figures.lost)
    assert figures.proposals == PROPOSALS
    return figures


async def nothing(rng: random.Random, figures: Figures, done: asyncio.Event) -> None:
    await done.wait()


async def _pause(rng: random.Random, done: asyncio.Event, low: float, high: float) -> bool:
    """Wait a random while; False if the proposals are all done by then."""
    try:
        await asyncio.wait_for(done.wait(), rng.uniform(low, high))
    except TimeoutError:
        return True
    return False


async def test_worker_killed_at_random_moments(
    faults: FaultStack, capsys: pytest.CaptureFixture[str]
) -> None:
    async def kill_and_replace(rng: random.Random, figures: Figures, done: asyncio.Event) -> None:
        # Kills close together: what each one interrupts waits out the same timeouts.
        for _ in range(4):
            worker = faults.stack.workers[-1]
            await worker.started()
            if not await _pause(rng, done, 0.2, 2.0):
                break
            await asyncio.to_thread(worker.kill)
            figures.faults["worker kill -9"] += 1
            faults.stack.start_worker(f"faults-{figures.name}")
        await done.wait()

    figures = await campaign(
        faults, "kill-worker", kill_and_replace, resend_after_crash=True, capsys=capsys
    )
    assert figures.faults["worker kill -9"] >= 1


async def test_temporal_server_restarted(
    faults: FaultStack, capsys: pytest.CaptureFixture[str]
) -> None:
    async def restart(rng: random.Random, figures: Figures, done: asyncio.Event) -> None:
        for _ in range(2):
            if not await _pause(rng, done, 1.0, 3.0):
                break
            await faults.stack.restart_server()
            figures.faults["server restart"] += 1
        await done.wait()

    figures = await campaign(faults, "restart-server", restart, capsys=capsys)
    assert figures.faults["server restart"] >= 1


async def test_database_unreachable_during_activities(
    faults: FaultStack, capsys: pytest.CaptureFixture[str]
) -> None:
    async def outage(rng: random.Random, figures: Figures, done: asyncio.Event) -> None:
        for _ in range(2):
            if not await _pause(rng, done, 0.5, 2.0):
                break
            await asyncio.to_thread(faults.block_database)
            figures.faults["database unreachable"] += 1
            try:
                await asyncio.sleep(rng.uniform(3.0, 6.0))
            finally:
                await asyncio.to_thread(faults.unblock_database)
        await done.wait()

    figures = await campaign(
        faults, "database-outage", outage, resend_after_crash=True, capsys=capsys
    )
    assert figures.faults["database unreachable"] >= 1


async def test_every_message_twice_and_out_of_order(
    faults: FaultStack, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = await campaign(
        faults, "twice-out-of-order", nothing, twice_and_out_of_order=True, capsys=capsys
    )
    assert figures.duplicates >= PROPOSALS * 12
    assert figures.refused_out_of_order >= PROPOSALS * 5


async def test_two_workers_on_one_task_queue(
    faults: FaultStack, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = await campaign(faults, "two-workers", nothing, workers=2, capsys=capsys)
    both = faults.stack.workers[-2:]
    worked = [w.log_file.read_text().count("records.step") for w in both]
    assert all(worked), f"each worker ran activities: {worked}"
    figures.faults["second worker"] += 1
