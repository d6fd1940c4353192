"""The worker: runs `SharingProposal` and its activities on the `information-sharing` queue."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging

import structlog
from temporalio.client import Client
from temporalio.converter import DataConverter
from temporalio.runtime import (
    LogForwardingConfig,
    LoggingConfig,
    Runtime,
    TelemetryConfig,
    TelemetryFilter,
)
from temporalio.worker import Replayer, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.registry import ALL_ACTIVITIES
from cli.logging import ensure_logging
from codec.converter import configured_data_converter
from settings import Settings, get_settings
from workflows.refusals import with_plain_refusals
from workflows.sharing_proposal import SharingProposal

log = structlog.get_logger()

# Pure libraries the rules use, loaded once rather than per workflow run; pydantic's
# email validation imports them lazily, which the sandbox would otherwise warn about.
PASSTHROUGH_MODULES = ("pydantic", "email_validator", "idna", "transitions", "dns")


def workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH_MODULES)
    )


def make_replayer(data_converter: DataConverter | None = None) -> Replayer:
    """A replayer of `SharingProposal` histories, decoding payloads as the worker does."""
    return Replayer(
        workflows=[SharingProposal],
        data_converter=data_converter or configured_data_converter(),
        workflow_runner=workflow_runner(),
    )


@functools.cache
def core_runtime() -> Runtime:
    """A Temporal runtime whose core (Rust) logs go to Python logging, so that they too are
    formatted as configured and pass the personal-data redaction."""
    return Runtime(
        telemetry=TelemetryConfig(
            logging=LoggingConfig(
                filter=TelemetryFilter(core_level="WARN", other_level="ERROR"),
                forwarding=LogForwardingConfig(logger=logging.getLogger("temporalio.core")),
            )
        )
    )


async def connect(settings: Settings | None = None) -> Client:
    settings = settings or get_settings()
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=configured_data_converter(settings),
        runtime=core_runtime(),
    )


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
        activity_executor=concurrent.futures.ThreadPoolExecutor(max_workers=16),
    )


async def run_worker(settings: Settings | None = None, stop: asyncio.Event | None = None) -> None:
    """Connect and run until `stop` is set or the task is cancelled."""
    settings = settings or get_settings()
    ensure_logging(settings.log_format)
    client = await connect(settings)
    worker = build_worker(client, settings)
    log.info("worker started", task_queue=settings.task_queue, address=settings.temporal_address)
    async with worker:
        if stop is None:
            await asyncio.Event().wait()
        else:
            await stop.wait()
    log.info("worker stopped")


if __name__ == "__main__":
    asyncio.run(run_worker())
