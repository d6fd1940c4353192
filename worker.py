"""The worker: runs `SharingProposal` and its activities on the `information-sharing` queue."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Sequence
from contextlib import AsyncExitStack
from datetime import timedelta

import structlog
from temporalio.client import Client, Interceptor
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import Runtime
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.registry import ALL_ACTIVITIES
from observability.health import Check, HealthServer, NotReady
from settings import Settings, get_settings
from workflows.sharing_proposal import SharingProposal

log = structlog.get_logger()

# Pure libraries the rules use, loaded once rather than per workflow run; pydantic's
# email validation imports them lazily, which the sandbox would otherwise warn about.
PASSTHROUGH_MODULES = ("pydantic", "email_validator", "idna", "transitions", "dns")


def workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH_MODULES)
    )


async def connect(
    settings: Settings | None = None,
    *,
    runtime: Runtime | None = None,
    interceptors: Sequence[Interceptor] = (),
) -> Client:
    settings = settings or get_settings()
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
        runtime=runtime,
        interceptors=interceptors,
    )


def build_worker(client: Client, settings: Settings | None = None) -> Worker:
    settings = settings or get_settings()
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[SharingProposal],
        activities=ALL_ACTIVITIES,
        workflow_runner=workflow_runner(),
        # The activities are synchronous (SQLAlchemy, files): they run on these threads.
        activity_executor=concurrent.futures.ThreadPoolExecutor(max_workers=16),
    )


async def run_worker(settings: Settings | None = None, stop: asyncio.Event | None = None) -> None:
    """Connect and run until `stop` is set or the task is cancelled."""
    settings = settings or get_settings()
    client = await connect(settings)
    worker = build_worker(client, settings)
    log.info("worker started", task_queue=settings.task_queue, address=settings.temporal_address)
    async with worker:
        if stop is None:
            await asyncio.Event().wait()
        else:
            await stop.wait()
    log.info("worker stopped")


def _ping_database() -> None:
    from sqlalchemy import text

    from database.session import get_engine

    with get_engine().connect() as connection:
        connection.execute(text("SELECT 1"))


def readiness_checks(client: Client, worker: Worker) -> dict[str, Check]:
    """Ready: the worker polls, Temporal's frontend answers, the database answers."""

    async def polling() -> None:
        if not worker.is_running:
            raise NotReady("the worker is not running")

    async def temporal() -> None:
        if not await client.service_client.check_health(timeout=timedelta(seconds=2)):
            raise NotReady("the Temporal frontend reports it is not serving")

    async def database() -> None:
        await asyncio.to_thread(_ping_database)

    return {"worker": polling, "temporal": temporal, "database": database}


async def serve_worker(settings: Settings, stop: asyncio.Event) -> None:
    """The worker process of a deployment (`infoshare worker`), until `stop` is set.

    Besides the worker: the health endpoints (`health_port`), which answer from the start
    (not ready until connected), Prometheus metrics (`metrics_port`) and tracing
    (`otel_enabled`).
    """
    from observability.metrics import metrics_runtime
    from observability.tracing import start_tracing

    tracing = start_tracing() if settings.otel_enabled else None
    async with AsyncExitStack() as stack:
        if tracing is not None:
            stack.callback(tracing.shutdown)
        health = None
        if settings.health_port:
            health = HealthServer(
                settings.monitoring_host,
                settings.health_port,
                {"worker": _starting},
            )
            await stack.enter_async_context(health)
        client = await connect(
            settings,
            runtime=metrics_runtime(settings),
            interceptors=[tracing.interceptor] if tracing else [],
        )
        worker = build_worker(client, settings)
        running = asyncio.create_task(worker.run())
        if health is not None:
            health.checks = readiness_checks(client, worker)
        log.info(
            "worker started",
            task_queue=settings.task_queue,
            address=settings.temporal_address,
            health_port=settings.health_port or None,
            metrics_port=settings.metrics_port or None,
            tracing=tracing is not None,
        )
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not running.done():
            await worker.shutdown()
        # A worker that failed on its own ends the process with its error, so the
        # orchestrator restarts it rather than leaving it alive and idle.
        await running
    log.info("worker stopped")


async def _starting() -> None:
    raise NotReady("starting: not connected to Temporal yet")


if __name__ == "__main__":
    asyncio.run(run_worker())
