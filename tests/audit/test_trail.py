"""The trail rebuilt from recorded histories alone (no server, no database)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHistory
from typer.testing import CliRunner

from infoshare.audit.replay import file_data_converter
from infoshare.audit.trail import build_trail
from tests import people
from tests.audit.conftest import corpus_file, corpus_runs, history_json, invoke


async def test_a_lifecycle_across_continue_as_new() -> None:
    trail = await build_trail(corpus_runs("lifecycle-with-reviews"), file_data_converter())

    assert trail.workflow_id.startswith("isp-")  # the id the workflow recorded
    assert [r.ended for r in trail.runs] == ["continued as new", "continued as new", "completed"]
    assert trail.runs[1].continued_from == trail.runs[0].run_id
    assert trail.state == "ended"
    assert trail.outcome == "ended: retention and destruction confirmed"
    assert trail.findings == []
    # one timeline across the runs, numbered without a gap
    assert [d.seq for d in trail.decisions] == list(range(1, len(trail.decisions) + 1))
    assert {d.where.run for d in trail.decisions} == {1, 2, 3}
    # every automatic decision names its clauses
    automatic = [d for d in trail.decisions if d.actor == "infoshare" and d.message != "state"]
    decided = {d.message: d.clauses for d in automatic}
    assert decided["scope"] and decided["dpia_required"] and decided["isa_required"]
    assert decided["agreement_signed"] == ["9.1", "4.14"]

    # every message: who, when, accepted, the roles the directory gave them
    assert all(m.outcome == "accepted" and m.via == "signal" for m in trail.messages)
    assert [m.seq for m in trail.messages] == sorted(m.seq for m in trail.messages if m.seq)
    sign = [m for m in trail.messages if m.message == "sign"]
    assert [m.roles for m in sign] == [["signatory"], ["signatory"]]

    (draft,) = trail.agreements
    assert [(s.party, s.version, s.document_sha256) for s in trail.signatures] == [
        ("PHSO", 1, draft.sha256),
        ("LGSCO", 1, draft.sha256),
    ]
    assert [(r.number, r.outcome, r.actor) for r in trail.reviews] == [
        (1, "passed", people.REVIEWER),
        (2, "passed", people.REVIEWER),
        (3, "passed", people.REVIEWER),
    ]
    assert trail.reviews[0].answers == {
        "data_received": True,
        "secure": True,
        "adequate_limited_relevant": True,
    }
    timers = [o for o in trail.other if o.kind == "timer"]
    # the review timers: each fired, but the last, canceled when the agreement ended
    outcomes = [t.detail.split(", ")[1].split(" ")[0] for t in timers]
    assert outcomes == ["fired"] * (len(timers) - 1) + ["canceled"]


async def test_refused_signals_say_why() -> None:
    trail = await build_trail(corpus_runs("refusals-then-withdrawal"), file_data_converter())
    refused = [(m.message, m.actor) for m in trail.messages if m.outcome == "refused"]
    assert refused == [
        ("isa_decision", people.INFORMATION_RIGHTS),
        ("submit_screening", people.DPO),
        ("withdraw", people.CASEWORKER),
    ]
    first = trail.messages[0]
    assert "not accepted in state screening" in first.reason
    assert first.roles is None  # refused before the directory was asked
    assert trail.state == "withdrawn"


async def test_a_review_that_needs_refreshing_and_a_second_version() -> None:
    trail = await build_trail(corpus_runs("remediation-and-refresh"), file_data_converter())
    assert [a.version for a in trail.agreements] == [1, 2]
    assert [s.version for s in trail.signatures] == [1, 1, 2, 2]
    assert trail.reviews[-1].outcome == "failed_and_needs_refresh"
    assert trail.reviews[-1].answers["needs_refresh"] is True
    assert trail.runs[-1].ended == "running"
    assert trail.state == "active"


def _rewrite_payload(payload: dict[str, Any], change: dict[str, Any]) -> None:
    body = json.loads(base64.b64decode(payload["data"]))
    body.update(change)
    payload["data"] = base64.b64encode(json.dumps(body).encode()).decode()


async def test_what_the_trail_does_not_know_is_still_shown() -> None:
    """A newer workflow's activity, and an event of a kind the trail does not read."""
    data = history_json(corpus_file("no-agreement-run1"))
    for event in data["events"]:
        attrs = event.get("activityTaskScheduledEventAttributes")
        if attrs and attrs["activityType"]["name"] == "queue_notifications":
            attrs["activityType"]["name"] = "publish_agreement"
            break
    data["events"].insert(
        5,
        {
            "eventId": "5",
            "eventTime": data["events"][4]["eventTime"],
            "eventType": "EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED",
            "workflowPropertiesModifiedEventAttributes": {"workflowTaskCompletedEventId": "4"},
        },
    )
    trail = await build_trail([WorkflowHistory.from_json("x", data)], file_data_converter())
    (published,) = [o for o in trail.other if o.name == "publish_agreement"]
    assert published.kind == "activity" and published.detail.startswith("completed")
    assert published.data["input"][0]["proposal_id"] == trail.workflow_id
    assert any(o.name == "workflow properties modified" for o in trail.other)


