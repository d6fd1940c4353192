"""The workflow fixtures' teardown replays every run of a continue-as-new chain, not only
the latest: a run in the middle that no longer replays is caught.

The chain is a recorded one (three runs of a proposal with reviews), served by a stand-in
for the server so that one run can be tampered with; the teardown's own function follows
the chain back from the latest run and replays each run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from temporalio.client import Client, WorkflowHistory

from infoshare.audit.history import run_id
from infoshare.runtime.temporal import make_replayer
from tests.conftest import replay_every_run

HISTORIES = Path(__file__).parents[1] / "histories"
CHAIN = [HISTORIES / "v3" / f"lifecycle-with-reviews-run{n}.json" for n in (1, 2, 3)]
WORKFLOW_ID = "lifecycle-with-reviews"


class Handle:
    def __init__(self, history: WorkflowHistory) -> None:
        self.history = history

    async def fetch_history(self) -> WorkflowHistory:
        return self.history


class Server:
    """What `fetch_runs` asks of a client: a handle on a run (or the latest), its history."""

    def __init__(self, runs: list[dict[str, Any]]) -> None:
        histories = [WorkflowHistory.from_json(WORKFLOW_ID, data) for data in runs]
        self.runs = {run_id(h): h for h in histories}
        self.latest = histories[-1]

    def get_workflow_handle(self, workflow_id: str, *, run_id: str | None = None) -> Handle:
        assert workflow_id == WORKFLOW_ID
        return Handle(self.runs[run_id] if run_id else self.latest)


def chain() -> list[dict[str, Any]]:
    return [json.loads(path.read_text()) for path in CHAIN]


def drop_first_activity(data: dict[str, Any]) -> dict[str, Any]:
    events = data["events"]
    index = next(
        i for i, e in enumerate(events) if e["eventType"] == "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"
    )
    return {**data, "events": events[:index] + events[index + 1 :]}


async def test_every_run_of_the_chain_is_replayed() -> None:
    server = cast(Client, Server(chain()))
    replayed, failures = await replay_every_run(server, [WORKFLOW_ID])
    assert failures == []
    assert replayed == len(CHAIN) == 3


async def test_a_tampered_run_in_the_middle_of_a_chain_is_caught() -> None:
    runs = chain()
    runs[1] = drop_first_activity(runs[1])
    middle = runs[1]["events"][0]["workflowExecutionStartedEventAttributes"][
        "originalExecutionRunId"
    ]
    # replaying only the latest run, as the teardown once did, would not see it
    latest = WorkflowHistory.from_json(WORKFLOW_ID, runs[-1])
    result = await make_replayer().replay_workflow(latest, raise_on_replay_failure=False)
    assert result.replay_failure is None

    replayed, failures = await replay_every_run(cast(Client, Server(runs)), [WORKFLOW_ID])
    assert replayed == 3
    assert len(failures) == 1, failures
    assert failures[0].startswith(f"{WORKFLOW_ID} run 2 of 3 ({middle}): ")
