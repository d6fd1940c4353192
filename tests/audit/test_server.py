"""The auditor's commands against a real Temporal server: the trail of a lifecycle driven
here matches, event for event, what was driven; replay by id and by query; export and read
the export back; every run of a continued-as-new proposal."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner

from infoshare.audit.history import fetch_runs, previous_run_id, run_id, server_sources
from infoshare.audit.replay import replay
from infoshare.audit.trail import build_trail
from infoshare.database.models import DecisionRow
from infoshare.database.session import session_scope
from tests import people
from tests.audit.conftest import ainvoke
from tests.factories import ALL_FALSE_SCREENING, LAWFUL_BASIS, SPECIAL_CONDITION, make_intake
from tests.workflows.driver import SHA, Driver
from tests.workflows.test_lifecycle import skip_to_next_review

Driven = tuple[str, str, str, str]  # via, message, actor, outcome


@pytest.fixture
def on_dev_server(dev_env: WorkflowEnvironment, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The CLI talks to the test's dev server, and compares the test home's database."""
    from infoshare.settings import get_settings

    monkeypatch.setenv(
        "INFOSHARE_TEMPORAL_ADDRESS", dev_env.client.service_client.config.target_host
    )
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


class Script:
    """Sends messages through a Driver and notes what each should leave in the trail."""

    def __init__(self, client: Any, workflow_id: str) -> None:
        self.update = Driver(client, workflow_id, via="update")
        self.signal = Driver(client, workflow_id, via="signal")
        self.driven: list[Driven] = []
        self.reasons: dict[int, str] = {}

    async def send(self, via: str, message: str, actor: str, **payload: Any) -> dict[str, Any]:
        driver = self.update if via == "update" else self.signal
        status = await driver.send(message, actor, **payload)
        self.driven.append((via, message, actor, "accepted"))
        return status

    async def refused(self, via: str, message: str, actor: str, **payload: Any) -> None:
        driver = self.update if via == "update" else self.signal
        self.reasons[len(self.driven)] = await driver.refused(message, actor, **payload)
        self.driven.append((via, message, actor, "refused"))

    async def repeat(self, message: str, actor: str, **payload: Any) -> None:
        await self.update.send(message, actor, **payload)
        self.driven.append(("update", message, actor, "unchanged"))


async def drive_a_lifecycle(script: Script) -> str:
    """Intake to `ended`, with refusals, a repeat and both kinds of message."""
    u, s = "update", "signal"
    # refused by the Update's validator (wrong state): nothing reaches the history
    await script.update.refused("isa_decision", people.INFORMATION_RIGHTS, isa_required=True)
    # refused in the handler (the sender lacks the role): recorded, and the update fails
    await script.refused(u, "submit_screening", people.DPO, answers=ALL_FALSE_SCREENING)
    await script.refused(s, "isa_decision", people.INFORMATION_RIGHTS, isa_required=True)
    await script.send(u, "submit_screening", people.CASEWORKER, answers=ALL_FALSE_SCREENING)
    await script.send(s, "screening_decision", people.DPO, dpia_required=True, reason="health")
    dpia = {"document_uri": "https://docs.example/d", "document_sha256": SHA}
    await script.send(u, "submit_dpia", people.CASEWORKER, residual_risk="low", **dpia)
    await script.repeat("submit_dpia", people.CASEWORKER, residual_risk="low", **dpia)
    await script.send(u, "dpia_decision", people.DPO, outcome="approved", reason="adequate")
    await script.send(s, "isa_decision", people.INFORMATION_RIGHTS, isa_required=True)
    await script.send(u, "propose_lawful_basis", people.CASEWORKER, **LAWFUL_BASIS)
    await script.send(
        u, "special_category_condition", people.INFORMATION_RIGHTS, **SPECIAL_CONDITION
    )
    await script.send(s, "advice", people.DPO, role="dpo", outcome="support", notes="sound")
    await script.send(
        u,
        "advice",
        people.INFORMATION_RIGHTS,
        role="information_rights",
        outcome="support",
        notes="agreed",
    )
    await script.send(u, "security_advice", people.ICT, method="SFTP with PGP", notes="regular")
    sha: str = (await script.update.signed_draft())["sha256"]
    for party, actor in (("PHSO", people.SIGNATORY_PHSO), ("LGSCO", people.SIGNATORY_LGSCO)):
        await script.send(
            u,
            "sign",
            actor,
            party=party,
            name=f"Signatory of {party}",
            job_title="Director",
            document_sha256=sha,
        )
    await script.send(s, "terminate", people.DPO, reason="purpose fulfilled")
    await script.send(u, "confirm_destruction", people.INFORMATION_RIGHTS, notes="destroyed")
    await script.update.handle.result()
    return sha


