"""The current details the Temporal UI shows (workflows/details.py): they match the
`status` query after every step, and each example payload in them is accepted as pasted
(with the approver's own email as `actor`).

The first tests drive a bare `Proposal`; the last drives the real workflow on the
time-skipping server and reads the details the way the UI does, from the worker.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from states.proposal import Proposal
from states.types import AgreementDraft, Person
from tests import people
from tests.current_details import (
    ACTING,
    details_matching,
    example,
    examples,
    mismatches,
    next_step,
)
from tests.factories import low_risk_intake, make_intake
from tests.workflows.driver import Driver
from workflows.details import YOUR_EMAIL, current_details

T0 = datetime(2026, 1, 1, tzinfo=UTC)
PERSONS: dict[str, Person] = {
    email: Person(email=email, roles=roles, organisation=organisation)
    for email, roles, organisation in people.PEOPLE
}


class Pasting:
    """A bare proposal driven by pasting the examples of its own current details."""

    def __init__(self, proposal: Proposal) -> None:
        self.p = proposal
        self.now = T0
        self.states: list[str] = [proposal.state]
        self.check()

    def check(self) -> str:
        details = current_details(self.p)
        assert mismatches(details, self.p.status()) == [], details
        assert current_details(self.p) == details  # a pure function: same text each time
        return details

    def send(self, message: str, actor: str, payload: dict[str, Any]) -> None:
        self.now += timedelta(minutes=5)
        assert self.p.apply(message, payload, PERSONS[actor], self.now)
        if (request := self.p.agreement_request()) is not None:
            sha = hashlib.sha256(f"v{request.version}".encode()).hexdigest()
            draft = AgreementDraft(version=request.version, sha256=sha, uri="https://d.example")
            self.p.agreement_drafted(draft, self.now)
        self.states.append(self.p.state)
        self.check()

    def step(self) -> None:
        self.send(*next_step(self.p.status(), self.check()))

    def paste(self, message: str, actor: str) -> None:
        self.send(message, actor, example(self.check(), message, actor))

    def until(self, state: str) -> None:
        while self.p.state != state:
            self.step()


def test_full_lifecycle_by_pasting_the_examples() -> None:
    walk = Pasting(Proposal.start("isp-details", make_intake(), T0))
    walk.until("active")
    assert walk.states == [
        "screening",
        "screening",
        "dpia",
        "dpia",
        "isa_decision",
        "lawful_basis",
        "lawful_basis",
        "lawful_basis",
        "lawful_basis",
        "security_method",
        "signing",
        "signing",
        "active",
    ]
    assert walk.p.data.next_review_due is not None
    walk.p.review_falls_due(walk.p.data.next_review_due)
    walk.check()
    walk.until("active")
    assert walk.p.data.review_number == 1
    walk.paste("suspend", people.INFORMATION_RIGHTS)
    assert walk.p.state == "suspended"
    walk.until("active")  # resume
    walk.paste("terminate", people.DPO)
    assert walk.p.state == "closing"
    walk.until("ended")
    assert "no message is accepted" in walk.check()
    assert examples(walk.check()) == {}


def test_no_agreement_needed() -> None:
    walk = Pasting(Proposal.start("isp-low", low_risk_intake(), T0))
    walk.until("approved_without_agreement")
    assert "**Outcome:** approved without an agreement" in walk.check()


@pytest.mark.parametrize(
    ("intake", "state"),
    [
        (make_intake(imminent_risk_of_harm=True), "emergency_referred"),
        (make_intake(anonymised=True), "out_of_scope"),
    ],
)
def test_ended_at_scoping(intake: Any, state: str) -> None:
    p = Proposal.start("isp-scoped", intake, T0)
    assert p.state == state
    details = current_details(p)
    assert mismatches(details, p.status()) == []
    assert "### What the rules found" in details and "`scope`" in details


def test_who_may_act() -> None:
    walk = Pasting(Proposal.start("isp-who", make_intake(), T0))
    details = walk.check()
    # the caseworker's own step names them; the DPO's says who may not act
    assert (
        f"**caseworker**: `submit_screening` (the proposing caseworker is {people.CASEWORKER})"
    ) in details
    assert examples(details)["submit_screening"]["actor"] == people.CASEWORKER
    walk.step()
    details = walk.check()
    assert (
        f"**dpo**: `screening_decision` (anyone with the role but {people.CASEWORKER}, "
        "who proposed it: segregation of duties)"
    ) in details
    # the example takes the rules' recommendation, and says what it rests on
    assert examples(details)["screening_decision"]["dpia_required"] is True
    assert "The rules recommend `dpia_required` = `true`: 6.4 special category data" in details
    walk.until("lawful_basis")
    walk.step()  # propose_lawful_basis
    walk.step()  # the DPO advises first
    details = walk.check()
    assert f"advice already given by dpo ({people.DPO})" in details
    assert examples(details)["advice"]["role"] == "information_rights"


def test_signing_names_the_draft_and_the_parties_still_to_sign() -> None:
    walk = Pasting(Proposal.start("isp-sign", make_intake(), T0))
    walk.until("signing")
    agreement = walk.p.status()["agreement"]
    details = walk.check()
    assert "a signatory of each party still to sign: PHSO, LGSCO" in details
    assert examples(details)["sign"]["document_sha256"] == agreement["sha256"]
    walk.step()
    details = walk.check()
    assert "still to sign: LGSCO" in details
    assert examples(details)["sign"]["party"] == "LGSCO"
    assert "signed by PHSO (A Signatory, director@phso.example)" in details
    # withdraw is offered before the agreement is in force
    assert "withdraw" in examples(details)


def test_examples_carry_a_placeholder_sender_an_approver_replaces() -> None:
    walk = Pasting(Proposal.start("isp-actor", make_intake(), T0))
    walk.until("dpia")
    walk.step()
    details = walk.check()
    assert examples(details)["dpia_decision"]["actor"] == YOUR_EMAIL
    assert f"in place of {YOUR_EMAIL}" in details


@pytest.mark.timeskipping
async def test_details_match_status_after_every_step_of_a_full_lifecycle(
    time_skipping_env: WorkflowEnvironment, ts_worker: str
) -> None:
    """The real workflow: after each message (pasted from the details the worker serves,
    as the UI does), the details match the `status` query; reviews and the end too."""
    env = time_skipping_env
    d = await Driver.start(env.client, make_intake(), ts_worker, via="signal")
    client, wid = env.client, d.workflow_id

    async def settled() -> tuple[dict[str, Any], str]:
        # the status first, when nothing is left to do (a draft being written)
        status = await d.wait_for(lambda s: s["state"] != "signing" or bool(s["awaiting"]))
        return status, await details_matching(client, wid, status)

    async def send(message: str, actor: str, payload: dict[str, Any]) -> None:
        await d.send(message, actor, **{k: v for k, v in payload.items() if k != "actor"})

    states = []
    status, details = await settled()
    while status["state"] != "active":
        await send(*next_step(status, details))
        status, details = await settled()
        states.append(status["state"])
    assert states[-3:] == ["signing", "signing", "active"]

    due = datetime.fromisoformat(status["next_review_due"])
    await env.sleep(due - await env.get_current_time() + timedelta(hours=1))
    status = await d.wait_for(lambda s: s["state"] == "review_due")
    details = await details_matching(client, wid, status)
    await send(*next_step(status, details))
    status, details = await settled()
    assert (status["state"], status["review_number"]) == ("active", 1)

    actor = ACTING["information_rights"]
    await send("terminate", actor, example(details, "terminate", actor))
    status, details = await settled()
    assert status["state"] == "closing"
    await send(*next_step(status, details))
    status = await d.wait_for(lambda s: s["state"] == "ended")
    details = await details_matching(client, wid, status)
    assert "no message is accepted" in details
