"""Every recorded history of a released version still replays against the current code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from infoshare.codec.converter import data_converter
from infoshare.codec.keys import new_keyring
from infoshare.runtime.temporal import make_replayer

CORPUS = sorted((Path(__file__).parents[1] / "histories").glob("v*/*.json"))


def load(path: Path) -> WorkflowHistory:
    data = json.loads(path.read_text())
    return WorkflowHistory.from_json(path.stem, data)


def replayer() -> Replayer:
    # The corpus was recorded before payload encryption: the codec passes it through.
    return make_replayer(data_converter(new_keyring()))


def test_the_corpus_covers_every_kind_of_history() -> None:
    names = {p.stem.rsplit("-run", 1)[0] for p in CORPUS}
    assert {
        "lifecycle-with-reviews",
        "remediation-and-refresh",
        "emergency",
        "out-of-scope",
        "no-agreement",
        "rejected-at-dpia",
        "refusals-then-withdrawal",
        # since the register-and-reminders patch
        "overdue-then-withdrawn",
        "records-released",
    } <= names
    # reviews across continue-as-new: later runs are in the corpus too
    assert any(p.stem.endswith("-run3") for p in CORPUS)


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
async def test_recorded_history_replays(path: Path) -> None:
    result = await replayer().replay_workflow(load(path), raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"


async def test_a_tampered_history_does_not_replay() -> None:
    path = next(p for p in CORPUS if p.stem == "lifecycle-with-reviews-run1")
    data = json.loads(path.read_text())
    # drop the first activity the workflow scheduled: the code will schedule it anyway
    events = data["events"]
    index = next(
        i for i, e in enumerate(events) if e["eventType"] == "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"
    )
    data["events"] = events[:index] + events[index + 1 :]
    result = await replayer().replay_workflow(
        WorkflowHistory.from_json("tampered", data), raise_on_replay_failure=False
    )
    assert result.replay_failure is not None
