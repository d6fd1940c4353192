"""`infoshare audit`: replay histories, read the decision trail, export for archiving.

Exit status: 0 all is well; 1 a history does not replay (or could not be fetched or
read), or the trail has mismatches (it is still written); 2 bad usage, no such proposal,
or nothing to replay.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from infoshare.cli.errors import CliError, friendly

if TYPE_CHECKING:
    from temporalio.client import Client, WorkflowHistory
    from temporalio.converter import DataConverter

    from infoshare.audit.model import Trail
    from infoshare.audit.replay import ReplayResult, ReplaySummary
    from infoshare.settings import Settings

audit_app = typer.Typer(
    help="For auditors: replay histories against the current code, read the decision "
    "trail rebuilt from the history alone, export both for archiving.",
    no_args_is_help=True,
)

EXIT_MISMATCH = 1
EXIT_USAGE = 2
# More units of work than this: a progress bar instead of one line per history.
LIST_AT_MOST = 20

DatabaseOption = Annotated[
    bool | None,
    typer.Option(
        "--database/--no-database",
        help="Compare the database (INFOSHARE_DATABASE_URL, else the home's SQLite file) "
        "with the history. Default: when there is one.",
    ),
]
FileOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--file",
        "-f",
        help="A history JSON file, or a folder of them (searched recursively); repeatable.",
    ),
]


async def _connect(settings: Settings) -> Client:
    from infoshare.cli.common import connect

    return await connect(settings)


def _settings() -> Settings:
    from infoshare.cli.common import load_settings

    return load_settings()


# ----- replay ------------------------------------------------------------------------------


def _result_line(result: ReplayResult) -> str:
    if result.ok:
        return f"ok          {result.workflow_id}  run {result.run_id}  {result.events} events"
    if result.unreadable:
        return f"UNREADABLE  {result.origin}: {result.reason}"
    where = "" if result.origin == "temporal" else f" ({result.origin})"
    return f"MISMATCH    {result.workflow_id}  run {result.run_id}{where}: {result.reason}"


def _quiet_workflow_logs() -> None:
    """Replaying runs the workflow code again: its state machine's INFO lines are noise."""
    import logging

    logging.getLogger("transitions").setLevel(logging.WARNING)


@audit_app.command("replay")
@friendly
def replay_command(
    workflow_ids: Annotated[
        list[str] | None,
        typer.Argument(metavar="WORKFLOW_ID", help="Proposals to fetch (every run)."),
    ] = None,
    query: Annotated[
        str | None,
        typer.Option(help="A visibility query, e.g. 'IspState=\"active\"': every match."),
    ] = None,
    files: FileOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="The results as JSON.")] = False,
    list_all: Annotated[
        bool, typer.Option("--list", help="A line per history even for a large batch.")
    ] = False,
) -> None:
    """Replay histories against the current code: does it decide the same?

    Exit 0: every history replays. Exit 1: one does not, or could not be read.
    Exit 2: bad usage, or nothing to replay.
    """
    from infoshare.audit import history
    from infoshare.audit.replay import file_data_converter, replay

    if not workflow_ids and query is None and not files:
        raise CliError("name a WORKFLOW_ID, a --query or a --file to replay", EXIT_USAGE)
    _quiet_workflow_logs()
    paths, skipped = history.history_files(files or [])
    for path in paths:
        if not path.exists():
            raise CliError(f"no such file or folder: {path}", EXIT_USAGE)
    if files and not paths and not workflow_ids and query is None:
        raise CliError("no history files found in " + ", ".join(map(str, files)), EXIT_USAGE)
    if skipped:
        typer.echo(f"skipped {len(skipped)} JSON file(s) that are not histories", err=True)

    async def run() -> ReplaySummary:
        client = None
        ids = list(workflow_ids or [])
        if ids or query is not None:
            client = await _connect(_settings())
        if query is not None and client is not None:
            try:
                matched = await history.query_workflow_ids(client, query)
            except history.NotFound as err:
                raise CliError(str(err), EXIT_USAGE) from None
            if not matched and not ids and not paths:
                raise CliError(f"no proposal matches {query!r}", EXIT_USAGE)
            ids += [i for i in matched if i not in ids]
        units = len(ids) + len(paths)
        show_bar = units > LIST_AT_MOST and not as_json and not list_all
        converter = client.data_converter if client is not None else file_data_converter()

        async def sources() -> Any:
            if client is not None and ids:
                async for item in history.server_sources(client, ids):
                    yield item
            async for item in history.file_sources(paths):
                yield item

        later: list[str] = []
        if not show_bar:

            def on_result(result: ReplayResult) -> None:
                if not as_json:
                    typer.echo(_result_line(result))

            return await replay(sources(), data_converter=converter, on_result=on_result)
        with typer.progressbar(length=units, label="replaying", file=sys.stderr) as bar:

            def on_progress(result: ReplayResult) -> None:
                if not result.ok:
                    later.append(_result_line(result))
                if result.last_of_unit:
                    bar.update(1)

            summary = await replay(sources(), data_converter=converter, on_result=on_progress)
        for line in later:
            typer.echo(line)
        return summary

    summary = asyncio.run(run())
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "replays": summary.ok,
                    "histories": len(summary.results),
                    "seconds": round(summary.seconds, 3),
                    "rate": round(summary.rate, 2),
                    "results": [r.as_json() for r in summary.results],
                },
                indent=2,
            )
        )
    typer.echo(summary.line(), err=True)
    if not summary.results:
        raise CliError("nothing to replay", EXIT_USAGE)
    if not summary.ok:
        raise typer.Exit(EXIT_MISMATCH)


# ----- trail and export ---------------------------------------------------------------------


