"""The key that signs session cookies (and so their CSRF tokens)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from infoshare.settings import Settings

KEY_FILE = "web-secret-key"


def secret_key(settings: Settings) -> str:
    """INFOSHARE_WEB_SECRET_KEY, else the key kept in HOME/web-secret-key (created once,
    readable by its owner only), so sessions survive a restart."""
    configured = settings.web_secret_key.get_secret_value()
    if configured:
        return configured
    path: Path = settings.home / KEY_FILE
    try:
        existing = path.read_text().strip()
    except FileNotFoundError:
        existing = ""
    if len(existing) >= 32:
        return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting at once agree on the key the first one wrote.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip() or key
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    return key
