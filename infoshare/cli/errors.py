"""Errors a person can act on: one clear line (or a few) on stderr, never a traceback."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterable
from typing import ParamSpec, TypeVar

import structlog
import typer
from pydantic import ValidationError

P = ParamSpec("P")
R = TypeVar("R")

log = structlog.get_logger()


class CliError(Exception):
    """Stop the command: `message` goes to stderr, the exit code is `code`."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _location(loc: Iterable[int | str]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(the whole document)"


def validation_lines(err: ValidationError, env_prefix: str | None = None) -> list[str]:
    """One line per problem: `field.path: what is wrong (got ...)`.

    With `env_prefix`, top-level field names become environment variable names.
    """
    lines = []
    for problem in err.errors(include_url=False):
        loc = list(problem["loc"])
        if env_prefix and loc and isinstance(loc[0], str):
            loc[0] = f"{env_prefix}{loc[0].upper()}"
        where = _location(loc)
        message = str(problem["msg"])
        if problem["type"] == "value_error":
            message = message.removeprefix("Value error, ")
        if problem["type"] not in ("missing", "extra_forbidden") and "input" in problem:
            shown = repr(problem["input"])
            if len(shown) > 60:
                shown = shown[:57] + "..."
            message += f" (got {shown})"
        lines.append(f"{where}: {message}")
    return lines


def friendly(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn the errors a command can meet into a message on stderr and an exit code.

    Set INFOSHARE_DEBUG=1 to see the traceback of an unexpected error instead.
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except CliError as err:
            typer.echo(f"error: {err.message}", err=True)
            raise typer.Exit(err.code) from None
        except BrokenPipeError:
            # The reader went away (`infoshare messages | head`): not an error of ours.
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(141) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None
        except ValidationError as err:
            typer.echo(
                "error: " + "\n  ".join(["invalid input:", *validation_lines(err)]), err=True
            )
            raise typer.Exit(1) from None
        except Exception as err:
            if os.environ.get("INFOSHARE_DEBUG"):
                raise
            log.debug("unexpected error", exc_info=True)
            typer.echo(
                f"error: {type(err).__name__}: {err} (set INFOSHARE_DEBUG=1 for the traceback)",
                err=True,
            )
            raise typer.Exit(1) from None

    return wrapper
