"""Tracing switched on: a proposal started and run by a worker on the dev server leaves
linked spans (client start, workflow run, activities) in the exporter."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from temporalio.testing import WorkflowEnvironment

from infoshare.observability.tracing import start_tracing
from infoshare.runtime.temporal import connect
from infoshare.settings import get_settings
from tests.factories import make_intake
from worker import build_worker
from workflows.starter import get_status, start_proposal

pytestmark = pytest.mark.devserver


async def test_a_traced_proposal_records_client_workflow_and_activity_spans(
    dev_env: WorkflowEnvironment,
) -> None:
    exporter = InMemorySpanExporter()
    tracing = start_tracing(exporter)
    settings = get_settings().model_copy(
        update={
            "temporal_address": dev_env.client.service_client.config.target_host,
            "task_queue": f"otel-{uuid.uuid4().hex[:8]}",
        }
    )
    client = await connect(settings, interceptors=[tracing.interceptor])
    try:
        async with build_worker(client, settings):
            workflow_id = await start_proposal(client, make_intake(), settings)
            # The first step runs activities (people look-up, records) before it waits.
            for _ in range(100):
                status = await get_status(client, workflow_id)
                if status["state"] != "scoping":
                    break
                await asyncio.sleep(0.1)
            await client.get_workflow_handle(workflow_id).terminate("test finished")
    finally:
        tracing.shutdown()

    spans = exporter.get_finished_spans()
    names = {span.name for span in spans}
    assert "StartWorkflow:SharingProposal" in names
    assert "RunWorkflow:SharingProposal" in names
    assert any(name.startswith("RunActivity:") for name in names), names
    # One trace: the worker's spans continue the client's, through Temporal's headers.
    start = next(s for s in spans if s.name == "StartWorkflow:SharingProposal")
    run = next(s for s in spans if s.name == "RunWorkflow:SharingProposal")
    assert start.context is not None and run.context is not None
    assert run.context.trace_id == start.context.trace_id
    assert start.resource.attributes["service.name"] == "infoshare-worker"


def test_tracing_without_opentelemetry_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from infoshare.observability.tracing import TracingUnavailable

    monkeypatch.setitem(sys.modules, "opentelemetry.sdk.trace", None)
    with pytest.raises(TracingUnavailable, match=r"pip install 'infoshare\[otel\]'"):
        start_tracing()