async def _runs_from_server(
    settings: Settings, workflow_id: str
) -> tuple[list[WorkflowHistory], DataConverter]:
    from infoshare.audit.history import NotFound, fetch_runs

    client = await _connect(settings)
    try:
        return await fetch_runs(client, workflow_id), client.data_converter
    except NotFound as err:
        raise CliError(str(err), EXIT_USAGE) from None


def _runs_from_files(
    files: list[Path], workflow_id: str | None
) -> tuple[list[WorkflowHistory], str | None]:
    """The runs of one proposal from files, and its workflow id where known (the argument,
    or an export's manifest; else the trail takes the id the workflow recorded)."""
    from infoshare.audit import history

    paths, _ = history.history_files(files)
    loaded: list[WorkflowHistory] = []
    for path in paths:
        try:
            loaded.append(history.load_file(path))
        except history.HistoryFileError as err:
            raise CliError(str(err)) from None
    groups = history.group_runs(loaded)
    if not groups:
        raise CliError("no history files found in " + ", ".join(map(str, files)), EXIT_USAGE)
    if len(groups) > 1:
        raise CliError(
            f"the files hold {len(groups)} different proposals; give the runs of one",
            EXIT_USAGE,
        )
    known = workflow_id or next(filter(None, map(history.manifest_workflow_id, paths)), None)
    return groups[0], known


async def _trail(
    runs: list[WorkflowHistory],
    workflow_id: str | None,
    converter: DataConverter,
    settings: Settings,
    database: bool | None,
) -> Trail:
    from infoshare.audit.compare import DatabaseUnavailable, check_database
    from infoshare.audit.trail import build_trail

    trail = await build_trail(runs, converter, workflow_id)
    if database is not False:
        try:
            check_database(trail, settings.resolved_database_url, required=bool(database))
        except DatabaseUnavailable as err:
            raise CliError(f"cannot compare the database: {err}") from None
    return trail


def _report_findings(trail: Trail) -> bool:
    """Tell stderr about mismatches; whether there are any."""
    mismatches = [f for f in trail.findings if f.severity == "mismatch"]
    for finding in mismatches:
        typer.echo(f"mismatch ({finding.source}): {finding.text}", err=True)
    return bool(mismatches)


@audit_app.command("trail")
@friendly
def trail_command(
    workflow_id: Annotated[
        str | None,
        typer.Argument(help="The proposal (isp-...); with --file, names the files' proposal."),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="text, json, html or pdf.", case_sensitive=False)
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    files: FileOption = None,
    database: DatabaseOption = None,
) -> None:
    """The decision trail, rebuilt from the history alone.

    Every message with its sender, time and outcome; every automatic decision
    with its clauses; every signature with the document hash; every review with
    its answers. Where the database disagrees with the history, it says so.

    Exit 1: the trail has mismatches (it is still written).
    Exit 2: no such proposal.
    """
    from infoshare.audit.render import FORMATS, render
    from infoshare.audit.replay import file_data_converter

    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise CliError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}", EXIT_USAGE)
    if workflow_id is None and not files:
        raise CliError("name a WORKFLOW_ID, or --file with its histories", EXIT_USAGE)
    if fmt == "pdf" and output is None and sys.stdout.isatty():
        raise CliError("a PDF is binary: use --output FILE, or redirect stdout", EXIT_USAGE)
    settings = _settings()

    async def build() -> Trail:
        if files:
            runs, known = _runs_from_files(files, workflow_id)
            converter = file_data_converter()
        else:
            assert workflow_id is not None
            runs, converter = await _runs_from_server(settings, workflow_id)
            known = workflow_id
        return await _trail(runs, known, converter, settings, database)

    trail = asyncio.run(build())
    data = render(trail, fmt)
    if output is not None:
        try:
            output.write_bytes(data)
        except OSError as err:
            raise CliError(f"cannot write {output}: {err.strerror or err}") from None
        typer.echo(f"wrote {output}", err=True)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    if _report_findings(trail):
        raise typer.Exit(EXIT_MISMATCH)


@audit_app.command("export")
@friendly
def export_command(
    workflow_id: Annotated[str, typer.Argument(help="The proposal (isp-...).")],
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="Writes DIR/WORKFLOW_ID/.", file_okay=False)
    ],
    database: DatabaseOption = None,
) -> None:
    """Export the raw history of every run and the trail, for archiving.

    Writes DIR/WORKFLOW_ID/ and prints its path. Exit 1: a run does not replay,
    or the trail has mismatches (the export is still written).
    Exit 2: no such proposal.
    """
    from infoshare.audit.export import ExportError, as_sources, write_export
    from infoshare.audit.replay import replay

    settings = _settings()
    _quiet_workflow_logs()

    async def build() -> tuple[list[WorkflowHistory], Trail, ReplaySummary]:
        runs, converter = await _runs_from_server(settings, workflow_id)
        trail = await _trail(runs, workflow_id, converter, settings, database)
        replayed = await replay(as_sources(runs), data_converter=converter)
        return runs, trail, replayed

    runs, trail, replayed = asyncio.run(build())
    origin = {
        "temporal_address": settings.temporal_address,
        "namespace": settings.temporal_namespace,
    }
    try:
        exported = write_export(directory, runs, trail, replayed, origin)
    except ExportError as err:
        raise CliError(str(err)) from None
    typer.echo(
        f"exported {len(runs)} run(s) of {workflow_id} and its trail: {len(exported.files)} files",
        err=True,
    )
    typer.echo(str(exported.folder))
    failed = not replayed.ok
    for result in replayed.failures:
        typer.echo(_result_line(result), err=True)
    if _report_findings(trail) or failed:
        raise typer.Exit(EXIT_MISMATCH)
