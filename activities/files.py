"""Files the activities store: written atomically, so a retry never sees half a file."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` (creating folders); a no-op when it already holds `data`."""
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def path_of(uri: str) -> Path:
    """The local path of a ``file://`` URI; ValueError for any other kind."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        raise ValueError(f"{uri!r} is not a file:// URI")
    return Path(unquote(parsed.path))


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
