from __future__ import annotations

from temporalio.testing import WorkflowEnvironment

from tests.factories import make_intake
from tests.workflows.driver import Driver


async def test_example_to_active(time_skipping_env: WorkflowEnvironment, ts_worker: str) -> None:
    d = await Driver.start(time_skipping_env.client, make_intake(), ts_worker, via="signal")
    status = await d.to_active()
    assert status["state"] == "active"
