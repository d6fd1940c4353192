"""`infoshare up` as a real process: it comes up, answers, stops cleanly on SIGINT (the
Temporal server with it) and, started again on the same home, still has every proposal."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import EXAMPLE_INTAKE
from tests.ports import free_port

pytestmark = pytest.mark.devserver

ROOT = Path(__file__).resolve().parents[2]
READY_LINE = "Press Ctrl-C to stop."


class Up:
    """One `infoshare up` process; its stdout lines are read on a thread."""

    def __init__(self, home: Path, port: int, ui_port: int, env: dict[str, str]) -> None:
        self.home = home
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stdout: list[str] = []
        self.stderr_path = home.parent / f"up-{time.monotonic_ns()}.err"
        self.stderr_file = self.stderr_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "infoshare.cli", "up", "--home", str(home),
             "--port", str(port), "--ui-port", str(ui_port)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=self.stderr_file, text=True,
        )  # fmt: skip
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if line is None:
                break
            self.stdout.append(line)
            if line == READY_LINE:
                return
        pytest.fail(
            f"`infoshare up` not ready (exit {self.process.poll()}):\n"
            + "\n".join(self.stdout)
            + "\n"
            + self.stderr()
        )

    def stop(self, signum: int, timeout: float = 30.0) -> int:
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"`infoshare up` did not stop within {timeout}s:\n{self.stderr()}")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.stderr_file.close()


def cli(
    env: dict[str, str], *args: str, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infoshare.cli", *args],
        cwd=ROOT, env=env, input=input, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def http_status(url: str, timeout: float = 20.0) -> int:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                status: int = response.status
                return status
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def stack_env(tmp_path: Path) -> Iterator[tuple[Path, int, int, dict[str, str]]]:
    home = tmp_path / "home"
    port, ui_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFOSHARE_")}
    env |= {
        "INFOSHARE_HOME": str(home),
        "INFOSHARE_TEMPORAL_ADDRESS": f"127.0.0.1:{port}",
        "INFOSHARE_LOG_FORMAT": "json",
        "INFOSHARE_CODEC_PORT": str(free_port()),
        "INFOSHARE_WEB_PORT": str(free_port()),
    }
    yield home, port, ui_port, env


def test_up_stops_cleanly_and_keeps_proposals(
    stack_env: tuple[Path, int, int, dict[str, str]],
) -> None:
    home, port, ui_port, env = stack_env

    first = Up(home, port, ui_port, env)
    try:
        first.wait_ready()
        assert f"Temporal UI:   http://127.0.0.1:{ui_port}" in first.stdout
        assert any("task queue information-sharing" in line for line in first.stdout)
        assert http_status(f"http://127.0.0.1:{ui_port}/") == 200
        # the UI decodes payloads through the codec server `up` runs
        codec = f"http://127.0.0.1:{env['INFOSHARE_CODEC_PORT']}"
        assert any(codec in line for line in first.stdout)
        assert http_status(f"{codec}/healthz") == 200
        assert f"--ui-codec-endpoint {codec}" in (home / "temporal.log").read_text().replace(
            "', '", " "
        )
        web = f"http://127.0.0.1:{env['INFOSHARE_WEB_PORT']}"
        assert f"Web form:      {web}" in first.stdout
        assert http_status(f"{web}/register") == 200
        server_pid = int((home / "temporal.pid").read_text())
        assert alive(server_pid)
        assert (home / "temporal.db").exists()

        added = cli(env, "people", "add", "casey@phso.example", "--role", "caseworker")
        assert added.returncode == 0, added.stderr
        proposed = cli(env, "propose", "-", input=json.dumps(EXAMPLE_INTAKE))
        assert proposed.returncode == 0, proposed.stderr
        workflow_id = proposed.stdout.strip()
        assert workflow_id.startswith("isp-")

        # An actor without the role is refused: stderr, exit 1.
        payload = {"actor": "casey@phso.example", "reason": "test"}
        refused = cli(env, "decide", workflow_id, "terminate", "-", input=json.dumps(payload))
        assert refused.returncode == 1, refused.stderr
        assert refused.stderr.startswith("refused: ")
        missing = cli(env, "status", "isp-doesnotexist")
        assert missing.returncode == 2, missing.stderr

        state = cli(env, "status", workflow_id, "--field", "state")
        assert state.returncode == 0, state.stderr
        before = state.stdout.strip()

        assert first.stop(signal.SIGINT) == 0, first.stderr()
    finally:
        first.kill()
    assert not alive(server_pid), "the Temporal dev server outlived `infoshare up`"
    assert not (home / "temporal.pid").exists()
    assert not listening(port)
    assert '"event": "stopped"' in first.stderr()

    # Again on the same home: the proposal is still there (and SIGTERM stops it too).
    second = Up(home, port, ui_port, env)
    try:
        second.wait_ready()
        again = cli(env, "status", workflow_id, "--field", "state")
        assert again.returncode == 0, again.stderr
        assert again.stdout.strip() == before
        assert second.stop(signal.SIGTERM) == 0, second.stderr()
    finally:
        second.kill()
