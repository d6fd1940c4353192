"""The manifest of the recorded histories: `MANIFEST.sha256` beside this file, one line per
history file (`sha256sum` format, paths relative to this folder).

Recorded histories are never rewritten: they are what proposals started by that release
look like in production, and the current code must replay them as they were. A new
release records into a new folder and adds new lines; no line is ever changed or removed.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

HERE = Path(__file__).parent
NAME = "MANIFEST.sha256"
NEVER_REWRITTEN = (
    "recorded histories are never rewritten: a new release adds a new folder and new "
    f"lines to {NAME}; no line is changed or removed"
)


def recorded_files(folder: Path = HERE) -> list[Path]:
    """Every history file of every release's folder, relative to `folder`."""
    return sorted(p.relative_to(folder) for p in folder.glob("*/*.json"))


def digest(path: Path, folder: Path = HERE) -> str:
    return hashlib.sha256((folder / path).read_bytes()).hexdigest()


def read_manifest(folder: Path = HERE) -> list[tuple[str, str]]:
    """(sha256, path) of every line, in order."""
    entries = []
    for number, text in enumerate((folder / NAME).read_text().splitlines(), start=1):
        if not text.strip() or text.startswith("#"):
            continue
        sha, sep, path = text.partition("  ")
        if not sep or len(sha) != 64:
            raise ValueError(f"{NAME}:{number}: not `SHA256  PATH`: {text!r}")
        entries.append((sha, path))
    return entries


def problems(folder: Path = HERE) -> list[str]:
    """What differs between the history files in `folder` and its manifest."""
    entries = read_manifest(folder)
    named = [path for _, path in entries]
    on_disk = {p.as_posix() for p in recorded_files(folder)}
    found = []
    twice = sorted(path for path, n in Counter(named).items() if n > 1)
    if twice:
        found.append(f"named more than once in {NAME}: {', '.join(twice)}")
    missing = sorted(set(named) - on_disk)
    if missing:
        found.append(f"recorded histories missing: {', '.join(missing)}")
    unlisted = sorted(on_disk - set(named))
    if unlisted:
        found.append(f"history files without a line in {NAME}: {', '.join(unlisted)}")
    changed = sorted(
        path for sha, path in entries if path in on_disk and digest(Path(path), folder) != sha
    )
    if changed:
        found.append(f"recorded histories changed since they were recorded: {', '.join(changed)}")
    return found


def add(paths: list[Path], folder: Path = HERE) -> None:
    """Append the lines of newly recorded files (`paths` relative to `folder`); never
    rewrites a line."""
    with (folder / NAME).open("a") as manifest:
        for path in paths:
            manifest.write(f"{digest(path, folder)}  {path.as_posix()}\n")
