"""`infoshare web` runs the web form alone; `up` refuses a web port already in use."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infoshare.cli.main import app
from tests.cli.test_up import http_status
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_web_refuses_a_port_in_use(
    taken_port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from infoshare.settings import get_settings

    monkeypatch.setenv("INFOSHARE_HOME", str(tmp_path))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["web", "--port", str(taken_port)])
    get_settings.cache_clear()
    assert result.exit_code == 1, result.output
    assert f"port {taken_port} (web form) on 127.0.0.1 is already in use" in result.stderr


def test_up_refuses_a_web_port_in_use(
    taken_port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from infoshare.settings import get_settings

    # `up` exports its settings for the activities: set-then-delete makes monkeypatch
    # restore (or remove) each variable afterwards.
    for name in ("HOME", "TEMPORAL_ADDRESS", "UI_PORT", "WEB_PORT"):
        monkeypatch.setenv(f"INFOSHARE_{name}", os.environ.get(f"INFOSHARE_{name}", ""))
        monkeypatch.delenv(f"INFOSHARE_{name}")
    # every other port `up` checks is free: only the web port is taken (not 8090, which
    # another stack on this machine may hold)
    monkeypatch.setenv("INFOSHARE_CODEC_PORT", str(free_port()))
    get_settings.cache_clear()
    result = CliRunner().invoke(
        app,
        ["up", "--home", str(tmp_path / "home"), "--port", str(free_port()),
         "--ui-port", str(free_port()), "--web-port", str(taken_port)],
    )  # fmt: skip
    get_settings.cache_clear()
    assert result.exit_code == 1, result.output
    assert f"port {taken_port} (web form)" in result.stderr
    assert not (tmp_path / "home" / "temporal.pid").exists()  # refused before starting


def test_web_serves_until_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFOSHARE_")}
    env |= {"INFOSHARE_HOME": str(tmp_path), "INFOSHARE_TEMPORAL_ADDRESS": "127.0.0.1:1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "infoshare.cli", "web", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert http_status(f"http://127.0.0.1:{port}/healthz") == 200
        # The register needs the database: not set up here, so a clear 503, not a crash.
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/register", timeout=10)
        assert failed.value.code == 503
        assert "infoshare db upgrade" in failed.value.read().decode()
        # Not ready: Temporal (port 1) does not answer; the orchestrator sends no traffic.
        with pytest.raises(urllib.error.HTTPError) as unready:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=30)
        assert unready.value.code == 503
        assert "temporal" in json.loads(unready.value.read())["problems"]
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    assert stdout.strip() == f"Web form: http://127.0.0.1:{port}"
    assert "web form stopped" in stderr