async def test_a_signature_for_no_drafted_version_is_a_finding() -> None:
    """A history forged so that the parties signed a document that was never drafted: the
    sign messages and the recorded timeline name another hash than the draft's."""
    runs = corpus_runs("lifecycle-with-reviews")
    drafted = (await build_trail(runs, file_data_converter())).agreements[0].sha256
    data = json.loads(runs[0].to_json())
    for event in data["events"]:
        signal = event.get("workflowExecutionSignaledEventAttributes", {})
        step = event.get("activityTaskScheduledEventAttributes", {})
        if signal.get("signalName") == "sign" or step.get("activityType", {}).get("name") == (
            "record_step"
        ):
            payload = (signal or step)["input"]["payloads"][0]
            text = base64.b64decode(payload["data"]).decode().replace(drafted, "f" * 64)
            payload["data"] = base64.b64encode(text.encode()).decode()
    forged = WorkflowHistory.from_json(runs[0].workflow_id, data)
    trail = await build_trail([forged, *runs[1:]], file_data_converter())
    texts = [f.text for f in trail.findings if f.severity == "mismatch"]
    assert texts == [
        f"{party} signed a document (sha256 {'f' * 64}) that is no drafted version of the agreement"
        for party in ("PHSO", "LGSCO")
    ]
    assert [s.version for s in trail.signatures] == [None, None]


async def test_a_forged_message_matches_nothing_recorded() -> None:
    runs = corpus_runs("refusals-then-withdrawal")
    data = json.loads(runs[0].to_json())
    for event in data["events"]:
        signal = event.get("workflowExecutionSignaledEventAttributes", {})
        if signal.get("signalName") == "withdraw":
            _rewrite_payload(signal["input"]["payloads"][0], {"actor": people.DPO})
    trail = await build_trail([WorkflowHistory.from_json("x", data)], file_data_converter())
    texts = [f.text for f in trail.findings]
    assert any(
        t.startswith("timeline event") and f"(withdraw by {people.CASEWORKER})" in t for t in texts
    ), texts


async def test_missing_earlier_runs_are_a_warning() -> None:
    runs = corpus_runs("lifecycle-with-reviews")
    trail = await build_trail(runs[1:], file_data_converter())
    assert [f.severity for f in trail.findings] == ["warning"]
    assert "misses the events of the earlier runs" in trail.findings[0].text


def test_the_trail_of_files_through_the_cli(
    runner: CliRunner, tmp_path: Path, no_database: None
) -> None:
    scenario = sorted(corpus_file("x").parent.glob("remediation-and-refresh-run*.json"))
    args = [f"--file={p}" for p in reversed(scenario)]  # any order: runs chain themselves
    result = invoke(runner, "audit", "trail", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    trail = json.loads(result.stdout)
    assert len(trail["runs"]) == 4
    assert trail["database"].startswith("not compared: there is no database file")

    mixed = invoke(runner, "audit", "trail", *args, f"--file={corpus_file('emergency-run1')}")
    assert mixed.exit_code == 2
    assert "the files hold 2 different proposals" in mixed.stderr


async def test_notifications_read_the_same_from_every_release() -> None:
    """v3 queues a step's notifications within `record_step`; v2 had an activity of its
    own for them. The trail shows the same notifications, and the same decisions, from
    both (the scenario was recorded with each release)."""
    trails = {
        folder: await build_trail(
            corpus_runs("overdue-then-withdrawn", folder), file_data_converter()
        )
        for folder in ("v2", "v3")
    }

    def notified(folder: str) -> list[tuple[str, str, str]]:
        return [
            (o.detail, o.data["kind"], o.data["state"])
            for o in trails[folder].other
            if o.kind == "notification"
        ]

    assert notified("v3") == notified("v2")
    assert {kind for _, kind, _ in notified("v3")} == {"waiting", "reminder", "escalation"}
    assert [(d.message, d.accepted) for d in trails["v3"].decisions] == [
        (d.message, d.accepted) for d in trails["v2"].decisions
    ]
    assert trails["v3"].findings == trails["v2"].findings == []
