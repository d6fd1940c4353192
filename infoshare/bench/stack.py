"""The embedded stack the benchmark runs on, in a temporary home.

A Temporal dev server on a durable SQLite file (WAL), started on free ports; the SQLite
application database, migrated, with the people the lifecycle needs; workers as
subprocesses (`infoshare worker` for ours, `python -m infoshare.bench.bare` for the bare engine), so
that the benchmark's own client does not share their interpreter.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.client import Client

from infoshare.runtime.devserver import DevServer
from infoshare.runtime.serving import free_port

# The people of the README's walkthrough: each message's sender holds its role.
PEOPLE: tuple[tuple[str, list[str], str], ...] = (
    ("casey@phso.example", ["caseworker"], "PHSO"),
    ("dpo@phso.example", ["dpo"], "PHSO"),
    ("ir@phso.example", ["information_rights"], "PHSO"),
    ("ict@phso.example", ["ict"], "PHSO"),
    ("reviewer@phso.example", ["reviewer"], "PHSO"),
    ("director@phso.example", ["signatory"], "PHSO"),
    ("chief@lgsco.example", ["signatory"], "LGSCO"),
)


def prepare_home(home: Path, database_url: str = "") -> None:
    """Point this process's settings at `home`, migrate the database, add the people, and
    create the payload keys before any worker can race to (`HOME/codec-keys.json`)."""
    from infoshare.codec.keys import load_keyring
    from infoshare.database.migrate import upgrade
    from infoshare.database.people import add_person
    from infoshare.database.session import reset_engine, session_scope
    from infoshare.settings import get_settings

    os.environ["INFOSHARE_HOME"] = str(home)
    if database_url:
        os.environ["INFOSHARE_DATABASE_URL"] = database_url
    else:
        os.environ.pop("INFOSHARE_DATABASE_URL", None)
    get_settings.cache_clear()
    reset_engine()
    upgrade()
    with session_scope() as session:
        for email, roles, organisation in PEOPLE:
            add_person(session, email, roles, organisation=organisation)
    load_keyring(get_settings())


@dataclass
class WorkerProcess:
    """A worker subprocess; `kill()` is kill -9, `stop()` a clean SIGTERM."""

    name: str
    process: subprocess.Popen[bytes]
    log_file: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_kib(self) -> int:
        """Resident memory now (VmRSS) in KiB."""
        return _status_kib(self.pid, "VmRSS")

    def peak_rss_kib(self) -> int:
        """The highest resident memory so far (VmHWM) in KiB."""
        return _status_kib(self.pid, "VmHWM")

    async def started(self, timeout: float = 60.0) -> None:
        """Wait until the worker says it is running (its log's "worker started")."""
        deadline = time.monotonic() + timeout
        while "worker started" not in self.log_file.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the {self.name} worker did not start: see {self.log_file}")
            await asyncio.sleep(0.1)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout: float = 20.0) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()


def _status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {key} for process {pid}")


@dataclass
class Stack:
    """A dev server on `home/temporal.db` and the workers started against it."""

    home: Path
    server: DevServer
    env: dict[str, str] = field(default_factory=dict)
    workers: list[WorkerProcess] = field(default_factory=list)

    @property
    def address(self) -> str:
        return self.server.address

    def worker_env(self, task_queue: str, **extra: str) -> dict[str, str]:
        """The environment of a worker subprocess: this one's, on `task_queue`."""
        return {
            **os.environ,
            "INFOSHARE_HOME": str(self.home),
            "INFOSHARE_TEMPORAL_ADDRESS": self.address,
            "INFOSHARE_TASK_QUEUE": task_queue,
            # several workers run side by side here: no health or metrics endpoints
            "INFOSHARE_HEALTH_PORT": "0",
            "INFOSHARE_METRICS_PORT": "0",
            **self.env,
            **extra,
        }

    def start_worker(self, task_queue: str, *, bare: bool = False, **extra: str) -> WorkerProcess:
        """`infoshare worker` (or the bare engine's worker) on `task_queue`."""
        kind = "bare" if bare else "ours"
        log_file = self.home / f"worker-{kind}-{task_queue}-{len(self.workers)}.log"
        if bare:
            command = [sys.executable, "-m", "infoshare.bench.bare", self.address, task_queue]
        else:
            command = [str(Path(sys.executable).parent / "infoshare"), "worker"]
        with log_file.open("ab") as out:
            process = subprocess.Popen(
                command,
                env=self.worker_env(task_queue, **extra),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )
        worker = WorkerProcess(kind, process, log_file)
        self.workers.append(worker)
        return worker

    async def restart_server(self) -> None:
        """Stop the dev server and start it again on the same file and ports."""
        await self.server.stop()
        await self.server.start()
        await self.server.wait_ready()

    async def client(self, *, plain: bool = False) -> Client:
        """A client as the CLI's (payloads encrypted), or a plain one for the bare engine."""
        from infoshare.codec.converter import configured_data_converter

        if plain:
            return await Client.connect(self.address)
        return await Client.connect(self.address, data_converter=configured_data_converter())

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.stop()


@contextlib.asynccontextmanager
async def embedded_stack(home: Path, database_url: str = "") -> AsyncIterator[Stack]:
    """The dev server on `home` (free ports) with the search attributes, and the database."""
    from workflows.search_attributes import SEARCH_ATTRIBUTES

    home.mkdir(parents=True, exist_ok=True)
    prepare_home(home, database_url)
    server = DevServer(
        home=home,
        port=free_port(),
        ui_port=free_port(),
        search_attributes=dict(SEARCH_ATTRIBUTES),
    )
    stack = Stack(home, server, {"INFOSHARE_DATABASE_URL": database_url} if database_url else {})
    await server.start()
    try:
        client = await server.wait_ready()
        await server.ensure_search_attributes(client)
        os.environ["INFOSHARE_TEMPORAL_ADDRESS"] = server.address
        yield stack
    finally:
        await asyncio.to_thread(stack.stop_workers)
        await server.stop()
