"""The health server on its own: the probe endpoints and what they answer."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from typing import cast

import pytest
from temporalio.client import Client
from temporalio.worker import Worker

import worker
from infoshare.observability.health import EndpointError, HealthServer, NotReady
from tests.deploy.conftest import http_get


async def get(port: int, path: str, method: str = "GET") -> tuple[int, str]:
    def call() -> tuple[int, str]:
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    return await asyncio.to_thread(call)


async def ok() -> None:
    return None


async def refused() -> None:
    raise ConnectionRefusedError("connection refused")


async def not_yet() -> None:
    raise NotReady("starting")


async def hangs() -> None:
    await asyncio.sleep(30)


async def test_healthz_answers_and_readyz_names_each_check() -> None:
    async with HealthServer("127.0.0.1", 0, {"temporal": ok, "database": ok}) as server:
        assert await get(server.bound_port, "/healthz") == (200, '{"status": "alive"}')
        status, body = await get(server.bound_port, "/readyz")
        assert status == 200
        assert json.loads(body) == {
            "status": "ready",
            "checks": {"temporal": "ok", "database": "ok"},
        }


async def test_readyz_is_503_naming_the_failing_check_and_why() -> None:
    checks = {"temporal": ok, "database": refused, "worker": not_yet, "slow": hangs}
    async with HealthServer("127.0.0.1", 0, checks, check_timeout=0.2) as server:
        status, body = await get(server.bound_port, "/readyz")
        # Liveness does not depend on the checks.
        assert (await get(server.bound_port, "/healthz"))[0] == 200
    assert status == 503
    assert json.loads(body) == {
        "status": "not ready",
        "checks": {
            "temporal": "ok",
            "database": "ConnectionRefusedError: connection refused",
            "worker": "starting",
            "slow": "timed out",
        },
    }


async def test_checks_can_be_replaced_while_serving() -> None:
    async with HealthServer("127.0.0.1", 0, {"worker": not_yet}) as server:
        assert (await get(server.bound_port, "/readyz"))[0] == 503
        server.checks = {"worker": ok}
        assert (await get(server.bound_port, "/readyz"))[0] == 200


async def test_the_worker_names_the_same_checks_while_starting() -> None:
    """A probe reading /readyz before the worker connects sees every check it will see
    after (a KeyError in a monitor, or a check seemingly gone, otherwise)."""
    running = worker.readiness_checks(cast(Client, None), cast(Worker, None))
    assert list(worker.STARTING_CHECKS) == list(running) == ["worker", "temporal", "database"]
    assert worker.STARTING_CHECKS["database"] is running["database"]
    starting = {name: worker.STARTING_CHECKS[name] for name in ("worker", "temporal")}
    async with HealthServer("127.0.0.1", 0, starting) as server:
        status, body = await get(server.bound_port, "/readyz")
    assert status == 503
    assert json.loads(body)["checks"] == {
        "worker": "starting: not connected to Temporal yet",
        "temporal": "not connected yet",
    }


async def test_unknown_paths_methods_and_head() -> None:
    async with HealthServer("127.0.0.1", 0, {}) as server:
        port = server.bound_port
        status, body = await get(port, "/metrics")
        assert status == 404 and "/healthz" in body
        assert (await get(port, "/healthz", method="POST"))[0] == 405
        assert await get(port, "/healthz", method="HEAD") == (200, "")
        assert (await get(port, "/readyz?verbose=1"))[0] == 200


async def test_a_taken_port_is_a_clear_error() -> None:
    async with HealthServer("127.0.0.1", 0, {}) as first:
        with pytest.raises(EndpointError, match=f"127.0.0.1:{first.bound_port}"):
            await HealthServer("127.0.0.1", first.bound_port).start()


def test_http_get_helper_reports_connection_errors() -> None:
    from tests.ports import free_port

    with pytest.raises(OSError):
        http_get(f"http://127.0.0.1:{free_port()}/healthz", timeout=1)
