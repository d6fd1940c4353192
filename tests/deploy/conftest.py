"""Helpers for the deployment tests: the repository's deploy/ folder, free ports, HTTP."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.db_fixtures import database_url, empty_database_url

__all__ = ["database_url", "empty_database_url"]

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
