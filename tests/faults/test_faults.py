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

from infoshare.bench import lifecycle
from infoshare.settings import get_settings
from tests.faults.campaign import (
    DUPLICATES,
    EMAILS,
    KILLS,
    LOST,
    MESSAGES,
    OUTAGES,
    PROPOSALS,
    REFUSED_OUT_OF_ORDER,
    RESTARTS,
    SEED,
    WORKERS,
    Figures,
    check,
    walk,
)
from tests.faults.conftest import FaultStack

pytestmark = [pytest.mark.devserver, pytest.mark.postgres]

CAMPAIGN_TIMEOUT = 150.0
Inject = Callable[[random.Random, Figures], Coroutine[Any, Any, None]]


def test_the_figures_agree_with_the_campaign() -> None:
    assert MESSAGES == PROPOSALS * lifecycle.MESSAGE_COUNT
    # each message twice at once, and each but the first the one before again
    assert DUPLICATES == PROPOSALS * (2 * lifecycle.MESSAGE_COUNT - 1)


async def campaign(
    faults: FaultStack,
    name: str,
    inject: Inject,
    *,
    workers: int = 1,
    twice_and_out_of_order: bool = False,
    resend_after_crash: bool = False,
    capsys: pytest.CaptureFixture[str],
) -> Figures:
    """Walk PROPOSALS proposals on a fresh task queue while `inject` injects its faults;
    check them. Every proposal's last message waits until the faults are all injected:
    each fault lands while every proposal is still open, and none is skipped because the
    proposals were done first."""
    rng = random.Random(f"{SEED}-{name}")
    figures = Figures(name, SEED)
    with capsys.disabled():
        print(f"\nfaults[{name}]: seed {SEED} (INFOSHARE_FAULT_SEED to change it)")
    queue = f"faults-{name}"
    started = [faults.stack.start_worker(queue) for _ in range(workers)]
    await asyncio.gather(*(worker.started() for worker in started))
    settings = get_settings().model_copy(update={"task_queue": queue})
    injected = asyncio.Event()

    async def walk_all() -> list[str]:
        async with asyncio.TaskGroup() as group:
            walks = [
                group.create_task(
                    walk(
                        faults.client,
                        settings,
                        figures,
                        random.Random(rng.random()),
                        twice_and_out_of_order=twice_and_out_of_order,
                        hold_last=injected,
                    )
                )
                for _ in range(PROPOSALS)
            ]
        return [w.result() for w in walks]

    async def inject_all() -> None:
        try:
            await inject(rng, figures)
        finally:
            injected.set()

    async with asyncio.timeout(CAMPAIGN_TIMEOUT), asyncio.TaskGroup() as group:
        walking = group.create_task(walk_all())
        group.create_task(inject_all())
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
    assert len(figures.lost) == LOST, "\n".join(figures.lost)
    assert figures.proposals == PROPOSALS
    assert figures.messages == MESSAGES
    assert figures.emails == EMAILS
    return figures


async def nothing(rng: random.Random, figures: Figures) -> None:
    """No fault injected."""


async def _pause(rng: random.Random, low: float, high: float) -> None:
    """A random while between two faults."""
    await asyncio.sleep(rng.uniform(low, high))


async def test_worker_killed_at_random_moments(
    faults: FaultStack, capsys: pytest.CaptureFixture[str]
) -> None:
    async def kill_and_replace(rng: random.Random, figures: Figures) -> None:
        # Kills close together: what each one interrupts waits out the same timeouts.
        for _ in range(KILLS):
            worker = faults.stack.workers[-1]
            await worker.started()
            await _pause(rng, 0.2, 2.0)
            await asyncio.to_thread(worker.kill)
            figures.faults["worker kill -9"] += 1
            faults.stack.start_worker(f"faults-{figures.name}")

    figures = await campaign(
        faults, "kill-worker", kill_and_replace, resend_after_crash=True, capsys=capsys
    )
    assert figures.faults["worker kill -9"] == KILLS


async def test_temporal_server_restarted(
    faults: FaultStack, capsys: pytest.CaptureFixture[str]
) -> None:
    async def restart(rng: random.Random, figures: Figures) -> None:
        for _ in range(RESTARTS):
            await _pause(rng, 1.0, 3.0)
            await faults.stack.restart_server()
            figures.faults["server restart"] += 1

    figures = await campaign(faults, "restart-server", restart, capsys=capsys)
    assert figures.faults["server restart"] == RESTARTS


async def test_database_unreachable_during_activities(
    faults: FaultStack, capsys: pytest.CaptureFixture[str]
) -> None:
    async def outage(rng: random.Random, figures: Figures) -> None:
        for _ in range(OUTAGES):
            await _pause(rng, 0.5, 2.0)
            await asyncio.to_thread(faults.block_database)
            figures.faults["database unreachable"] += 1
            try:
                await asyncio.sleep(rng.uniform(3.0, 6.0))
            finally:
                await asyncio.to_thread(faults.unblock_database)

    figures = await campaign(
        faults, "database-outage", outage, resend_after_crash=True, capsys=capsys
    )
    assert figures.faults["database unreachable"] == OUTAGES


async def test_every_message_twice_and_out_of_order(
    faults: FaultStack, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = await campaign(
        faults, "twice-out-of-order", nothing, twice_and_out_of_order=True, capsys=capsys
    )
    assert figures.duplicates == DUPLICATES
    assert figures.refused_out_of_order == REFUSED_OUT_OF_ORDER


async def test_two_workers_on_one_task_queue(
    faults: FaultStack, capsys: pytest.CaptureFixture[str]
) -> None:
    await campaign(faults, "two-workers", nothing, workers=WORKERS, capsys=capsys)
    sharing = faults.stack.workers[-WORKERS:]
    worked = [w.log_file.read_text().count("records.step") for w in sharing]
    assert len(worked) == WORKERS and all(worked), f"each worker ran activities: {worked}"
