"""What the commands share: settings, JSON in and out, the database, Temporal, signals."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from pydantic import ValidationError

from infoshare.cli.errors import CliError, validation_lines
from infoshare.runtime import temporal
from infoshare.settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session
    from temporalio.client import Client

T = TypeVar("T")

def load_settings() -> Settings:
    """The settings from the environment; CliError naming the bad variable."""
    try:
        return get_settings()
    except ValidationError as err:
        lines = validation_lines(err, env_prefix="INFOSHARE_")
        raise CliError("invalid configuration:\n  " + "\n  ".join(lines)) from None


def override_settings(**env: str) -> Settings:
    """Set INFOSHARE_* variables for this process (activities read them too); the settings."""
    for name, value in env.items():
        os.environ[f"INFOSHARE_{name.upper()}"] = value
    get_settings.cache_clear()
    from infoshare.database.session import reset_engine

    reset_engine()
    return load_settings()


def safe_url(url: str) -> str:
    """`url` with any password hidden."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(the configured database)"


def read_json_object(source: str, what: str) -> dict[str, Any]:
    """The JSON object in file `source` (`-`: stdin); CliError saying what is wrong."""
    name = "stdin" if source == "-" else source
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as err:
        raise CliError(f"cannot read {what} {name}: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise CliError(f"{what} {name} is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise CliError(
            f"{what} {name} is not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})"
        ) from None
    if not isinstance(data, dict):
        raise CliError(f"{what} {name} must be one JSON object {{...}}, not {type(data).__name__}")
    return data


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@contextmanager
def database_session(settings: Settings) -> Iterator[Session]:
    """A session on the configured database, with its errors made readable."""
    from sqlalchemy.exc import SQLAlchemyError

    from infoshare.database.session import session_scope

    url = settings.resolved_database_url
    try:
        with session_scope() as session:
            yield session
    except SQLAlchemyError as err:
        from infoshare.database.migrate import current_revision

        try:
            migrated = current_revision(url) is not None
        except SQLAlchemyError:
            migrated = True  # cannot tell; show the error itself
        if not migrated:
            raise CliError(
                f"the database {safe_url(url)} is not set up: run `infoshare db upgrade` "
                "(or `infoshare up`, which does it)"
            ) from None
        detail = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
        raise CliError(f"database error on {safe_url(url)}: {detail}") from None


async def connect(settings: Settings) -> Client:
    """A client on the configured Temporal; CliError if it cannot be reached."""
    try:
        return await temporal.connect_in_time(settings)
    except temporal.TemporalUnreachable as err:
        raise CliError(str(err)) from None


def with_client(settings: Settings, work: Callable[[Client], Awaitable[T]]) -> T:
    async def run() -> T:
        client = await connect(settings)
        return await work(client)

    return asyncio.run(run())


def run_until_signalled(work: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run `work(stop)`; SIGINT/SIGTERM set `stop`."""

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await work(stop)

    asyncio.run(run())
