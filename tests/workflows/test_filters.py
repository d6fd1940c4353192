"""The filters docs/approvers.md gives approvers to paste into the Temporal UI's search box
(`IspAwaiting`, `IspState`, `IspPartners`, `IspNextReview`, `IspCaseworker`) return the
right proposals on the dev server, through the same visibility query the UI runs."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from infoshare.codec.pseudonym import caseworker_ref
from tests import people
from tests.factories import ALL_FALSE_SCREENING, make_intake
from tests.workflows.driver import Driver

pytestmark = pytest.mark.devserver

APPROVERS_DOC = (Path(__file__).resolve().parents[2] / "docs" / "approvers.md").read_text()
CQC = [{"name": "CQC", "kind": "public_body", "location": "england"}]


def utc(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def matching(client: Client, query: str, want: set[str], timeout: float = 15.0) -> None:
    """`query` lists exactly `want`, once the visibility store has caught up."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = {w.id async for w in client.list_workflows(query)}
        if found == want:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{query!r} lists {sorted(found)}, want {sorted(want)}")
        await asyncio.sleep(0.2)


async def test_the_documented_filters(dev_env: WorkflowEnvironment, dev_worker: str) -> None:
    client = dev_env.client
    # waits for the DPO (screening answered), shared with LGSCO
    for_dpo = await Driver.start(client, make_intake(), dev_worker)
    await for_dpo.send("submit_screening", people.CASEWORKER, answers=ALL_FALSE_SCREENING)
    # waits for the caseworker, shared with the CQC
    for_caseworker = await Driver.start(client, make_intake(recipients=CQC), dev_worker)
    # active, with LGSCO: its first review falls due in a month
    active = await Driver.start(client, make_intake(), dev_worker)
    status = await active.to_active()
    review = datetime.fromisoformat(status["next_review_due"])
    assert timedelta(days=27) < review - datetime.now(UTC) < timedelta(days=32)

    # Only this test's proposals: the dev server is shared by the session.
    mine = f' AND TaskQueue = "{dev_worker}"'
    everyone = {for_dpo.workflow_id, for_caseworker.workflow_id, active.workflow_id}
    now = datetime.now(UTC)
    filters: dict[str, set[str]] = {
        'IspAwaiting = "dpo"': {for_dpo.workflow_id},
        'IspAwaiting = "caseworker"': {for_caseworker.workflow_id},
        'IspAwaiting IN ("dpo", "information_rights")': {for_dpo.workflow_id},
        'IspAwaiting = "signatory"': set(),
        'IspState = "screening"': {for_dpo.workflow_id, for_caseworker.workflow_id},
        'IspState = "active"': {active.workflow_id},
        'IspPartners = "LGSCO"': {for_dpo.workflow_id, active.workflow_id},
        'IspPartners = "CQC"': {for_caseworker.workflow_id},
        f'IspCaseworker = "{caseworker_ref(people.CASEWORKER)}"': everyone,
        f'IspCaseworker = "{people.CASEWORKER}"': set(),  # never the address itself
        # nothing here is overdue (tests/workflows/test_overdue.py sets it); the server
        # takes the documented filter
        "IspOverdueSince IS NOT NULL": set(),
        f'IspNextReview BETWEEN "{utc(now)}" AND "{utc(now + timedelta(days=40))}"': {
            active.workflow_id
        },
        f'IspNextReview < "{utc(now + timedelta(days=7))}"': set(),
        'ExecutionStatus = "Running" AND IspState != "active"': {
            for_dpo.workflow_id,
            for_caseworker.workflow_id,
        },
    }
    for query, want in filters.items():
        await matching(client, query + mine, want)

    # docs/approvers.md gives each of these filters (its dates are examples).
    for shape in (
        'IspAwaiting = "dpo"',
        'IspAwaiting IN ("dpo", "information_rights")',
        'IspState = "active"',
        'IspPartners = "LGSCO"',
        'IspCaseworker = "cw-',
        "infoshare codec pseudonym casey@phso.example",
        "IspOverdueSince IS NOT NULL",
        "IspNextReview BETWEEN ",
        "IspNextReview < ",
        'ExecutionStatus = "Running" AND IspState != "active"',
    ):
        assert shape in APPROVERS_DOC, f"the filters of docs/approvers.md lack {shape!r}"
