"""`infoshare bench`: ours against the bare engine on the embedded stack (`bench/`)."""

from __future__ import annotations

import asyncio
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from infoshare.cli.errors import CliError, friendly

EXIT_USAGE = 2


def _loads(value: str) -> list[int]:
    try:
        loads = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise CliError(f"--loads takes numbers separated by commas, not {value!r}", 2) from None
    if not loads or any(load < 1 for load in loads):
        raise CliError(f"--loads needs at least one number, each 1 or more: {value!r}", 2)
    return loads


@friendly
def bench(
    loads: Annotated[
        str, typer.Option(help="Lifecycles in flight at once, comma-separated.")
    ] = "1,50,200",
    proposals: Annotated[
        int, typer.Option(help="Lifecycles driven at each load (at least the load).", min=1)
    ] = 20,
    histories: Annotated[
        int, typer.Option(help="Full histories to replay for the audit rate (0: skip).", min=0)
    ] = 300,
    open_: Annotated[
        int,
        typer.Option("--open", help="Open proposals for the worker's memory (0: skip).", min=0),
    ] = 10_000,
    agreements: Annotated[
        int,
        typer.Option(help="Agreements taken through the years of reviews (0: skip).", min=0),
    ] = 1000,
    years: Annotated[float, typer.Option(help="Years of reviews.", min=0.1)] = 10.0,
    bare_via: Annotated[
        str, typer.Option(help="How the bare engine gets each message: update or signal.")
    ] = "update",
    profile: Annotated[
        bool,
        typer.Option(
            "--profile",
            help="Record our worker with py-spy during the loads (OUT/worker-profile.json).",
        ),
    ] = False,
    quick: Annotated[
        bool,
        typer.Option("--quick", help="Small sizes for CI (loads 1,3; a few of everything)."),
    ] = False,
    out: Annotated[
        Path, typer.Option(help="Where bench.json and bench.png go.", file_okay=False)
    ] = Path("bench-results"),
    home: Annotated[
        Path | None,
        typer.Option(
            help="Keep the stack's files here (default: a temporary folder).", file_okay=False
        ),
    ] = None,
) -> None:
    """Measure full lifecycles per second and message latency against a bare workflow with
    the same messages and activities, the audit replay rate, worker memory with many open
    proposals and years of reviews; print a table, write bench.json and bench.png."""
    from infoshare.bench.config import BenchConfig
    from infoshare.bench.config import quick as quick_sizes
    from infoshare.bench.report import table, write_json, write_png
    from infoshare.bench.suite import run

    if bare_via not in ("update", "signal"):
        raise CliError(f"--bare-via is update or signal, not {bare_via!r}", EXIT_USAGE)
    config = BenchConfig(
        loads=_loads(loads),
        proposals=proposals,
        histories=histories,
        open=open_,
        agreements=agreements,
        years=years,
        bare_via=bare_via,
        profile=profile,
        out=out,
        home=home.resolve() if home else None,
    )
    if quick:
        quick_sizes(config)
    command = "infoshare bench " + shlex.join(sys.argv[2:] if len(sys.argv) > 1 else [])

    def progress(line: str) -> None:
        typer.echo(f"bench: {line}", err=True)

    report = asyncio.run(run(config, command.strip(), progress))
    typer.echo(table(report))
    typer.echo(f"JSON: {write_json(report, config.out)}")
    try:
        png = write_png(report, config.out)
    except ImportError:
        typer.echo("no plot: matplotlib is not installed (pip install -e '.[bench]')", err=True)
    else:
        typer.echo(f"plot: {png}")
