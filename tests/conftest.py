"""Shared fixtures: one time-skipping server and one dev server per session, a worker on
each with the real activities, and an embedded home (SQLite file) seeded with people."""

from __future__ import annotations

import functools
import json
import logging
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from infoshare.codec.converter import configured_data_converter
from tests.people import seed_people
from tests.ports import default_ports, free_port, holding
from tests.smtp import SmtpServer, smtp_server

BIN = Path(sys.executable).parent

_INDEXED = {
    "Keyword": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    "KeywordList": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
    "Datetime": IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How often `patiently` retried the time-skipping server's timeout, and where."""
    driver = sys.modules.get("tests.workflows.driver")  # only when workflow tests ran
    if driver is None:
        return
    retries = driver.RETRIES
    where = ", ".join(f"{site}: {n}" for site, n in sorted(retries.items()))
    terminalreporter.write_line(
        f"patiently: {sum(retries.values())} retries of a request that timed out"
        + (f" ({where})" if where else "")
    )


@pytest.fixture(scope="session", autouse=True)
def default_ports_taken() -> Iterator[dict[str, int]]:
    """The stack's default ports (Temporal 7233 and its UI 8233, the web form 8000, the
    codec server 8090, the worker's health 8081 and metrics 9464) are taken for the whole
    run: a test that starts a server on a default port, or needs one free, fails here every
    time, not only when another stack happens to run on this machine. Each test chooses
    free ports (tests/ports.py)."""
    with holding(default_ports()) as held:
        yield held


@pytest.fixture(scope="session")
def infoshare_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An embedded home: SQLite file migrated to head, the people directory seeded."""
    from infoshare.database.migrate import upgrade
    from infoshare.database.session import reset_engine
    from infoshare.settings import get_settings

    home = tmp_path_factory.mktemp("home")
    mp = pytest.MonkeyPatch()
    mp.setenv("INFOSHARE_HOME", str(home))
    mp.delenv("INFOSHARE_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    reset_engine()
    upgrade()
    seed_people()
    yield home
    mp.undo()
    get_settings.cache_clear()
    reset_engine()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on a free local port; `smtp.configure()` points the settings at
    it, `smtp.inbox` holds what it received."""
    with smtp_server() as server:
        yield server


@contextmanager
def logging_as_configured(fmt: str, level: int = logging.INFO) -> Iterator[None]:
    """The CLI's logging set-up (cli/logging.py) for a block; what was before comes back."""
    import structlog

    from infoshare.runtime.logging import LIBRARY_LOGGERS, configure_logging

    root = logging.getLogger()
    handlers, level_before = list(root.handlers), root.level
    libraries = {name: logging.getLogger(name).level for name in LIBRARY_LOGGERS}
    configure_logging(fmt, level)
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level_before)
        for name, old in libraries.items():
            logging.getLogger(name).setLevel(old)
        structlog.reset_defaults()


@pytest.fixture
def json_logs(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """Logging configured as `--log-format json` (debug level); call it for the records
    written to stderr since the last call, parsed."""

    def read() -> list[dict[str, Any]]:
        err = capsys.readouterr().err
        return [json.loads(line) for line in err.splitlines() if line.startswith("{")]

    with logging_as_configured("json", logging.DEBUG):
        yield read


async def register_search_attributes(env: WorkflowEnvironment) -> None:
    from workflows.search_attributes import SEARCH_ATTRIBUTES

    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={k: _INDEXED[v] for k, v in SEARCH_ATTRIBUTES.items()},
        )
    )


@pytest_asyncio.fixture(scope="session")
async def time_skipping_env(infoshare_home: Path) -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(BIN / "temporal-test-server"),
        data_converter=configured_data_converter(),
    )
    await register_search_attributes(env)
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
def dev_ui_url() -> str:
    """The dev server's Temporal Web UI (it costs nothing to start: tests/ui drives it)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def dev_codec_url(infoshare_home: Path, dev_ui_url: str) -> Iterator[str]:
    """A codec server for the dev server's UI (payloads are encrypted), in a thread."""
    import threading
    import time

    import uvicorn

    from infoshare.codec.keys import load_keyring
    from infoshare.codec.server import create_app
    from infoshare.settings import get_settings

    port = free_port()
    settings = get_settings().model_copy(update={"codec_cors_origins": dev_ui_url})
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(load_keyring(settings), settings),
            host="127.0.0.1",
            port=port,
            log_config=None,
            access_log=False,
            lifespan="off",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the codec server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest_asyncio.fixture(scope="session")
