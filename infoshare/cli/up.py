"""`infoshare up`: the whole stack on one machine.

The Temporal dev server runs as a child process on a durable SQLite file under the home
directory; the worker (and any other in-process service in `SERVICES`) runs in this
process until Ctrl-C or SIGTERM. Shutdown order: the services first, then the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import signal
import socket
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import structlog
import typer

from infoshare.cli.errors import CliError
from infoshare.runtime.devserver import DevServer, DevServerError
from infoshare.settings import Settings

log = structlog.get_logger()

T = TypeVar("T")


@dataclass(frozen=True)
class Service:
    """Something `up` runs in-process next to the worker.

    `run(settings, stop)` runs until `stop` is set (returning earlier is an error);
    `url(settings)`, if given, is printed once the stack is up.
    """

    name: str
    run: Callable[[Settings, asyncio.Event], Awaitable[None]]
    url: Callable[[Settings], str] | None = None


async def _worker(settings: Settings, stop: asyncio.Event) -> None:
    from worker import run_worker

    await run_worker(settings, stop)


async def _codec_server(settings: Settings, stop: asyncio.Event) -> None:
    from infoshare.codec.keys import load_keyring
    from infoshare.codec.server import create_app
    from infoshare.runtime.serving import PortUnavailable, bind, serve

    try:
        sock = bind("127.0.0.1", settings.codec_port, "codec server", "set INFOSHARE_CODEC_PORT")
    except PortUnavailable as err:
        raise CliError(str(err)) from None
    await serve(create_app(load_keyring(settings), settings), sock, stop)


async def _web_form(settings: Settings, stop: asyncio.Event) -> None:
    from infoshare.web.server import PortUnavailable, serve

    try:
        await serve(settings, stop)
    except PortUnavailable as err:
        raise CliError(str(err)) from None


# The in-process services of the embedded stack, started in this order. Another one is
# added by appending a `Service` here (and its port to `service_ports`).
SERVICES: list[Service] = [
    Service("worker", _worker),
    Service("codec server", _codec_server, url=lambda s: s.codec_url),
    Service("web form", _web_form, lambda s: s.resolved_web_base_url),
]


def check_port_free(ip: str, port: int, what: str) -> None:
    """CliError if something already listens on ip:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((ip, port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise CliError(
                    f"port {port} ({what}) on {ip} is already in use: is another "
                    "`infoshare up` or Temporal server running? Choose others with "
                    "--port / --ui-port."
                ) from None
            raise CliError(f"cannot use {ip}:{port} ({what}): {err.strerror}") from None


def check_no_running_server(home: Path) -> None:
    """CliError if a dev server started by an earlier `up` on this home still runs."""
    pid_file = home / "temporal.pid"
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        cmdline = ""
    alive = True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        alive = False
    except PermissionError:
        pass
    if alive and (not cmdline or "start-dev" in cmdline):
        raise CliError(
            f"a Temporal dev server (pid {pid}) from an earlier `infoshare up` on {home} is "
            f"still running; stop it (kill {pid}) or wait for it to exit"
        )
    pid_file.unlink(missing_ok=True)


def preflight(home: Path, port: int, ui_port: int, others: dict[str, int] | None = None) -> None:
    """CliError if the stack cannot start: a server still runs on `home`, a port is taken."""
    ports = {"Temporal frontend": port, "Temporal UI": ui_port, **(others or {})}
    if len(set(ports.values())) != len(ports):
        used = ", ".join(f"{what} {number}" for what, number in ports.items())
        raise CliError(f"the ports must differ; they are: {used}", 2)
    check_no_running_server(home)
    for what, number in ports.items():
        check_port_free("127.0.0.1", number, what)


def service_ports(settings: Settings) -> dict[str, int]:
    """The ports the in-process services listen on."""
    return {"codec server": settings.codec_port, "web form": settings.web_port}


async def _unless_stopped(work: Coroutine[Any, Any, T], stop: asyncio.Event) -> T | None:
    """`work`'s result, or None if `stop` is set first (then `work` is cancelled)."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return None


async def _run_service(service: Service, settings: Settings, stop: asyncio.Event) -> None:
    await service.run(settings, stop)
    if not stop.is_set():
        raise CliError(f"the {service.name} stopped unexpectedly")


async def _watch_server(server: DevServer, stop: asyncio.Event) -> None:
    code = await _unless_stopped(server.wait_exit(), stop)
    if code is not None and not stop.is_set():
        raise CliError(str(server.failure(f"the Temporal dev server exited with code {code}")))


def _first_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    for err in group.exceptions:
        if isinstance(err, BaseExceptionGroup):
            return _first_error(err)
        return err
    return group


async def run_stack(
    settings: Settings,
    port: int,
    ui_port: int,
    *,
    services: list[Service] | None = None,
    ready_timeout: float = 60.0,
) -> None:
    """Run the embedded stack until SIGINT/SIGTERM; raise CliError if it cannot."""
    from workflows.search_attributes import SEARCH_ATTRIBUTES

    services = SERVICES if services is None else services
    home = settings.home.resolve()
    preflight(home, port, ui_port, service_ports(settings))

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal(signum: int) -> None:
        if not stop.is_set():
            log.info("stopping", signal=signal.Signals(signum).name)
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal, signum)

    server = DevServer(
        home=home,
        port=port,
        ui_port=ui_port,
        namespace=settings.temporal_namespace,
        search_attributes=dict(SEARCH_ATTRIBUTES),
        # the UI decodes the encrypted payloads through our codec server
        ui_codec_endpoint=settings.codec_url,
    )
    try:
        try:
            await server.start()
            client = await _unless_stopped(server.wait_ready(ready_timeout), stop)
            if client is None:
                return
            await server.ensure_search_attributes(client)
        except DevServerError as err:
            raise CliError(str(err)) from None

        lines = [
            f"Temporal UI:   {server.ui_url}",
            f"Temporal:      {server.address}  namespace {settings.temporal_namespace}, "
            f"task queue {settings.task_queue}",
        ]
        lines += [f"{s.name.capitalize() + ':':<14} {s.url(settings)}" for s in services if s.url]
        lines += [f"Home:          {home}", "Press Ctrl-C to stop."]
        typer.echo("\n".join(lines))

        try:
            async with asyncio.TaskGroup() as group:
                for service in services:
                    group.create_task(_run_service(service, settings, stop), name=service.name)
                group.create_task(_watch_server(server, stop), name="temporal")
        except BaseExceptionGroup as group_error:
            raise _first_error(group_error) from None
    finally:
        stop.set()
        await server.stop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    log.info("stopped")
