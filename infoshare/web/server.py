"""Serving the web form with uvicorn until a stop event (for `infoshare web` and `up`)."""

from __future__ import annotations

import asyncio
import socket

import structlog

from infoshare.runtime import serving
from infoshare.runtime.serving import PortUnavailable
from infoshare.settings import Settings

__all__ = ["PortUnavailable", "bind", "serve"]

log = structlog.get_logger()


def bind(host: str, port: int) -> socket.socket:
    """The web form's listening socket; PortUnavailable with a clear reason."""
    return serving.bind(
        host, port, "web form", "choose another with --web-port or INFOSHARE_WEB_PORT"
    )


async def serve(
    settings: Settings,
    stop: asyncio.Event,
    *,
    sock: socket.socket | None = None,
) -> None:
    """Serve the web form on `sock` (default: web_host:web_port) until `stop` is set."""
    from infoshare.web.app import create_app

    sock = sock or bind(settings.web_host, settings.web_port)
    log.info("web form started", url=settings.resolved_web_base_url)
    await serving.serve(
        create_app(settings),
        sock,
        stop,
        # behind the single sign-on proxy, its forwarded headers say who the client is
        proxy_headers=bool(settings.web_user_header),
    )
    log.info("web form stopped")
