"""Serving the web form with uvicorn until a stop event (for `infoshare web` and `up`)."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
from collections.abc import Iterator

import structlog
import uvicorn

from settings import Settings

log = structlog.get_logger()


class PortUnavailable(Exception):
    """The web form cannot listen where it was told to; the text says why."""


class _Server(uvicorn.Server):
    # The caller owns the signals (and sets `stop`): uvicorn must not take them over.
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind(host: str, port: int) -> socket.socket:
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
                f"port {port} (web form) on {host} is already in use: choose another with "
                "--web-port or INFOSHARE_WEB_PORT"
            ) from None
        raise PortUnavailable(f"cannot listen on {host}:{port}: {err.strerror}") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


async def serve(
    settings: Settings,
    stop: asyncio.Event,
    *,
    sock: socket.socket | None = None,
) -> None:
    """Serve the web form on `sock` (default: web_host:web_port) until `stop` is set."""
    from web.app import create_app

    sock = sock or bind(settings.web_host, settings.web_port)
    config = uvicorn.Config(
        create_app(settings),
        log_config=None,  # structlog's handlers, as configured by the CLI
        access_log=False,  # paths carry workflow ids only, but keep logs to what matters
        proxy_headers=bool(settings.web_user_header),
        server_header=False,
        lifespan="off",
    )
    server = _Server(config)
    task = asyncio.ensure_future(server.serve(sockets=[sock]))
    stopper = asyncio.ensure_future(stop.wait())
    log.info("web form started", url=settings.resolved_web_base_url)
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
        sock.close()
    log.info("web form stopped")
