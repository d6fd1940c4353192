"""`audit export`: a proposal's record for archiving (protocol 4.14 "record decision making").

DIR/WORKFLOW_ID/ holds the raw history of every run (`run-N-RUN_ID.json`, the format the
Temporal CLI and UI use, so `audit replay --file` reads it back), the trail in every format,
`manifest.json` (what was exported, when, from where, whether it replays) and `SHA256SUMS`
(`sha256sum -c SHA256SUMS` checks the files later). The folder appears whole or not at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from temporalio.client import WorkflowHistory

from infoshare.audit.history import MANIFEST, Problem, Source, run_id
from infoshare.audit.model import Trail
from infoshare.audit.render import FORMATS, render
from infoshare.audit.replay import ReplaySummary

SAFE_NAME = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
EXTENSIONS = {"text": "txt", "json": "json", "html": "html", "pdf": "pdf"}


class ExportError(Exception):
    """The export cannot be written; nothing was left behind."""


@dataclass(frozen=True)
class Exported:
    folder: Path
    files: list[str]


def run_file(number: int, history: WorkflowHistory) -> str:
    return f"run-{number}-{run_id(history)}.json"


def _folder_name(workflow_id: str) -> str:
    if not workflow_id or workflow_id.startswith(".") or set(workflow_id) - SAFE_NAME:
        raise ExportError(f"the workflow id {workflow_id!r} is not usable as a folder name")
    return workflow_id


async def as_sources(runs: Sequence[WorkflowHistory]) -> AsyncIterator[Source | Problem]:
    for i, history in enumerate(runs, start=1):
        yield Source(history, "temporal", last_of_unit=i == len(runs))


def write_export(
    directory: Path,
    runs: Sequence[WorkflowHistory],
    trail: Trail,
    replayed: ReplaySummary,
    origin: dict[str, str],
) -> Exported:
    """Write the export of one proposal under `directory`; refuses to overwrite one."""
    target = directory / _folder_name(trail.workflow_id)
    if target.exists():
        raise ExportError(f"{target} already exists: remove it, or export to another DIR")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=directory))
    except OSError as err:
        raise ExportError(f"cannot write to {directory}: {err.strerror or err}") from None
    try:
        files: dict[str, bytes] = {}
        for number, history in enumerate(runs, start=1):
            files[run_file(number, history)] = history.to_json().encode("utf-8")
        for fmt in FORMATS:
            files[f"trail.{EXTENSIONS[fmt]}"] = render(trail, fmt)
        sums = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
        manifest = {
            "workflow_id": trail.workflow_id,
            "exported_at": datetime.now(UTC).isoformat(),
            "exported_by": "infoshare audit export",
            "source": origin,
            "runs": [
                {
                    "number": number,
                    "run_id": run_id(history),
                    "file": run_file(number, history),
                    "events": len(history.events),
                }
                for number, history in enumerate(runs, start=1)
            ],
            "replay": {
                "replays": replayed.ok,
                "failures": [r.as_json() for r in replayed.failures],
            },
            "state": trail.state,
            "findings": [f.model_dump() for f in trail.findings],
            "sha256": sums,
        }
        files[MANIFEST] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
        files["SHA256SUMS"] = "".join(
            f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n" for name in sorted(files)
        ).encode()
        for name, data in files.items():
            with (staging / name).open("wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        staging.rename(target)
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise ExportError(
            f"cannot write the export to {directory}: {err.strerror or err}"
        ) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Exported(target, sorted(files))
