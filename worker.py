"""The worker: runs `SharingProposal` and its activities on the `information-sharing` queue."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
from contextlib import AsyncExitStack
from datetime import timedelta

import structlog
from temporalio.client import Client
from temporalio.worker import Worker

from activities.registry import ALL_ACTIVITIES
from infoshare.observability.health import Check, HealthServer, NotReady
from infoshare.runtime.logging import ensure_logging
from infoshare.runtime.temporal import connect, core_logging, workflow_runner
from infoshare.settings import Settings, get_settings
from workflows.refusals import with_plain_refusals
from workflows.sharing_proposal import SharingProposal

log = structlog.get_logger()

ACTIVITY_THREADS = 16


def build_worker(client: Client, settings: Settings | None = None) -> Worker:
    settings = settings or get_settings()
    # The worker encodes refusals: plain reasons for the UI, without a stack trace.
    config = client.config()
    config["data_converter"] = with_plain_refusals(config["data_converter"])
    client = Client(**config)
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[SharingProposal],
        activities=ALL_ACTIVITIES,
        workflow_runner=workflow_runner(),
        # The activities are synchronous (SQLAlchemy, files): they run on these threads.
        activity_executor=concurrent.futures.ThreadPoolExecutor(max_workers=ACTIVITY_THREADS),
        # No more started than there are threads: one waiting for a thread would be
        # started (its timeouts running) but not running. The rest wait on the server.
        max_concurrent_activities=ACTIVITY_THREADS,
    )


async def run_worker(settings: Settings | None = None, stop: asyncio.Event | None = None) -> None:
    """Connect and run until `stop` is set or the task is cancelled."""
    settings = settings or get_settings()
    ensure_logging(settings.log_format)
    client = await connect(settings)
    worker = build_worker(client, settings)
    log.info("worker started", task_queue=settings.task_queue, address=settings.temporal_address)
    stop = stop or asyncio.Event()
    async with worker:
        flusher = asyncio.create_task(flush_outbox(settings, stop))
        await stop.wait()
        await flusher
    log.info("worker stopped")


async def flush_outbox(settings: Settings, stop: asyncio.Event) -> None:
    """Send what the notification activities left queued (the mail server was down), every
    `outbox_retry_seconds`, until `stop` is set. Nothing to do without SMTP."""
    from activities.mail import MailError, send_outbox

    if not settings.smtp_host:
        return
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), settings.outbox_retry_seconds)
        if stop.is_set():
            return
        try:
            result = await asyncio.to_thread(send_outbox, settings)
        except MailError as err:
            log.warning("outbox.unavailable", error=str(err))
        except Exception:  # the flusher must outlive a database hiccup
            log.exception("outbox.failed")
        else:
            if result.sent:
                log.info("outbox.flushed", sent=len(result.sent))


def _ping_database() -> None:
    from sqlalchemy import text

    from infoshare.database.session import get_engine

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

    return {"worker": polling, "temporal": temporal, "database": _database}


async def serve_worker(settings: Settings, stop: asyncio.Event) -> None:
    """The worker process of a deployment (`infoshare worker`), until `stop` is set.

    Besides the worker: the health endpoints (`health_port`), which answer from the start
    (not ready until connected), Prometheus metrics (`metrics_port`) and tracing
    (`otel_enabled`).
    """
    from infoshare.observability.metrics import metrics_runtime
    from infoshare.observability.tracing import start_tracing

    ensure_logging(settings.log_format)
    tracing = start_tracing() if settings.otel_enabled else None
    async with AsyncExitStack() as stack:
        if tracing is not None:
            stack.callback(tracing.shutdown)
        health = None
        if settings.health_port:
            health = HealthServer(
                settings.monitoring_host,
                settings.health_port,
                STARTING_CHECKS,
            )
            await stack.enter_async_context(health)
        client = await connect(
            settings,
            runtime=metrics_runtime(settings, core_logging()),
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
        flusher = asyncio.create_task(flush_outbox(settings, stop))
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        stop.set()
        await flusher
        if not running.done():
            await worker.shutdown()
        # A worker that failed on its own ends the process with its error, so the
        # orchestrator restarts it rather than leaving it alive and idle.
        await running
    log.info("worker stopped")


async def _starting() -> None:
    raise NotReady("starting: not connected to Temporal yet")


async def _connecting() -> None:
    raise NotReady("not connected yet")


async def _database() -> None:
    await asyncio.to_thread(_ping_database)


# Until the worker is connected: the same three names as once it runs, so a probe or a
# person reading /readyz always sees every check (the database one is real already).
STARTING_CHECKS: dict[str, Check] = {
    "worker": _starting,
    "temporal": _connecting,
    "database": _database,
}


if __name__ == "__main__":
    asyncio.run(run_worker())
