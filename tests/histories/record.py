"""Record the replay corpus of a new release: `python -m tests.histories.record [--out DIR]`.

Runs each scenario on the time-skipping server with the real worker and writes every run's
history as JSON (`SCENARIO-runN.json`) into a new folder (by default the next `vN`), then
adds their lines to MANIFEST.sha256. It only ADDS histories: it refuses a folder that
already holds histories and never overwrites a file, since recorded histories are never
rewritten: they are what old proposals in production look like.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

HERE = Path(__file__).parent


class AlreadyRecorded(SystemExit):
    """The folder already holds recorded histories: record a new release elsewhere."""


def next_release_folder() -> Path:
    numbers = [int(p.name[1:]) for p in HERE.glob("v*") if p.is_dir() and p.name[1:].isdigit()]
    return HERE / f"v{max(numbers, default=0) + 1}"


def refuse_recorded(out: Path) -> None:
    existing = sorted(out.glob("*.json")) if out.is_dir() else []
    if existing:
        raise AlreadyRecorded(
            f"{out} already holds {len(existing)} recorded histories: they are never "
            "rewritten; record a new release into a new folder (--out)"
        )


def write_new(path: Path, text: str) -> None:
    """Write a recorded history; never over one already there."""
    try:
        with path.open("x") as f:
            f.write(text)
    except FileExistsError:
        raise AlreadyRecorded(f"{path} is already recorded: it is never rewritten") from None


async def main(out: Path) -> None:
    refuse_recorded(out)
    os.environ["INFOSHARE_HOME"] = tempfile.mkdtemp(prefix="infoshare-record-")
    os.environ.pop("INFOSHARE_DATABASE_URL", None)
    from infoshare.database.migrate import upgrade

    upgrade()
    from tests import people
    from tests.conftest import BIN, register_search_attributes
    from tests.factories import make_intake
    from tests.people import seed_people
    from tests.workflows.driver import Driver, describe

    seed_people()
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(BIN / "temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    await register_search_attributes(env)
    from tests.conftest import make_worker

    async def review_cycle(d: Driver, number: int, runs: list[str]) -> None:
        status = await d.status()
        due = datetime.fromisoformat(status["next_review_due"])
        now = await env.get_current_time()
        await env.sleep(max(due - now, timedelta(0)) + timedelta(hours=1))
        await d.wait_for(lambda s: s["state"] == "review_due")
        runs.append((await describe(env.client, d.workflow_id)).execution.run_id)
        await d.review(number)

    async def lifecycle_with_reviews(d: Driver, runs: list[str]) -> None:
        await d.to_active()
        for number in (1, 2, 3):
            await review_cycle(d, number, runs)
        await d.send("terminate", people.DPO, reason="purpose fulfilled")
        await d.send("confirm_destruction", people.INFORMATION_RIGHTS, notes="destroyed")

    async def refusals_then_withdrawal(d: Driver, runs: list[str]) -> None:
        await d.refused("isa_decision", people.INFORMATION_RIGHTS, isa_required=True)
        await d.refused("submit_screening", people.DPO, answers={})
        await d.refused("withdraw", people.CASEWORKER, reason={"x": 1})
        await d.screen(dpia_required=True)
        await d.send("withdraw", people.CASEWORKER, reason="no longer needed")

    async def remediation_and_refresh(d: Driver, runs: list[str]) -> None:
        await d.to_active()
        for number in (1, 2, 3):
            await review_cycle(d, number, runs)
        status = await d.status()
        due = datetime.fromisoformat(status["next_review_due"])
        await env.sleep(due - await env.get_current_time() + timedelta(hours=1))
        await d.wait_for(lambda s: s["state"] == "review_due")
        runs.append((await describe(env.client, d.workflow_id)).execution.run_id)
        await d.review(4, secure=False, needs_refresh=True)
        await d.send("remediation_complete", people.INFORMATION_RIGHTS, actions="fixed")
        await d.sign_all()

    async def no_agreement(d: Driver, runs: list[str]) -> None:
        await d.screen(dpia_required=False)
        await d.send(
            "isa_decision", people.INFORMATION_RIGHTS, isa_required=False, reason="specified in law"
        )
        await d.lawful_basis(special=False)

    async def rejected_at_dpia(d: Driver, runs: list[str]) -> None:
        await d.screen(dpia_required=True)
        await d.send(
            "submit_dpia",
            people.CASEWORKER,
            document_uri="https://d.example/1",
            document_sha256="e" * 64,
            residual_risk="high",
        )
        await d.send("dpia_decision", people.DPO, outcome="rejected", reason="too risky")

    async def overdue_then_withdrawn(d: Driver, runs: list[str]) -> None:
        # v2: reminded, then escalated, then acted on
        await d.wait_for(lambda s: bool(s["waiting_since"]))
        await env.sleep(timedelta(days=11))
        await d.wait_for(lambda s: bool(s["overdue_since"]))
        await d.screen(dpia_required=True)
        await d.send("withdraw", people.CASEWORKER, reason="no longer needed")

    async def records_released(d: Driver, runs: list[str]) -> None:
        # v2: local records kept, the agreement published, the records released
        await d.send(
            "attach_record",
            people.CASEWORKER,
            kind="email",
            uri="https://records.example/emails/1",
            sha256="c" * 64,
            description="partner's confirmation",
        )
        await d.to_active()
        await d.wait_for(lambda s: bool(s["published"]))
        await d.send("release_records", people.INFORMATION_RIGHTS, reason="registered")
        await d.send("terminate", people.DPO, reason="purpose fulfilled")
        await d.send("confirm_destruction", people.INFORMATION_RIGHTS, notes="destroyed")

    async def nothing(d: Driver, runs: list[str]) -> None:
        await d.handle.result()

    small = {
        "special_categories": [],
        "frequency": "one_off",
        "volume": 10,
        "onward_use_controls": False,
        "specified_in_law": "formal_inquiry",
    }
    scenarios: dict[
        str, tuple[dict[str, object], Callable[[Driver, list[str]], Awaitable[None]]]
    ] = {
        "lifecycle-with-reviews": ({}, lifecycle_with_reviews),
        "refusals-then-withdrawal": ({}, refusals_then_withdrawal),
        "remediation-and-refresh": ({}, remediation_and_refresh),
        "no-agreement": (small, no_agreement),
        "rejected-at-dpia": ({}, rejected_at_dpia),
        "emergency": ({"imminent_risk_of_harm": True}, nothing),
        "out-of-scope": ({"anonymised": True}, nothing),
        "overdue-then-withdrawn": ({}, overdue_then_withdrawn),
        "records-released": ({}, records_released),
    }
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    async with make_worker(env, "record"):
        for name, (overrides, drive) in scenarios.items():
            d = await Driver.start(env.client, make_intake(**overrides), "record", via="signal")
            runs: list[str] = []
            await drive(d, runs)
            last = (await describe(env.client, d.workflow_id)).execution.run_id
            for n, run_id in enumerate(dict.fromkeys([*runs, last]), start=1):
                handle = env.client.get_workflow_handle(d.workflow_id, run_id=run_id)
                history = await handle.fetch_history()
                path = out / f"{name}-run{n}.json"
                write_new(path, history.to_json())
                written.append(path)
            print(f"{name}: {n} run(s)", file=sys.stderr)
    await env.shutdown()
    if out.resolve().parent == HERE.resolve():
        from tests.histories import manifest

        manifest.add([p.resolve().relative_to(HERE.resolve()) for p in written])
        print(f"added {len(written)} lines to {manifest.NAME}", file=sys.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=next_release_folder())
    asyncio.run(main(parser.parse_args().out))
