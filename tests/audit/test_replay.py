"""`infoshare audit replay` over recorded histories: the corpus replays, a tampered
history is reported and fails the command, and a batch of several hundred runs through
with its rate printed."""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHistory
from typer.testing import CliRunner

from infoshare.audit.history import Problem, Source, load_file
from infoshare.audit.replay import replay
from tests.audit.conftest import (
    CORPUS_FILES,
    CORPUS_FOLDERS,
    corpus_file,
    history_json,
    invoke,
)


@pytest.mark.parametrize("folder", CORPUS_FOLDERS, ids=[f.name for f in CORPUS_FOLDERS])
def test_every_corpus_folder_replays_through_the_cli(
    runner: CliRunner, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a batch this size shows a progress bar rather than a line per history
    monkeypatch.setattr("infoshare.cli.audit.LIST_AT_MOST", 3)
    files = sorted(folder.glob("*.json"))
    result = invoke(runner, "audit", "replay", "--file", str(folder))
    assert result.exit_code == 0, result.output
    assert "replaying" in result.stderr
    assert f"{len(files)} histories of " in result.stderr
    assert "all replay deterministically" in result.stderr
    assert result.stdout == ""  # only mismatches are listed after a progress bar


def test_the_json_report_names_every_history(runner: CliRunner) -> None:
    scenario = sorted(
        p for p in CORPUS_FILES if "lifecycle-with-reviews" in p.name and p.parent.name == "v1"
    )
    result = invoke(runner, "audit", "replay", "--json", *(f"--file={p}" for p in scenario))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["replays"] is True
    assert [r["origin"] for r in report["results"]] == [str(p) for p in scenario]
    assert all(r["replays"] for r in report["results"])
    # three runs of one proposal (continue-as-new), counted as one proposal
    assert "3 histories of 1 proposal " in result.stderr


def _drop_first(events: list[dict[str, Any]], event_type: str) -> list[dict[str, Any]]:
    index = next(i for i, e in enumerate(events) if e["eventType"] == event_type)
    return events[:index] + events[index + 1 :]


def _forge_signal(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first signal's payload rewritten: a different message from a different sender."""
    for event in events:
        attrs = event.get("workflowExecutionSignaledEventAttributes")
        if attrs:
            payload = attrs["input"]["payloads"][0]
            body = json.loads(base64.b64decode(payload["data"]))
            body["actor"] = "mallory@phso.example"
            payload["data"] = base64.b64encode(json.dumps(body).encode()).decode()
            attrs["signalName"] = "withdraw"
            return events
    raise AssertionError("no signal in the history")


TAMPERINGS = {
    "an activity removed": lambda events: _drop_first(events, "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"),
    "a timer removed": lambda events: _drop_first(events, "EVENT_TYPE_TIMER_STARTED"),
    "a signal forged": _forge_signal,
}


@pytest.mark.parametrize("how", list(TAMPERINGS))
def test_a_tampered_history_is_reported_as_not_replaying(
    runner: CliRunner, tmp_path: Path, how: str
) -> None:
    data = history_json(corpus_file("lifecycle-with-reviews-run1"))
    data["events"] = TAMPERINGS[how](data["events"])
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(data))
    untouched = corpus_file("lifecycle-with-reviews-run2")

    result = invoke(runner, "audit", "replay", "--file", str(tampered), "--file", str(untouched))

    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("MISMATCH    tampered  run ") and str(tampered) in lines[0]
    assert lines[1].startswith("ok          lifecycle-with-reviews-run2  run ")
    assert "1 does not replay" in result.stderr


def test_unreadable_files_fail_the_replay_but_not_the_others(
    runner: CliRunner, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"events": [')
    result = invoke(
        runner,
        "audit",
        "replay",
        "--file",
        str(broken),
        "--file",
        str(corpus_file("emergency-run1")),
    )
    assert result.exit_code == 1
    assert f"UNREADABLE  {broken}: {broken} is not valid JSON" in result.stdout
    assert "ok          emergency-run1" in result.stdout


def test_a_folder_skips_json_that_is_not_a_history(runner: CliRunner, tmp_path: Path) -> None:
    shutil.copy(corpus_file("out-of-scope-run1"), tmp_path / "a.json")
    (tmp_path / "trail.json").write_text('{"workflow_id": "isp-x", "decisions": []}')
    result = invoke(runner, "audit", "replay", "--file", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "skipped 1 JSON file(s) that are not histories" in result.stderr
    assert "1 history of 1 proposal" in result.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((), "name a WORKFLOW_ID, a --query or a --file"),
        (("--file", "/nonexistent/h.json"), "no such file or folder"),
        (("--file", "{empty}"), "no history files found"),
    ],
)
def test_nothing_to_replay_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, args: tuple[str, ...], words: str
) -> None:
    args = tuple(a.replace("{empty}", str(tmp_path)) for a in args)
    result = invoke(runner, "audit", "replay", *args)
    assert result.exit_code == 2
    assert words in result.stderr


async def test_a_batch_of_several_hundred_histories(capsys: pytest.CaptureFixture[str]) -> None:
    """The corpus, re-used under new workflow ids, 300 histories in one Replayer."""
    parsed = [load_file(p) for p in CORPUS_FILES]
    count = 300

    async def batch() -> AsyncIterator[Source | Problem]:
        for i in range(count):
            original = parsed[i % len(parsed)]
            yield Source(WorkflowHistory(f"isp-batch{i:04d}", original.events), "batch")

    done: list[str] = []
    summary = await replay(batch(), on_result=lambda r: done.append(r.workflow_id))
    assert summary.ok, [r.reason for r in summary.failures][:3]
    assert done == [f"isp-batch{i:04d}" for i in range(count)]
    with capsys.disabled():
        print(f"\nbatch replay: {summary.line()}")
