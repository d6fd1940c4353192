"""Helpers for the deployment tests: the repository's deploy/ folder, free ports, HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.db_fixtures import database_url, empty_database_url

__all__ = ["database_url", "empty_database_url"]

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def http_get(url: str, timeout: float = 5.0) -> tuple[int, str]:
    """(status, body) of a GET; HTTP errors are answers too, not exceptions."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def http_json(url: str) -> tuple[int, Any]:
    status, body = http_get(url)
    return status, json.loads(body)


# Settings the deployment files already set for parts other branches are building (the
# web form, the codec server). tests/deploy checks every other INFOSHARE_* name in deploy/
# is a real setting; once one of these exists, the tests say to drop it from here.
PENDING_SETTINGS: dict[str, str] = {}
# Commands the deployment files run that other branches are building.
PENDING_COMMANDS: dict[str, str] = {}


def settings_from(environment: dict[str, str]) -> Any:
    """The Settings a container with `environment` gets (pending names left out)."""
    from infoshare.settings import ENV_PREFIX, Settings

    values = {
        name.removeprefix(ENV_PREFIX).lower(): value
        for name, value in environment.items()
        if name.startswith(ENV_PREFIX) and name not in PENDING_SETTINGS
    }
    return Settings.model_validate(values)


def cli_commands() -> set[str]:
    """The top-level commands of the `infoshare` console script."""
    import typer.main

    from infoshare.cli.main import app

    group = typer.main.get_command(app)
    return set(getattr(group, "commands", {}))


def check_command(args: list[str]) -> str | None:
    """Assert `args` (what follows `infoshare`) names a real command; a reason to skip when
    it is one still being built elsewhere."""
    commands = cli_commands()
    if args[0] in PENDING_COMMANDS and args[0] not in commands:
        return f"`infoshare {args[0]}` ({PENDING_COMMANDS[args[0]]}) is built elsewhere"
    assert args[0] in commands, f"`infoshare {' '.join(args)}`: no such command"
    assert args[0] not in PENDING_COMMANDS, (
        f"`infoshare {args[0]}` exists now: drop it from PENDING_COMMANDS"
    )
    return None
