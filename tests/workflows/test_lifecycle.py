"""The protocol end to end on the time-skipping server, driven with signals (under time
skipping, waiting on an update's result does not skip time)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from states import rules
from tests import people
from tests.factories import make_intake
from tests.workflows.driver import Driver, describe

pytestmark = pytest.mark.timeskipping


async def start(env: WorkflowEnvironment, queue: str, **intake: Any) -> Driver:
    return await Driver.start(env.client, make_intake(**intake), queue, via="signal")


async def skip_to_next_review(env: WorkflowEnvironment, d: Driver) -> dict[str, Any]:
    """Let time pass until the next review falls due; returns the status then."""
    status = await d.status()
    due = datetime.fromisoformat(status["next_review_due"])
    now = await env.get_current_time()  # the test server's clock: on no run
    await env.sleep(max(due - now, timedelta(0)) + timedelta(hours=1))
    return await d.wait_for(lambda s: s["state"] == "review_due")


async def test_ten_years_of_reviews(time_skipping_env: WorkflowEnvironment, ts_worker: str) -> None:
    env = time_skipping_env
    d = await start(env, ts_worker)
    status = await d.to_active()
    signed_at = datetime.fromisoformat(status["agreement"]["signed_by"][-1]["at"])
    assert status["next_review_due"] == rules.review_due_at(signed_at, 1).isoformat()
    first_run = (await describe(d.client, d.workflow_id)).execution.run_id

    history_lengths = []
    for number in range(1, 14):  # 1, 3, 6, 12 months, then yearly to ten years
        status = await skip_to_next_review(env, d)
        assert status["awaiting"] == [
            {"message": "submit_review", "roles": ["reviewer"], "review_number": number}
        ]
        status = await d.review(number)
        assert status["state"] == "active"
        assert status["review_number"] == number
        assert status["next_review_due"] == rules.review_due_at(signed_at, number + 1).isoformat()
        history_lengths.append((await describe(d.client, d.workflow_id)).history_length)

    assert rules.review_due_at(signed_at, 13) >= signed_at + timedelta(days=365 * 10)
    # continue-as-new after each review keeps every run's history short
    assert (await describe(d.client, d.workflow_id)).execution.run_id != first_run
    # history_lengths[0] is the run that also holds the whole approval; every later run
    # holds one review period only
    assert max(history_lengths[1:]) < 60, history_lengths
    reviews = [e for e in await d.timeline() if e["message"] == "submit_review"]
    assert [e["accepted"] for e in reviews] == [True] * 13


async def test_failed_review_goes_to_remediation_and_back(
    time_skipping_env: WorkflowEnvironment, ts_worker: str
) -> None:
    d = await start(time_skipping_env, ts_worker)
    await d.to_active()
    await skip_to_next_review(time_skipping_env, d)
    status = await d.review(1, secure=False)
    assert status["state"] == "remediation"
    assert status["awaiting"][0]["message"] == "remediation_complete"
    outcome = next(r for r in status["recommendations"] if r["decision"] == "review")
    assert outcome["value"] == "failed" and "10.1" in outcome["clauses"]
    status = await d.send("suspend", people.INFORMATION_RIGHTS, reason="pending fix")
    assert status["state"] == "suspended"
    status = await d.send("resume", people.DPO, reason="fix under way")
    assert status["state"] == "remediation", "resume returns to remediation, not past it"
    status = await d.send(
        "remediation_complete", people.INFORMATION_RIGHTS, actions="encryption at rest enabled"
    )
    assert status["state"] == "active"
    # the schedule goes on: review 2 is next
    await skip_to_next_review(time_skipping_env, d)
    assert (await d.review(2))["review_number"] == 2


async def test_needs_refresh_goes_back_to_signing(
    time_skipping_env: WorkflowEnvironment, ts_worker: str
) -> None:
    d = await start(time_skipping_env, ts_worker)
    first = (await d.to_active())["agreement"]
    for number in (1, 2, 3):
        await skip_to_next_review(time_skipping_env, d)
        await d.review(number)
    await skip_to_next_review(time_skipping_env, d)
    status = await d.review(4, needs_refresh=True)
    assert status["state"] == "signing"
    second = await d.signed_draft()
    assert second["version"] == first["version"] + 1
    # a signature for the old draft is refused
    refusal = await d.refused(
        "sign",
        people.SIGNATORY_PHSO,
        party="PHSO",
        name="D",
        job_title="Director",
        document_sha256=first["sha256"],
    )
    assert "stale" in refusal and second["sha256"] in refusal
    status = await d.sign_all()
    assert status["state"] == "active"
    assert status["agreement"]["version"] == 2
    assert len(status["agreement"]["signed_by"]) == 2


async def test_termination_through_closing_to_ended(
    time_skipping_env: WorkflowEnvironment, ts_worker: str
) -> None:
    d = await start(time_skipping_env, ts_worker)
    await d.to_active()
    status = await d.send("terminate", people.DPO, reason="joint working ended")
    assert status["state"] == "closing"
    assert status["next_review_due"] is None, "no reviews are due once terminated"
    assert status["awaiting"] == [
        {"message": "confirm_destruction", "roles": ["information_rights"]}
    ]
    await d.send("confirm_destruction", people.INFORMATION_RIGHTS, notes="certificate received")
    result = await d.handle.result()
    assert result["state"] == "ended"
    assert "destruction confirmed" in result["outcome"]


async def test_withdrawal(time_skipping_env: WorkflowEnvironment, ts_worker: str) -> None:
    d = await start(time_skipping_env, ts_worker)
    await d.screen(dpia_required=True)
    await d.send("withdraw", people.CASEWORKER, reason="no longer needed")
    result = await d.handle.result()
    assert result["state"] == "withdrawn"


async def test_rejection_by_the_dpo_at_the_dpia(
    time_skipping_env: WorkflowEnvironment, ts_worker: str
) -> None:
    d = await start(time_skipping_env, ts_worker)
    await d.screen(dpia_required=True)
    await d.send(
        "submit_dpia",
        people.CASEWORKER,
        document_uri="https://docs.example/d",
        document_sha256="b" * 64,
        residual_risk="medium",
    )
    status = await d.send(
        "dpia_decision", people.DPO, outcome="changes_requested", reason="add retention"
    )
    assert status["state"] == "dpia" and status["awaiting"][0]["message"] == "submit_dpia"
    await d.send(
        "submit_dpia",
        people.CASEWORKER,
        document_uri="https://docs.example/d2",
        document_sha256="c" * 64,
        residual_risk="medium",
    )
    await d.send("dpia_decision", people.DPO, outcome="rejected", reason="risk too high")
    result = await d.handle.result()
    assert result["state"] == "rejected" and "DPIA rejected" in result["outcome"]


async def test_rejection_by_terminate_before_active(
    time_skipping_env: WorkflowEnvironment, ts_worker: str
) -> None:
    d = await start(time_skipping_env, ts_worker)
    await d.screen(dpia_required=False, **{})
    await d.send("terminate", people.INFORMATION_RIGHTS, reason="not proportionate")
    assert (await d.handle.result())["state"] == "rejected"


async def test_high_residual_risk_needs_the_ico(
    time_skipping_env: WorkflowEnvironment, ts_worker: str
) -> None:
    d = await start(time_skipping_env, ts_worker)
    await d.screen(dpia_required=True)
    status = await d.dpia(residual_risk="high")
    assert status["state"] == "ico_prior_consultation"
    status = await d.send(
        "ico_consultation_outcome", people.DPO, outcome="proceed", reference="ICO-1"
    )
    assert status["state"] == "isa_decision"


async def test_no_agreement_path(time_skipping_env: WorkflowEnvironment, ts_worker: str) -> None:
    # 3.3: a formal inquiry, one-off and small: no DPIA, no ISA, encrypted email (8.1)
    d = await start(
        time_skipping_env,
        ts_worker,
        special_categories=[],
        frequency="one_off",
        volume=20,
        onward_use_controls=False,
        specified_in_law="formal_inquiry",
        recipients=[
            {"name": "Infected Blood Inquiry", "kind": "public_body", "location": "england"}
        ],
    )
    status = await d.screen(dpia_required=False)
    assert status["state"] == "isa_decision"
    isa = next(r for r in status["recommendations"] if r["decision"] == "isa_required")
    assert isa["value"] is False and "3.3" in isa["clauses"]
    await d.send("isa_decision", people.INFORMATION_RIGHTS, isa_required=False)
    await d.lawful_basis(special=False)
    result = await d.handle.result()
    assert result["state"] == "approved_without_agreement"
    assert result["security_method"] == "encrypted_email"
    assert result["agreement"] is None


async def test_objection_sends_the_lawful_basis_back(
    time_skipping_env: WorkflowEnvironment, ts_worker: str
) -> None:
    d = await start(time_skipping_env, ts_worker)
    await d.screen(dpia_required=True)
    await d.dpia()
    await d.send("isa_decision", people.INFORMATION_RIGHTS, isa_required=True)
    from tests.factories import LAWFUL_BASIS

    await d.send("propose_lawful_basis", people.CASEWORKER, **LAWFUL_BASIS)
    status = await d.send("advice", people.DPO, role="dpo", outcome="object", notes="weak")
    assert status["state"] == "lawful_basis"
    assert status["awaiting"][0]["message"] == "propose_lawful_basis"
    status = await d.lawful_basis()
    assert status["state"] == "security_method"


async def test_emergency(time_skipping_env: WorkflowEnvironment, ts_worker: str) -> None:
    d = await start(time_skipping_env, ts_worker, imminent_risk_of_harm=True)
    result = await d.handle.result()
    assert result["state"] == "emergency_referred"
    assert "999" in result["outcome"]
    scope = next(r for r in result["recommendations"] if r["decision"] == "scope")
    assert scope["clauses"] == ["4.3"]


@pytest.mark.parametrize(
    ("overrides", "clause"),
    [
        (
            {
                "recipients": [
                    {
                        "name": "Smith & Co Solicitors",
                        "kind": "agent_of_private_party",
                        "location": "england",
                    }
                ]
            },
            "2.1",
        ),
        (
            {"recipients": [{"name": "EU Body", "kind": "public_body", "location": "outside_uk"}]},
            "1.1",
        ),
        ({"personal_data": False}, "2.2"),
        ({"anonymised": True}, "2.3"),
        ({"request_type": "foi_request"}, "2.4"),
    ],
)
async def test_out_of_scope(
    time_skipping_env: WorkflowEnvironment, ts_worker: str, overrides: dict[str, Any], clause: str
) -> None:
    d = await start(time_skipping_env, ts_worker, **overrides)
    result = await d.handle.result()
    assert result["state"] == "out_of_scope"
    scope = next(r for r in result["recommendations"] if r["decision"] == "scope")
    assert clause in scope["clauses"]
    history = await d.handle.fetch_history()
    # nothing else happens first: no message was ever awaited
    assert not any(
        e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED for e in history.events
    )
