"""Serving an ASGI app (the web form, the codec server) with uvicorn until a stop event."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
from collections.abc import Iterator
from typing import Any

import uvicorn


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (for servers the benchmark and the tests start)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


class PortUnavailable(Exception):
    """A server cannot listen where it was told to; the text says why."""


class _Server(uvicorn.Server):
    # The caller owns the signals (and sets `stop`): uvicorn must not take them over.
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind(host: str, port: int, what: str, hint: str = "") -> socket.socket:
    """A listening socket on host:port; PortUnavailable with a clear reason."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise PortUnavailable(f"cannot listen on {host}: {err.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as err:
        sock.close()
        if err.errno == errno.EADDRINUSE:
            raise PortUnavailable(
                f"port {port} ({what}) on {host} is already in use" + (f": {hint}" if hint else "")
            ) from None
        raise PortUnavailable(f"cannot listen on {host}:{port}: {err.strerror}") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


async def serve(app: Any, sock: socket.socket, stop: asyncio.Event, **config: Any) -> None:
    """Serve `app` on `sock` until `stop` is set; then close the socket."""
    server = _Server(
        uvicorn.Config(
            app,
            log_config=None,  # structlog's handlers, as configured by the CLI
            access_log=False,
            server_header=False,
            lifespan="off",
            **config,
        )
    )
    task = asyncio.ensure_future(server.serve(sockets=[sock]))
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
        sock.close()
