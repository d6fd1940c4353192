"""The image's worker entry point, run as the manifests run it: `infoshare worker` as a
process with the ConfigMap's environment, against a real Temporal dev server and a real
PostgreSQL database of its own. Only what differs on this machine is overridden: where
Temporal and the database are, the home folder, the ports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from temporalio.testing import WorkflowEnvironment

from tests.deploy.conftest import DEPLOY, http_get, http_json
from tests.ports import free_port

INFOSHARE = Path(sys.executable).parent / "infoshare"
CONFIGMAP = DEPLOY / "kubernetes" / "infoshare" / "configmap.yaml"

pytestmark = [pytest.mark.devserver]
postgres_only = pytest.mark.parametrize(
    "empty_database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


def manifest_environment() -> dict[str, str]:
    """The non-secret environment the Kubernetes manifests give every infoshare container."""
    data: dict[str, str] = yaml.safe_load(CONFIGMAP.read_text())["data"]
    return data


class WorkerProcess:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.health_port = int(env["INFOSHARE_HEALTH_PORT"])
        self.metrics_port = int(env["INFOSHARE_METRICS_PORT"])
        self.log = log
        base = {k: v for k, v in os.environ.items() if not k.startswith(("INFOSHARE_", "OTEL_"))}
        self.process = subprocess.Popen(
            [str(INFOSHARE), "worker"],
            env={**base, **env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log.open("wb"),
        )

    def url(self, path: str, port: int | None = None) -> str:
        return f"http://127.0.0.1:{port or self.health_port}{path}"

    def wait_for(self, what: str, ok: Callable[[], bool], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited ({self.process.returncode}):\n{self.output()}")
            try:
                if ok():
                    return
            except OSError:
                pass  # not listening yet
            time.sleep(0.2)
        pytest.fail(f"{what} not within {timeout}s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                pytest.fail(f"the worker did not stop on SIGTERM:\n{self.output()}")
        return self.process.returncode


@pytest.fixture
def start_worker(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(database_url: str, **extra: str) -> WorkerProcess:
        env = {
            **manifest_environment(),
            "INFOSHARE_TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
            "INFOSHARE_TEMPORAL_NAMESPACE": dev_env.client.namespace,
            "INFOSHARE_TASK_QUEUE": f"deploy-{uuid.uuid4().hex[:8]}",
            "INFOSHARE_DATABASE_URL": database_url,
            "INFOSHARE_HOME": str(tmp_path / "home"),
            "INFOSHARE_MONITORING_HOST": "127.0.0.1",
            "INFOSHARE_HEALTH_PORT": str(free_port()),
            "INFOSHARE_METRICS_PORT": str(free_port()),
            **extra,
        }
        worker = WorkerProcess(env, tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def ready(worker: WorkerProcess) -> bool:
    return http_get(worker.url("/readyz"))[0] == 200


@postgres_only
def test_worker_serves_health_readiness_and_metrics(
    start_worker: Callable[..., WorkerProcess], database_url: str
) -> None:
    worker = start_worker(database_url)
    worker.wait_for("/readyz 200", lambda: ready(worker))

    assert http_json(worker.url("/healthz")) == (200, {"status": "alive"})
    status, body = http_json(worker.url("/readyz"))
    assert status == 200
    assert body["checks"] == {"worker": "ok", "temporal": "ok", "database": "ok"}

    metrics: dict[str, Any] = {}

    def scraped() -> bool:
        status, text = http_get(worker.url("/metrics", worker.metrics_port))
        metrics["text"] = text
        return status == 200 and "temporal_" in text

    # The SDK's metrics appear once the worker has polled.
    worker.wait_for("Temporal SDK metrics", scraped)
    assert 'service="infoshare-worker"' in metrics["text"]
    assert "temporal_num_pollers" in metrics["text"] or "temporal_request" in metrics["text"]

    # SIGTERM (what Kubernetes and Compose send) stops it cleanly.
    assert worker.stop() == 0
    log = worker.output()
    assert "worker started" in log and "worker stopped" in log
    assert "Traceback" not in log


@postgres_only
def test_readyz_fails_while_the_database_is_unreachable(
    start_worker: Callable[..., WorkerProcess], database_url: str
) -> None:
    closed = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/infoshare"
    worker = start_worker(closed)

    worker.wait_for("/healthz 200", lambda: http_get(worker.url("/healthz"))[0] == 200)

    def connected() -> bool:
        status, body = http_json(worker.url("/readyz"))
        checks = body["checks"]
        return status == 503 and checks.get("temporal") == "ok" and checks.get("worker") == "ok"

    worker.wait_for("connected to Temporal", connected)
    status, body = http_json(worker.url("/readyz"))
    assert status == 503
    assert body["status"] == "not ready"
    assert body["checks"]["worker"] == "ok"
    assert body["checks"]["database"].startswith("OperationalError")
    assert "refused" in body["checks"]["database"]
    # Alive all the same: the orchestrator must not restart it for the database's sake.
    assert http_get(worker.url("/healthz"))[0] == 200


def test_bad_configuration_stops_the_worker_with_a_clear_message(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFOSHARE_")}
    env.update(manifest_environment())
    env["INFOSHARE_HEALTH_PORT"] = "eighty"
    env["INFOSHARE_METRICS_PORT"] = "70000"
    result = subprocess.run(
        [str(INFOSHARE), "worker"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == "error: invalid configuration:"
    problems = {line.strip().split(":")[0]: line for line in lines[1:]}
    assert set(problems) == {"INFOSHARE_HEALTH_PORT", "INFOSHARE_METRICS_PORT"}
    assert "valid integer" in problems["INFOSHARE_HEALTH_PORT"]
    assert "65535" in problems["INFOSHARE_METRICS_PORT"]
