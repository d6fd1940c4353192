"""Where histories come from: the Temporal server (every run of a proposal) or JSON files.

A history file is what `temporal workflow show --output json`, the Temporal UI's download
or `infoshare audit export` writes: `{"events": [...]}`. A file names no workflow id; an
export's `manifest.json` does, otherwise the file's name stands in for it.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path

from google.protobuf.json_format import ParseError
from temporalio.client import Client, WorkflowHistory
from temporalio.service import RPCError, RPCStatusCode

WORKFLOW_TYPE = "SharingProposal"
MANIFEST = "manifest.json"


class NotFound(Exception):
    """No proposal with that workflow id (or none matches the query)."""


class HistoryFileError(Exception):
    """A file that cannot be read as a workflow history; the text says why."""


@dataclass(frozen=True)
class Problem:
    """A history that could not be fetched or read, and why."""

    origin: str
    message: str
    workflow_id: str = ""


@dataclass(frozen=True)
class Source:
    """One history to replay or read, and where it came from (for the report)."""

    history: WorkflowHistory
    origin: str  # "temporal" or the file's path
    # the last history of its unit of work (a file, or the latest run of a proposal)
    last_of_unit: bool = True


def run_id(history: WorkflowHistory) -> str:
    return history.events[0].workflow_execution_started_event_attributes.original_execution_run_id


def first_run_id(history: WorkflowHistory) -> str:
    attrs = history.events[0].workflow_execution_started_event_attributes
    return attrs.first_execution_run_id or attrs.original_execution_run_id


def previous_run_id(history: WorkflowHistory) -> str:
    """The run this one continued (continue-as-new), or ""."""
    return history.events[0].workflow_execution_started_event_attributes.continued_execution_run_id


# ----- from the server ---------------------------------------------------------------------


async def fetch_runs(client: Client, workflow_id: str) -> list[WorkflowHistory]:
    """Every run of a proposal, first to latest.

    Follows the continue-as-new chain back from the latest run (each run's first event
    names the run it continued), so the runs are exactly this proposal's, in order, even
    where the server's visibility store lags or lists an older execution that reused the id.
    """
    runs: list[WorkflowHistory] = []
    seen: set[str] = set()
    wanted: str | None = None  # None: the latest run
    while True:
        handle = client.get_workflow_handle(workflow_id, run_id=wanted)
        try:
            history = await handle.fetch_history()
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            if wanted is None:
                raise NotFound(f"no proposal {workflow_id!r} on the server") from None
            raise NotFound(
                f"run {wanted} of {workflow_id} is no longer on the server (past the "
                "namespace's retention?): the trail would miss its events"
            ) from None
        if not history.events:
            raise NotFound(f"the history of {workflow_id} is empty")
        runs.append(history)
        seen.add(run_id(history))
        wanted = previous_run_id(history) or None
        if wanted is None or wanted in seen:
            return runs[::-1]


async def server_sources(
    client: Client, workflow_ids: Iterable[str], ahead: int = 4
) -> AsyncIterator[Source | Problem]:
    """Every run of each proposal, fetching up to `ahead` proposals in advance."""
    ids = iter(workflow_ids)
    fetching: deque[tuple[str, asyncio.Task[list[WorkflowHistory]]]] = deque()

    def fetch_next() -> None:
        workflow_id = next(ids, None)
        if workflow_id is not None:
            fetching.append((workflow_id, asyncio.create_task(fetch_runs(client, workflow_id))))

    for _ in range(ahead):
        fetch_next()
    try:
        while fetching:
            workflow_id, task = fetching.popleft()
            try:
                runs = await task
            except NotFound as err:
                yield Problem("temporal", str(err), workflow_id)
                continue
            finally:
                fetch_next()
            for i, history in enumerate(runs, start=1):
                yield Source(history, "temporal", last_of_unit=i == len(runs))
    finally:
        for _, task in fetching:
            task.cancel()


async def query_workflow_ids(client: Client, query: str) -> list[str]:
    """The ids of the proposals a visibility query matches, each once, newest first."""
    full = f"WorkflowType = '{WORKFLOW_TYPE}' AND ({query})"
    ids: dict[str, None] = {}
    try:
        async for execution in client.list_workflows(full):
            ids.setdefault(execution.id, None)
    except RPCError as err:
        if err.status in (RPCStatusCode.INVALID_ARGUMENT, RPCStatusCode.UNIMPLEMENTED):
            raise NotFound(f"the server refused the query {query!r}: {err.message}") from None
        raise
    return list(ids)


# ----- from files --------------------------------------------------------------------------


def _manifest_ids(folder: Path) -> dict[str, str]:
    """file name -> workflow id, from an export's manifest, if there is one."""
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(run["file"]): str(data["workflow_id"]) for run in data["runs"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def manifest_workflow_id(path: Path) -> str | None:
    """The workflow id an export's manifest gives the history file `path`, if any."""
    return _manifest_ids(path.parent).get(path.name)


def parse_history(text: str, workflow_id: str, name: str) -> WorkflowHistory:
    """A history from its JSON text; HistoryFileError saying what is wrong."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise HistoryFileError(
            f"{name} is not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise HistoryFileError(f'{name} is not a workflow history (no "events" list)')
    if not data["events"]:
        raise HistoryFileError(f"{name} has no events")
    try:
        history = WorkflowHistory.from_json(workflow_id, data)
    except (ParseError, ValueError, TypeError) as err:
        raise HistoryFileError(f"{name} is not a valid workflow history: {err}") from None
    if not history.events[0].HasField("workflow_execution_started_event_attributes"):
        raise HistoryFileError(f"{name} does not begin with the workflow's start")
    return history


def load_file(path: Path) -> WorkflowHistory:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise HistoryFileError(f"cannot read {path}: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise HistoryFileError(f"{path} is not UTF-8 text") from None
    workflow_id = manifest_workflow_id(path) or path.stem
    return parse_history(text, workflow_id, str(path))


def _looks_like_history(path: Path) -> bool:
    """Cheap check before parsing: a history file starts with its events."""
    if path.name == MANIFEST:
        return False
    try:
        with path.open("rb") as f:
            head = f.read(200)
    except OSError:
        return True  # let load_file say what is wrong
    return b'"events"' in head


def history_files(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """The history files among `paths` (files, or folders searched recursively), and the
    JSON files of those folders that are not histories (an export's trail, say)."""
    files: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*.json")):
                (files if _looks_like_history(candidate) else skipped).append(candidate)
        else:
            files.append(path)  # named explicitly: it must be a history
    return files, skipped


async def file_sources(files: Iterable[Path]) -> AsyncIterator[Source | Problem]:
    for path in files:
        try:
            history = load_file(path)
        except HistoryFileError as err:
            yield Problem(str(path), str(err))
            continue
        yield Source(history, str(path))


def group_runs(histories: Iterable[WorkflowHistory]) -> list[list[WorkflowHistory]]:
    """Histories grouped by proposal (first run id), each group ordered first run to last."""
    groups: dict[str, list[WorkflowHistory]] = {}
    for history in histories:
        groups.setdefault(first_run_id(history), []).append(history)
    return [order_chain(group) for group in groups.values()]


def order_chain(runs: list[WorkflowHistory]) -> list[WorkflowHistory]:
    """Runs of one proposal in continue-as-new order (unknown links keep their place)."""
    by_previous = {previous_run_id(h): h for h in runs}
    ids = {run_id(h) for h in runs}
    heads = [h for h in runs if previous_run_id(h) not in ids]
    ordered: list[WorkflowHistory] = []
    for head in heads:
        current: WorkflowHistory | None = head
        while current is not None and current not in ordered:
            ordered.append(current)
            current = by_previous.get(run_id(current))
    return ordered + [h for h in runs if h not in ordered]