async def dev_env(
    infoshare_home: Path, dev_ui_url: str, dev_codec_url: str
) -> AsyncIterator[WorkflowEnvironment]:
    from workflows.search_attributes import ALL_KEYS

    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(BIN / "temporal"),
        data_converter=configured_data_converter(),
        search_attributes=ALL_KEYS,
        dev_server_database_filename=str(infoshare_home / "temporal-test.db"),
        ui=True,
        ui_port=int(dev_ui_url.rsplit(":", 1)[1]),
        dev_server_extra_args=[
            "--sqlite-pragma",
            "journal_mode=wal",
            "--sqlite-pragma",
            "synchronous=normal",
            "--ui-disable-news-fetch",
            "--ui-codec-endpoint",
            dev_codec_url,
        ],
    )
    yield env
    await env.shutdown()


def make_worker(env: WorkflowEnvironment, task_queue: str) -> Worker:
    from infoshare.settings import get_settings
    from worker import build_worker

    settings = get_settings().model_copy(update={"task_queue": task_queue})
    return build_worker(env.client, settings)


async def replay_every_run(client: Client, workflow_ids: Iterable[str]) -> tuple[int, list[str]]:
    """Replay every run of each workflow against the code: the whole continue-as-new chain,
    followed back from the latest run to the first (`fetch_runs`). Returns how many runs
    were replayed, and the failures."""
    from infoshare.audit.history import fetch_runs, run_id
    from infoshare.runtime.temporal import make_replayer
    from tests.workflows.driver import patiently

    replayer = make_replayer()
    replayed, failures = 0, []
    for workflow_id in workflow_ids:
        # a test may end just as a run continues-as-new (the time-skipping server's quirk)
        runs = await patiently(functools.partial(fetch_runs, client, workflow_id))
        for number, history in enumerate(runs, start=1):
            result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
            replayed += 1
            if result.replay_failure is not None:
                failures.append(
                    f"{workflow_id} run {number} of {len(runs)} ({run_id(history)}): "
                    f"{result.replay_failure}"
                )
    return replayed, failures


async def replay_and_clean_up(env: WorkflowEnvironment, queue: str) -> None:
    """Replay every run of every proposal the test made against the code (determinism),
    then terminate what still runs: on the time-skipping server a leftover timer would
    hold up time."""
    from tests.workflows.driver import Driver, describe

    workflow_ids = Driver.started.pop(queue, [])
    _, failures = await replay_every_run(env.client, workflow_ids)
    for workflow_id in workflow_ids:
        info = await describe(env.client, workflow_id)
        if info.status == WorkflowExecutionStatus.RUNNING.value:
            await env.client.get_workflow_handle(workflow_id).terminate("test finished")
    assert not failures, "histories that do not replay:\n" + "\n".join(failures)


@pytest_asyncio.fixture
async def ts_worker(time_skipping_env: WorkflowEnvironment) -> AsyncIterator[str]:
    """A worker on the time-skipping server; yields its task queue."""
    queue = f"ts-{uuid.uuid4().hex[:8]}"
    async with make_worker(time_skipping_env, queue):
        yield queue
        await replay_and_clean_up(time_skipping_env, queue)


@pytest_asyncio.fixture
async def dev_worker(dev_env: WorkflowEnvironment) -> AsyncIterator[str]:
    """A worker on the dev server; yields its task queue."""
    queue = f"dev-{uuid.uuid4().hex[:8]}"
    async with make_worker(dev_env, queue):
        yield queue
        await replay_and_clean_up(dev_env, queue)


@pytest.fixture
def dejavu() -> Path:
    """The folder of DejaVu Sans, which the PDFs are set in (required in CI, as in the image)."""
    from activities import fonts
    from tests import required

    folder = fonts.unicode_font_dir()
    if folder is None:
        required.missing(
            "DejaVu Sans is not installed (apt-get install fonts-dejavu-core fonts-dejavu-extra)",
            required_by="INFOSHARE_TEST_REQUIRE_FONTS",
        )
    return folder