@pytest.mark.devserver
async def test_the_auditors_commands_on_a_lifecycle(
    dev_env: WorkflowEnvironment,
    dev_worker: str,
    on_dev_server: None,
    runner: CliRunner,
    tmp_path: Path,
) -> None:
    start = await Driver.start(dev_env.client, make_intake(), dev_worker)
    wid = start.workflow_id
    script = Script(dev_env.client, wid)
    sha = await drive_a_lifecycle(script)
    timeline = await script.update.timeline()

    # --- the trail, from the history alone, matches what was driven, event for event
    result = await ainvoke(runner, "audit", "trail", wid, "--format", "json")
    assert result.exit_code == 0, result.output
    trail = json.loads(result.stdout)
    assert [(m["via"], m["message"], m["actor"], m["outcome"]) for m in trail["messages"]] == (
        script.driven
    )
    for index, reason in script.reasons.items():
        assert reason in trail["messages"][index]["reason"]
    assert trail["messages"][0]["roles"] == ["dpo"]  # why it was refused
    fields = ("seq", "actor", "message", "accepted", "detail", "clauses", "state")
    assert [{k: d[k] for k in fields} for d in trail["decisions"]] == [
        {k: e[k] for k in fields} for e in timeline
    ]
    assert [datetime.fromisoformat(d["at"]) for d in trail["decisions"]] == [
        datetime.fromisoformat(e["at"]) for e in timeline
    ]
    assert [(s["party"], s["version"], s["document_sha256"]) for s in trail["signatures"]] == [
        ("PHSO", 1, sha),
        ("LGSCO", 1, sha),
    ]
    assert trail["state"] == "ended" and [r["ended"] for r in trail["runs"]] == ["completed"]
    assert trail["findings"] == []
    assert trail["database"].endswith("it agrees with the history"), trail["database"]

    # --- replay by id, and by a visibility query
    replayed = await ainvoke(runner, "audit", "replay", wid)
    assert replayed.exit_code == 0, replayed.output
    assert replayed.stdout.startswith(f"ok          {wid}  run ")
    query = f"WorkflowId = '{wid}' AND IspState = 'ended'"
    for _ in range(50):  # visibility is eventually consistent
        by_query = await ainvoke(runner, "audit", "replay", "--query", query)
        if by_query.exit_code != 2:
            break
        await asyncio.sleep(0.2)
    assert by_query.exit_code == 0, by_query.output
    assert "1 history of 1 proposal" in by_query.stderr

    # --- the export: every run's raw history and the trail; it reads back the same
    exported = await ainvoke(runner, "audit", "export", wid, str(tmp_path / "archive"))
    assert exported.exit_code == 0, exported.output
    folder = Path(exported.stdout.strip())
    assert folder == tmp_path / "archive" / wid
    names = sorted(p.name for p in folder.iterdir())
    run_file = f"run-1-{trail['runs'][0]['run_id']}.json"
    trails = ["trail.html", "trail.json", "trail.pdf", "trail.txt"]
    assert names == sorted(["SHA256SUMS", "manifest.json", run_file, *trails])
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["workflow_id"] == wid and manifest["replay"]["replays"] is True
    again = await ainvoke(runner, "audit", "replay", "--file", str(folder))
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith(f"ok          {wid}  run ")
    offline = await ainvoke(runner, "audit", "trail", "--file", str(folder), "--format", "json")
    assert offline.exit_code == 0, offline.output
    archived = json.loads(offline.stdout)
    for key in ("workflow_id", "decisions", "messages", "signatures", "runs", "state"):
        assert archived[key] == trail[key], key
    twice = await ainvoke(runner, "audit", "export", wid, str(tmp_path / "archive"))
    assert twice.exit_code == 1 and "already exists" in twice.stderr

    # --- where the decision log disagrees with the history, the trail says so
    with session_scope() as session:
        session.execute(
            update(DecisionRow)
            .where(DecisionRow.proposal_id == wid, DecisionRow.seq == 4)
            .values(accepted=True)
        )
    tampered = await ainvoke(runner, "audit", "trail", wid)
    assert tampered.exit_code == 1
    assert "decision 4: the log says accepted True, the history False" in tampered.stdout
    assert "mismatch (database): decision 4" in tampered.stderr
    skipped = await ainvoke(runner, "audit", "trail", wid, "--no-database")
    assert skipped.exit_code == 0 and "Database     not compared" in skipped.stdout


@pytest.mark.devserver
async def test_an_unknown_proposal(on_dev_server: None, runner: CliRunner) -> None:
    trail = await ainvoke(runner, "audit", "trail", "isp-nosuchthing")
    assert trail.exit_code == 2 and "no proposal 'isp-nosuchthing'" in trail.stderr
    replayed = await ainvoke(runner, "audit", "replay", "isp-nosuchthing")
    assert replayed.exit_code == 1
    assert "UNREADABLE  temporal: no proposal 'isp-nosuchthing'" in replayed.stdout
    query = await ainvoke(runner, "audit", "replay", "--query", "WorkflowId = 'isp-nosuch'")
    assert query.exit_code == 2 and "no proposal matches" in query.stderr
    bad = await ainvoke(runner, "audit", "replay", "--query", "IspState ==== 'x'")
    assert bad.exit_code == 2 and "the server refused the query" in bad.stderr


@pytest.mark.timeskipping
async def test_every_run_of_a_continued_proposal(
    time_skipping_env: WorkflowEnvironment, ts_worker: str
) -> None:
    env = time_skipping_env
    d = await Driver.start(env.client, make_intake(), ts_worker, via="signal")
    await d.to_active()
    await skip_to_next_review(env, d)
    await d.review(1)
    await skip_to_next_review(env, d)  # review 2 falls due in a new run

    runs = await fetch_runs(env.client, d.workflow_id)  # review 2 is due: the new run is up
    assert len(runs) == 2
    assert previous_run_id(runs[1]) == run_id(runs[0]) and previous_run_id(runs[0]) == ""
    trail = await build_trail(runs, env.client.data_converter)
    assert trail.findings == []
    assert [r.ended for r in trail.runs] == ["continued as new", "running"]
    assert [r.number for r in trail.reviews] == [1]
    assert trail.state == "review_due"
    assert [d.seq for d in trail.decisions] == list(range(1, len(trail.decisions) + 1))

    summary = await replay(server_sources(env.client, [d.workflow_id]))
    assert summary.ok and [r.run_id for r in summary.results] == [run_id(h) for h in runs]
