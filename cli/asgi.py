"""Serving an ASGI app (the codec server, the web form) until a stop event is set."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import uvicorn


async def serve(app: Any, host: str, port: int, stop: asyncio.Event) -> None:
    """Serve `app` on host:port until `stop` is set; raises if the port cannot be bound."""
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False, lifespan="off")
    )
    # uvicorn installs signal handlers only when it owns the loop: the caller handles them.
    task = asyncio.create_task(server.serve(sockets=None))
    stopper = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
    if not server.started:
        raise RuntimeError(f"could not serve on {host}:{port} (is the port in use?)")
