"""The whole benchmark: every section in one run, on one embedded stack."""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from infoshare.bench import lifecycle, machine
from infoshare.bench.config import BenchConfig
from infoshare.bench.memory import open_proposals
from infoshare.bench.replay_rate import replay_rate
from infoshare.bench.reviews import ten_years
from infoshare.bench.shape import shape_of
from infoshare.bench.stack import embedded_stack
from infoshare.bench.throughput import LoadResult, bare_id, run_load
from infoshare.settings import get_settings

OURS_QUEUE = "bench-ours"
PROFILE_NAME = "worker-profile.json"
BARE_QUEUE = "bench-bare"

Progress = Callable[[str], None]


class _Figures(Protocol):
    def as_json(self) -> dict[str, object]: ...


Measured = TypeVar("Measured", bound=_Figures)


async def run(config: BenchConfig, command: str, progress: Progress) -> dict[str, Any]:
    """Run every section `config` asks for; the report (also what goes into the JSON)."""
    home = config.home or Path(tempfile.mkdtemp(prefix="infoshare-bench-"))
    report: dict[str, Any] = {
        "command": command,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine.describe(),
        "config": config.as_json(),
    }
    began = time.perf_counter()
    try:
        async with embedded_stack(home) as stack:
            ours_worker = stack.start_worker(OURS_QUEUE)
            stack.start_worker(BARE_QUEUE, bare=True)
            client = await stack.client()
            plain = await stack.client(plain=True)
            settings = get_settings().model_copy(update={"task_queue": OURS_QUEUE})
            the_intake = lifecycle.intake()

            def ours(_: int) -> Any:
                return lifecycle.ours(client, settings, the_intake)

            # A first lifecycle of each warms the workers up; ours also gives the shape
            # (messages and activities) that the bare engine is then given.
            progress("warming up: one lifecycle of ours, one of bare")
            first = await ours(0)
            shape = shape_of(await client.get_workflow_handle(first.workflow_id).fetch_history())
            report["shape"] = shape.as_json()

            def bare(load: int) -> Callable[[int], Any]:
                return lambda i: lifecycle.bare_lifecycle(
                    plain, BARE_QUEUE, shape.plan, bare_id(load, i), config.bare_via
                )

            warm = await bare(0)(0)
            bare_history = await plain.get_workflow_handle(warm.workflow_id).fetch_history()
            report["bare_shape"] = shape_of(bare_history).as_json()
            ours_ids: list[str] = [first.workflow_id]
            report["loads"] = []
            spy = profiler(ours_worker.pid, config.out) if config.profile else None
            for load in config.loads:
                count = config.lifecycles_at(load)
                progress(f"load {load}: {count} lifecycles of bare, then of ours")
                bare_result = await run_load("bare", load, count, bare(load))
                ours_result = await run_load("ours", load, count, ours)
                ours_ids += ours_result.workflow_ids
                report["loads"].append(_side_by_side(load, ours_result, bare_result))
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                report["profile"] = str(config.out / PROFILE_NAME)
                await asyncio.to_thread(spy.wait, 60)

            if config.histories:
                missing = config.histories - len(ours_ids)
                if missing > 0:
                    load = max(config.loads)
                    progress(f"replay: {missing} more lifecycles for {config.histories}")
                    extra = await run_load("ours", load, missing, ours)
                    ours_ids += extra.workflow_ids
                progress(f"replay: {config.histories} histories through audit.replay")
                rate = await replay_rate(client, ours_ids[: config.histories])
                report["replay"] = rate.as_json()

            # The long sections last: one that fails is reported, the others are kept.
            if config.open:
                progress(f"memory: {config.open} open proposals waiting on people and timers")
                report["memory"] = await _section(open_proposals(stack, client, config.open))

            if config.agreements:
                progress(
                    f"reviews: {config.agreements} agreements, {config.years:g} years "
                    "on the time-skipping server"
                )
                report["reviews"] = await _section(
                    ten_years(stack, config.agreements, config.years)
                )
    finally:
        if config.home is None:
            shutil.rmtree(home, ignore_errors=True)
    report["wall_seconds"] = round(time.perf_counter() - began, 1)
    return report


async def _section(work: Coroutine[Any, Any, Measured]) -> dict[str, Any]:
    """The section's figures, or the error that stopped it."""
    try:
        return (await work).as_json()
    except Exception as err:
        # where in the benchmark it stopped: an RPC error's message does not say which call
        ours = [f for f in traceback.extract_tb(err.__traceback__) if "/bench/" in f.filename]
        where = (
            f"{Path(ours[-1].filename).name}:{ours[-1].lineno} {ours[-1].line or ''}"
            if ours
            else ""
        )
        return {"error": f"{type(err).__name__}: {err}", "at": where}


def profiler(pid: int, out: Path) -> subprocess.Popen[bytes]:
    """py-spy recording the worker's Python stacks that hold the GIL, until SIGINT."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        raise FileNotFoundError("--profile needs py-spy (pip install py-spy)")
    out.mkdir(parents=True, exist_ok=True)
    command = [spy, "record", "--pid", str(pid), "--gil", "--nonblocking", "--rate", "50"]
    command += ["--format", "speedscope", "--output", str(out / PROFILE_NAME)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _side_by_side(load: int, ours: LoadResult, bare: LoadResult) -> dict[str, Any]:
    return {
        "load": load,
        "ours": ours.as_json(),
        "bare": bare.as_json(),
        "ratio": round(ours.rate / bare.rate, 3) if bare.rate else None,
    }
