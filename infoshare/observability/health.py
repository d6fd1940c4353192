"""A tiny HTTP server for the orchestrator's probes (asyncio, no framework).

`GET /healthz`: 200 while the process runs its event loop (liveness).
`GET /readyz`: 200 when every readiness check passes, else 503 naming the failing ones
(readiness). The body is JSON either way; `HEAD` answers the same without a body.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any

import structlog

log = structlog.get_logger()

# A readiness check returns normally when ready and raises (any exception, its message
# being the reason) when not.
Check = Callable[[], Awaitable[None]]

REQUEST_TIMEOUT = 5.0
MAX_REQUEST_BYTES = 8192
REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}


class EndpointError(Exception):
    """An endpoint cannot be served (its port is taken, its address is not ours)."""


class NotReady(Exception):
    """A readiness check's plain "not yet" (no exception type worth showing)."""


def describe_failure(err: BaseException) -> str:
    """One short line saying why a check failed (no tracebacks, no long driver dumps)."""
    if isinstance(err, TimeoutError):
        return "timed out"
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    if not isinstance(err, NotReady):
        text = f"{type(err).__name__}: {text}" if text else type(err).__name__
    return text[:200]


class HealthServer:
    """Serves /healthz and /readyz on host:port until stopped (`async with` or start/stop).

    `checks` may be replaced while serving, e.g. once the worker is connected.
    """

    def __init__(
        self,
        host: str,
        port: int,
        checks: Mapping[str, Check] | None = None,
        *,
        check_timeout: float = 3.0,
    ) -> None:
        self.host = host
        self.port = port
        self.checks: Mapping[str, Check] = dict(checks or {})
        self.check_timeout = check_timeout
        self._server: asyncio.Server | None = None

    @property
    def bound_port(self) -> int:
        """The port actually listened on (differs from `port` when that is 0)."""
        if self._server is None or not self._server.sockets:
            raise RuntimeError("the health server is not running")
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        try:
            self._server = await asyncio.start_server(self._handle, self.host, self.port)
        except OSError as err:
            raise EndpointError(
                f"cannot serve the health endpoints on {self.host}:{self.port}: "
                f"{err.strerror or err}"
            ) from None
        log.info("health endpoints listening", host=self.host, port=self.bound_port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> HealthServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def readiness(self) -> tuple[bool, dict[str, str]]:
        """Run every check concurrently, each bounded by `check_timeout`."""
        names = list(self.checks)
        results = await asyncio.gather(
            *(asyncio.wait_for(self.checks[name](), self.check_timeout) for name in names),
            return_exceptions=True,
        )
        report = {}
        for name, result in zip(names, results, strict=True):
            if isinstance(result, asyncio.CancelledError):
                raise result
            report[name] = "ok" if result is None else describe_failure(result)
        return all(value == "ok" for value in report.values()), report

    async def _respond(self, method: str, path: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        path = path.split("?", 1)[0]
        if path not in ("/healthz", "/readyz"):
            return 404, {"error": f"no such endpoint {path}; try /healthz or /readyz"}, {}
        if method not in ("GET", "HEAD"):
            return 405, {"error": f"{method} not allowed"}, {"Allow": "GET, HEAD"}
        if path == "/healthz":
            return 200, {"status": "alive"}, {}
        ready, report = await self.readiness()
        body = {"status": "ready" if ready else "not ready", "checks": report}
        return (200 if ready else 503), body, {}

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), REQUEST_TIMEOUT)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
            writer.close()
            return
        try:
            method, path, _version = head[:MAX_REQUEST_BYTES].decode("latin-1").split(" ", 2)
        except ValueError:
            method, path = "", ""
        headers: dict[str, str] = {}
        if not method:
            status, body = 400, {"error": "bad request"}
        else:
            status, body, headers = await self._respond(method, path)
        payload = json.dumps(body).encode()
        lines = [
            f"HTTP/1.1 {status} {REASONS.get(status, 'Bad Request')}",
            "Content-Type: application/json",
            f"Content-Length: {len(payload)}",
            "Cache-Control: no-store",
            "Connection: close",
            *(f"{key}: {value}" for key, value in headers.items()),
        ]
        with contextlib.suppress(OSError):
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            if method != "HEAD":
                writer.write(payload)
            await writer.drain()
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
