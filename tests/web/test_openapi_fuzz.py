"""Every operation in the web form's OpenAPI schema, fuzzed by schemathesis from the schema:
never a 5xx, and every answer (status, content type, body) conforms to the schema. Each
generated request is sent twice: without a session, and signed in as a caseworker.

The app is served by uvicorn on a free port in a thread of its own, on the real dev server
and the seeded database: the fuzz is synchronous (Hypothesis), so the app must not share
the test's event loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from pydantic import SecretStr
from schemathesis import Case
from schemathesis.checks import CheckFunction
from schemathesis.specs.openapi.checks import positive_data_acceptance
from schemathesis.specs.openapi.schemas import OpenApiSchema
from temporalio.testing import WorkflowEnvironment

from infoshare.settings import Settings
from tests import people
from tests.web.conftest import CSRF, settings_for

# A fixed budget per operation, derandomised: the same requests in every run.
EXAMPLES_PER_OPERATION = 25

# (operation, "anonymous" | "signed in") -> requests sent; printed at the end of the run.
FUZZED: Counter[tuple[str, str]] = Counter()


class _ServedApp:
    """The web form served by uvicorn in a thread with its own event loop."""

    def __init__(self, app_settings: Settings) -> None:
        from infoshare.web.server import bind

        self.sock = bind("127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.settings = app_settings.model_copy(update={"web_port": self.sock.getsockname()[1]})
        self.loop = asyncio.new_event_loop()
        self.stop = asyncio.Event()
        self.thread = threading.Thread(target=self._run, name="fuzzed-web", daemon=True)

    def _run(self) -> None:
        from infoshare.web.server import serve

        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(serve(self.settings, self.stop, sock=self.sock))
        self.loop.close()

    def __enter__(self) -> _ServedApp:
        self.thread.start()
        for _ in range(200):
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                threading.Event().wait(0.05)
        raise RuntimeError(f"the web form did not start on {self.url}")

    def __exit__(self, *_: object) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(20)
        assert not self.thread.is_alive(), "the fuzzed web form did not stop"


@pytest.fixture
def served(dev_env: WorkflowEnvironment) -> Iterator[str]:
    """The web form on the dev server (reads only: no worker needed); yields its base URL."""
    app_settings = settings_for(
        temporal_address=dev_env.client.service_client.config.target_host,
        temporal_namespace=dev_env.client.namespace,
    )
    with _ServedApp(app_settings) as app:
        ready = requests.get(f"{app.url}/readyz", timeout=10)
        assert ready.status_code == 200, ready.text
        yield app.url


@pytest.fixture
def signed_in(served: str) -> Iterator[requests.Session]:
    """A session signed in as a caseworker with the embedded sign-in."""
    with requests.Session() as session:
        page = session.get(f"{served}/signin", timeout=10)
        token = CSRF.search(page.text)
        assert token, page.text[:500]
        response = session.post(
            f"{served}/signin",
            data={"csrf_token": token[1], "email": people.CASEWORKER, "next": "/"},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 303, response.text
        me = session.get(f"{served}/api/me", timeout=10)
        assert me.json()["email"] == people.CASEWORKER, me.text
        yield session


def fuzz_summary() -> list[str]:
    """Lines for the terminal summary: operations fuzzed and requests sent."""
    if not FUZZED:
        return []
    operations = sorted({operation for operation, _ in FUZZED})
    lines = [
        f"OpenAPI fuzz: {len(operations)} operations, {sum(FUZZED.values())} requests "
        f"(each example anonymous and signed in)"
    ]
    for operation in operations:
        lines.append(
            f"  {operation}: {FUZZED[operation, 'anonymous']} anonymous, "
            f"{FUZZED[operation, 'signed in']} signed in"
        )
    return lines


def _web_schema() -> OpenApiSchema:
    """The app's own OpenAPI document, read at collection time (no server, no database):
    `schemathesis.pytest.from_fixture` would serve it from the running app, but it does not
    work with pytest 9 (it reads `Function._nodeid`, gone)."""
    from infoshare.web.app import create_app

    app = create_app(Settings(web_secret_key=SecretStr("collection-only-" + "x" * 32)))
    return schemathesis.openapi.from_dict(app.openapi())


schema = _web_schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_schema_conformance(
    case: Case[Any], served: str, signed_in: requests.Session
) -> None:
    # A schema-valid `page` is any string, but only a token the server signed is a page:
    # any other gets the documented 400 ("A bad page token"), not a rejection of valid data.
    excluded: list[CheckFunction] = (
        [positive_data_acceptance] if (case.query or {}).get("page") else []
    )
    with requests.Session() as anonymous:
        for who, session in (("anonymous", anonymous), ("signed in", signed_in)):
            FUZZED[case.operation.label, who] += 1
            # The default checks: no 5xx, documented status codes, content types and bodies,
            # schema-valid data accepted and schema-invalid data rejected.
            response = case.call_and_validate(
                base_url=served, session=session, excluded_checks=excluded, timeout=20
            )
            assert response.status_code < 500, response.text
