"""Where the database disagrees with the history, the trail says so: on SQLite and on
PostgreSQL, with the rows the real `record_step` activity writes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, update
from temporalio.client import WorkflowHistory

from activities.records import record_step
from infoshare.audit.compare import DatabaseUnavailable, check_database
from infoshare.audit.model import Trail
from infoshare.audit.replay import file_data_converter
from infoshare.audit.trail import build_trail
from infoshare.database.models import AgreementRow, DecisionRow, ProposalRow, RegisterRow
from infoshare.database.session import get_engine, session_scope
from states.types import StepRecord
from tests.audit.conftest import corpus_runs
from tests.db_fixtures import *  # noqa: F403

SCENARIO = "remediation-and-refresh"


async def recorded_steps(scenario: str = SCENARIO, folder: str = "v1") -> list[StepRecord]:
    """What the workflow handed to `record_step`, read back from the history."""
    steps = []
    for history in corpus_runs(scenario, folder):
        for event in history.events:
            attrs = event.activity_task_scheduled_event_attributes
            if event.HasField("activity_task_scheduled_event_attributes") and (
                attrs.activity_type.name == "record_step"
            ):
                (value,) = await file_data_converter().decode(list(attrs.input.payloads))
                steps.append(StepRecord.model_validate(value))
    return steps


@pytest.fixture
async def recorded(infoshare_env: object) -> Trail:
    """The database as the activities left it for the recorded proposal; its trail."""
    trail = await build_trail(corpus_runs(SCENARIO), file_data_converter())
    for step in await recorded_steps():
        record_step(step)
    with session_scope() as session:
        session.execute(
            insert(AgreementRow),
            [
                {
                    "proposal_id": trail.workflow_id,
                    "version": a.version,
                    "sha256": a.sha256,
                    "uri": a.uri,
                }
                for a in trail.agreements
            ],
        )
    return trail


def empty_trail() -> Trail:
    return Trail(
        workflow_id="isp-x", workflow_type="SharingProposal", generated_at=datetime.now(UTC)
    )


def url() -> str:
    from infoshare.settings import get_settings

    return get_settings().resolved_database_url


def test_a_faithful_database_agrees(recorded: Trail) -> None:
    check_database(recorded, url(), required=True)
    assert recorded.findings == []
    assert recorded.database.startswith("compared with ")
    assert recorded.database.endswith(": it agrees with the history")


def test_every_difference_is_a_finding(recorded: Trail) -> None:
    pid = recorded.workflow_id
    with session_scope() as session:
        session.execute(
            update(DecisionRow)
            .where(DecisionRow.proposal_id == pid, DecisionRow.seq == 5)
            .values(detail="dpia_required = False: nothing to see")
        )
        session.execute(
            delete(DecisionRow).where(DecisionRow.proposal_id == pid, DecisionRow.seq == 7)
        )
        session.execute(
            update(ProposalRow).where(ProposalRow.proposal_id == pid).values(state="ended")
        )
        session.execute(
            update(AgreementRow)
            .where(AgreementRow.proposal_id == pid, AgreementRow.version == 2)
            .values(sha256="0" * 64)
        )
    check_database(recorded, url(), required=True)
    texts = [f.text for f in recorded.findings]
    assert all(f.source == "database" and f.severity == "mismatch" for f in recorded.findings)
    assert texts == [
        "proposals.state is 'ended' but the history says 'active'",
        "the decision log lacks timeline events 7 of the history",
        "decision 5: the log says detail 'dpia_required = False: nothing to see', the history "
        f"{recorded.decisions[4].detail!r}",
        f"agreements version 2 has sha256 {'0' * 64} but the history drafted "
        f"{recorded.agreements[1].sha256}",
    ]
    assert recorded.database.endswith(": 4 differences")


async def test_a_step_still_being_recorded_is_a_note(recorded: Trail) -> None:
    """The history read while the last record_step activity runs: the rows it will
    write are not there yet, which is no mismatch."""
    runs = corpus_runs(SCENARIO)
    last = json.loads(runs[-1].to_json())
    steps = [
        e["eventId"]
        for e in last["events"]
        if e.get("activityTaskScheduledEventAttributes", {}).get("activityType", {}).get("name")
        == "record_step"
    ]
    last["events"] = [
        e
        for e in last["events"]
        if e.get("activityTaskCompletedEventAttributes", {}).get("scheduledEventId") != steps[-1]
    ]
    runs[-1] = WorkflowHistory.from_json(runs[-1].workflow_id, last)
    trail = await build_trail(runs, file_data_converter())
    assert trail.unrecorded and trail.unrecorded[-1] == trail.decisions[-1].seq
    with session_scope() as session:
        session.execute(
            delete(DecisionRow).where(
                DecisionRow.proposal_id == trail.workflow_id,
                DecisionRow.seq.in_(trail.unrecorded),
            )
        )
    check_database(trail, url(), required=True)
    assert trail.findings
    assert all(f.severity == "note" for f in trail.findings)
    assert "the workflow is still recording events" in trail.findings[0].text


async def test_the_register_is_compared_with_the_published_version(
    infoshare_env: object,
) -> None:
    # v2: the signed agreement is published and entered in the register
    trail = await build_trail(corpus_runs("records-released", "v2"), file_data_converter())
    for step in await recorded_steps("records-released", "v2"):
        record_step(step)
    (agreement,) = trail.agreements
    with session_scope() as session:
        session.execute(
            insert(AgreementRow),
            [{"proposal_id": trail.workflow_id, "version": 1, "sha256": agreement.sha256,
              "uri": agreement.uri}],
        )  # fmt: skip
    check_database(trail, url(), required=True)
    assert [f.text for f in trail.findings] == [
        "the register has no entry, but the history published version 1"
    ]
    now = datetime.now(UTC)
    with session_scope() as session:
        session.execute(
            insert(RegisterRow),
            [
                {
                    "proposal_id": trail.workflow_id, "title": "t", "parties": [],
                    "purpose": "p", "lawful_basis": "public_task",
                    "lawful_basis_justification": "j", "conditions": {},
                    "special_categories": [], "dpia_required": False, "security_method": "s",
                    "version": 1, "sha256": "f" * 64, "public_path": "/register/x/v1",
                    "html_uri": "file:///x", "signatures": [], "signed_at": now,
                    "published_at": now, "status": "ended",
                }
            ],
        )  # fmt: skip
    trail.findings.clear()
    check_database(trail, url(), required=True)
    assert [f.text for f in trail.findings] == [
        f"the register's document hash {'f' * 64} is not that of the signed version "
        f"({agreement.sha256})"
    ]
    with session_scope() as session:
        session.execute(update(RegisterRow).values(sha256=agreement.sha256))
    trail.findings.clear()
    check_database(trail, url(), required=True)
    assert trail.findings == []


def test_no_database_is_noted_or_refused(tmp_path: Path) -> None:
    trail = empty_trail()
    missing = f"sqlite:///{tmp_path}/nothing.db"
    check_database(trail, missing, required=False)
    assert trail.database == f"not compared: there is no database file {tmp_path}/nothing.db"
    with pytest.raises(DatabaseUnavailable, match="no database file"):
        check_database(trail, missing, required=True)


def test_an_unmigrated_database_is_not_compared(empty_database_url: str) -> None:
    get_engine(empty_database_url).connect().close()  # creates an empty SQLite file
    trail = empty_trail()
    check_database(trail, empty_database_url, required=False)
    assert trail.database == "not compared: it is not migrated (no proposals/decisions tables)"


@pytest.fixture(autouse=True)
def _no_leftover_engine() -> Iterator[None]:
    yield
    from infoshare.database.session import reset_engine

    reset_engine()
