"""Connecting to Temporal, and replaying its histories, as every process here does.

The worker, the command line, the web form, the audit tools and the benchmark connect
through `connect`, so that each uses the same data converter (the payload codec) and the
same core runtime (its logs pass the personal-data redaction).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Sequence

from temporalio.client import Client, Interceptor
from temporalio.converter import DataConverter
from temporalio.runtime import (
    LogForwardingConfig,
    LoggingConfig,
    Runtime,
    TelemetryConfig,
    TelemetryFilter,
)
from temporalio.worker import Replayer
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from infoshare.codec.converter import configured_data_converter
from infoshare.settings import Settings, get_settings
from workflows.sharing_proposal import SharingProposal

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


def core_logging() -> LoggingConfig:
    """The Temporal core's (Rust) logs go to Python logging, so that they too are formatted
    as configured and pass the personal-data redaction."""
    return LoggingConfig(
        filter=TelemetryFilter(core_level="WARN", other_level="ERROR"),
        forwarding=LogForwardingConfig(logger=logging.getLogger("temporalio.core")),
    )


@functools.cache
def core_runtime() -> Runtime:
    return Runtime(telemetry=TelemetryConfig(logging=core_logging()))


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
        data_converter=configured_data_converter(settings),
        runtime=runtime or core_runtime(),
        interceptors=interceptors,
    )


def unreachable(settings: Settings, err: BaseException) -> str:
    """What to tell a person when Temporal cannot be reached."""
    detail = str(err) or "timed out"
    if "Connection refused" in detail:
        detail = "connection refused"
    return (
        f"cannot reach Temporal at {settings.temporal_address} "
        f"(namespace {settings.temporal_namespace}): {detail}. Is `infoshare up` running? "
        "INFOSHARE_TEMPORAL_ADDRESS says where Temporal is."
    )


class TemporalUnreachable(Exception):
    """Temporal could not be reached in time; the text says where and what to do."""


# Long enough for a server under load, short enough that a wrong address is told at once.
CONNECT_TIMEOUT = 10.0


async def connect_in_time(settings: Settings) -> Client:
    """`connect`, bounded by CONNECT_TIMEOUT, for a person waiting on the answer (the
    command line, the web form); TemporalUnreachable says why not."""
    try:
        return await asyncio.wait_for(connect(settings), CONNECT_TIMEOUT)
    except (RuntimeError, TimeoutError, OSError) as err:
        raise TemporalUnreachable(unreachable(settings, err)) from None
