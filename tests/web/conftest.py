"""The web form under test: the app over ASGI (HTTP tests) or served by uvicorn on a free
port (browser tests), on the seeded embedded home, with or without a real Temporal."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from pydantic import SecretStr
from temporalio.testing import WorkflowEnvironment

from infoshare.settings import Settings, get_settings
from tests.db_fixtures import *  # noqa: F403
from tests.workflows.driver import Driver

ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def artifacts_dir() -> Path:
    """Where screenshots go: $INFOSHARE_TEST_ARTIFACTS/web (default test-artifacts/web)."""
    base = Path(os.environ.get("INFOSHARE_TEST_ARTIFACTS") or ROOT / "test-artifacts")
    folder = base / "web"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


SCREENSHOTS: list[Path] = []  # every screenshot the browser tests saved in this run


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SCREENSHOTS:
        terminalreporter.write_line(
            f"web form screenshots: {len(SCREENSHOTS)} in {SCREENSHOTS[0].parent}"
        )
    fuzz = sys.modules.get("tests.web.test_openapi_fuzz")  # only when it ran
    for line in fuzz.fuzz_summary() if fuzz else ():
        terminalreporter.write_line(line)


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match[1]


def register_row(proposal_id: str) -> dict[str, Any]:
    """Enter an agreement (version 2) in the register, its document published under the
    documents folder; returns the row."""
    from infoshare.database.models import RegisterRow
    from infoshare.database.session import session_scope

    folder = get_settings().documents_dir / "published" / proposal_id
    folder.mkdir(parents=True, exist_ok=True)
    document = folder / "agreement-v2.md"
    document.write_text("# Information sharing agreement\n\nBetween PHSO and LGSCO.\n")
    now = datetime.now(UTC)
    row: dict[str, Any] = {
        "proposal_id": proposal_id,
        "title": "Joint investigation with LGSCO",
        "parties": ["PHSO", "LGSCO"],
        "purpose": "joint investigations",
        "lawful_basis": "public_task",
        "lawful_basis_justification": "statutory function",
        "conditions": {"article9": "g"},
        "special_categories": ["health"],
        "dpia_required": True,
        "dpia_outcome": "approved",
        "security_method": "SFTP with PGP",
        "version": 2,
        "sha256": "b" * 64,
        "public_path": f"/register/{proposal_id}/v2",
        "html_uri": document.resolve().as_uri(),
        "pdf_uri": None,
        "pdf_sha256": None,
        "signatures": [{"party": "PHSO", "name": "Dana Director", "job_title": "Director"}],
        "signed_at": now,
        "published_at": now,
        "next_review_due": now,
        "status": "active",
    }
    with session_scope() as session:
        session.add(RegisterRow(**row))
    return row


def settings_for(**changes: object) -> Settings:
    return get_settings().model_copy(
        update={"web_secret_key": SecretStr("test-secret-key-" + "x" * 32), **changes}
    )


def asgi_client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", timeout=30
    )


async def sign_in(client: httpx.AsyncClient, email: str) -> str:
    """Sign in as `email` with the embedded sign-in; returns the session's CSRF token."""
    page = await client.get("/signin")
    assert page.status_code == 200, page.text
    response = await client.post(
        "/signin", data={"csrf_token": csrf_of(page.text), "email": email, "next": "/"}
    )
    assert response.status_code == 303, response.text
    return csrf_of((await client.get("/proposals/new")).text)


@pytest_asyncio.fixture
async def offline(infoshare_home: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The app with the database but no Temporal (nothing listens on port 1)."""
    from infoshare.web.app import create_app

    app = create_app(settings_for(temporal_address="127.0.0.1:1"))
    async with asgi_client(app) as client:
        yield client


@pytest.fixture
def live_settings(dev_env: WorkflowEnvironment, dev_worker: str) -> Settings:
    """Settings on the dev server and the test's worker queue."""
    return settings_for(
        temporal_address=dev_env.client.service_client.config.target_host,
        temporal_namespace=dev_env.client.namespace,
        task_queue=dev_worker,
    )


@pytest_asyncio.fixture
async def live(
    live_settings: Settings, dev_env: WorkflowEnvironment
) -> AsyncIterator[httpx.AsyncClient]:
    """The app on the real dev server and a worker."""
    from infoshare.web.app import create_app

    app = create_app(live_settings, dev_env.client)
    async with asgi_client(app) as client:
        yield client


def track(task_queue: str, workflow_id: str) -> None:
    """Hand a proposal the app started to the worker fixture's replay check and clean-up."""
    Driver.started.setdefault(task_queue, []).append(workflow_id)


@pytest_asyncio.fixture
async def web_url(live_settings: Settings) -> AsyncIterator[str]:
    """The web form served by uvicorn on a free localhost port; yields its base URL."""
    from infoshare.web.server import bind, serve

    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    settings = live_settings.model_copy(update={"web_port": port})
    stop = asyncio.Event()
    server = asyncio.create_task(serve(settings, stop, sock=sock))
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as probe:
        for _ in range(100):
            try:
                if (await probe.get(f"{url}/healthz")).status_code == 200:
                    break
            except httpx.TransportError:
                await asyncio.sleep(0.05)
        # with Temporal and the database behind it, the web form is ready
        ready = await probe.get(f"{url}/readyz")
        assert ready.status_code == 200, ready.text
    yield url
    stop.set()
    await asyncio.wait_for(server, 20)
