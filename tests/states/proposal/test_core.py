"""Checking and applying a message (states/proposal/core.py): no message outside its
state, refusals change nothing (check, authorise, refuse), a repeated identical message
is harmless, and the timeline names fields, not free text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from states.intake import Intake
from states.machine import ACCEPTS, STATES, TERMINAL
from states.messages import MESSAGES, parse_payload
from states.proposal import Refusal, message_digest
from tests import people
from tests.factories import (
    ALL_FALSE_SCREENING,
    LAWFUL_BASIS,
    SPECIAL_CONDITION,
    low_risk_intake,
    make_intake,
)
from tests.states.proposal.helpers import (
    PERSONS,
    REACHABLE,
    SHA,
    SIGNATORIES,
    STEP,
    T0,
    Walk,
    _in_scoping,
    reached,
    snapshot,
)

EVERYONE: tuple[str, ...] = (*PERSONS, people.NOBODY)


def test_the_walks_reach_every_state_but_scoping() -> None:
    assert set(REACHABLE) == set(STATES) - {"scoping"}
    for state in REACHABLE:
        assert reached(state).state == state


# ======================================================================================
# No message is accepted in a state that does not list it
# ======================================================================================


def _example(message: str, actor: str) -> dict[str, Any]:
    return {"actor": actor, **MESSAGES[message].example}


def _assert_refused_naming_state(walk: Walk, message: str, actor: str) -> None:
    raw = _example(message, actor)
    state = walk.state
    text = walk.refused_raw(message, raw, PERSONS.get(actor))
    assert state in text, text
    assert message in text, text
    if state in TERMINAL:
        assert "ended" in text, text


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_no_message_is_accepted_in_a_state_that_does_not_list_it(data: st.DataObject) -> None:
    state = data.draw(st.sampled_from((*REACHABLE, "scoping")), label="state")
    walk = reached(state) if state != "scoping" else _in_scoping()
    message = data.draw(
        st.sampled_from(sorted(set(MESSAGES) - set(ACCEPTS[state]))), label="message"
    )
    actor = data.draw(st.sampled_from(EVERYONE), label="actor")
    raw = _example(message, actor)
    # An identical copy of a message accepted just before the state moved on is a harmless
    # repeat (tested below), not a refusal.
    assume(
        message_digest(message, parse_payload(message, raw))
        not in walk.p.data.previous_visit_digests
    )
    _assert_refused_naming_state(walk, message, actor)


@pytest.mark.parametrize("state", (*REACHABLE, "scoping"))
def test_every_message_not_listed_is_refused(state: str) -> None:
    """The same, exhaustively for one authorised actor per message."""
    for message in sorted(set(MESSAGES) - set(ACCEPTS[state])):
        walk = reached(state) if state != "scoping" else _in_scoping()
        roles = {r.value for r in MESSAGES[message].roles}
        actor = next(
            e for e, p in PERSONS.items() if roles & set(p.roles) and e != people.CASEWORKER
        )
        raw = _example(message, actor)
        if (
            message_digest(message, parse_payload(message, raw))
            in walk.p.data.previous_visit_digests
        ):
            continue
        _assert_refused_naming_state(walk, message, actor)


def test_terminal_states_refuse_everything_saying_the_proposal_ended() -> None:
    for state in sorted(TERMINAL):
        walk = reached(state)
        text = walk.refused("attach_record", people.CASEWORKER, **MESSAGES["attach_record"].example)
        assert f"the proposal has ended ({state})" in text
        assert walk.p.awaiting() == []


def _authorised_actor(message: str, payload: dict[str, Any], walk: Walk) -> str:
    """Someone allowed to send `message` on this proposal (never its caseworker as dpo,
    information_rights or ict)."""
    if message == "sign":
        return {**SIGNATORIES, "CQC": people.SIGNATORY_CQC}[payload["party"]]
    roles = {payload["role"]} if message == "advice" else {r.value for r in MESSAGES[message].roles}
    for email, person in PERSONS.items():
        if roles & set(person.roles) and email != str(walk.p.intake.caseworker):
            return email
    return str(walk.p.intake.caseworker)


def _payloads(walk: Walk, message: str) -> list[dict[str, Any]]:
    """The message's example payload and a few that fit the proposal as it is now."""
    d = walk.p.data
    payloads = [dict(MESSAGES[message].example)]
    if message == "submit_screening":
        payloads.append({"answers": {**ALL_FALSE_SCREENING, "wp_large_scale": True}})
    elif message == "screening_decision":
        payloads += [{"dpia_required": b, "reason": "r"} for b in (True, False)]
    elif message == "submit_dpia":
        payloads += [
            {"document_uri": "https://d", "document_sha256": SHA, "residual_risk": risk}
            for risk in ("low", "high")
        ]
    elif message == "dpia_decision":
        payloads += [{"outcome": o, "reason": "r"} for o in ("changes_requested", "rejected")]
    elif message == "ico_consultation_outcome":
        payloads.append({"outcome": "do_not_proceed", "reference": "ICO-1"})
    elif message == "isa_decision":
        payloads += [{"isa_required": b, "reason": "r"} for b in (True, False)]
    elif message == "propose_lawful_basis":
        payloads.append({**LAWFUL_BASIS, "justification": "another justification"})
    elif message == "special_category_condition":
        payloads.append(SPECIAL_CONDITION)
    elif message == "advice":
        payloads += [
            {"role": role, "outcome": outcome, "notes": "n"}
            for role in ("dpo", "information_rights")
            for outcome in ("support", "object")
        ]
    elif message == "sign":
        sha = d.agreement.sha256 if d.agreement else SHA
        payloads += [
            {"party": party, "name": f"S {party}", "job_title": "D", "document_sha256": sha}
            for party in walk.p.parties
        ]
    elif message == "submit_review":
        number = d.review_number + 1
        answers = walk.review_answers(number)
        payloads += [
            {"review_number": number, "answers": answers},
            {"review_number": number, "answers": {**answers, next(iter(answers)): False}},
        ]
        if "needs_refresh" in answers:
            payloads.append(
                {"review_number": number, "answers": {**answers, "needs_refresh": True}}
            )
    return payloads


def _apply_checked(walk: Walk, message: str, actor: str, payload: dict[str, Any]) -> None:
    """Apply, and check the invariants whatever happens: only Refusal may be raised, a
    refusal or a repeat changes nothing, the data follows the machine, the timeline is
    numbered."""
    before = snapshot(walk.p)
    walk.tick()
    try:
        changed = walk.p.apply(message, {"actor": actor, **payload}, PERSONS.get(actor), walk.now)
    except Refusal:
        assert snapshot(walk.p) == before, f"refused {message} changed data"
        return
    if not changed:
        assert snapshot(walk.p) == before, f"{message} said repeat but changed data"
    assert walk.p.data.state == walk.p.lifecycle.state == walk.state
    assert walk.state in STATES
    timeline = walk.p.data.timeline
    assert [e.seq for e in timeline] == list(range(1, len(timeline) + 1))
    walk.draft()


@pytest.mark.parametrize("state", [s for s in REACHABLE if s not in TERMINAL])
def test_every_message_a_state_accepts_is_handled(state: str) -> None:
    """ACCEPTS and the handlers agree: a listed message, sent by someone entitled to, is
    applied or refused, never a crash (e.g. a machine event its state does not allow)."""
    for message in ACCEPTS[state]:
        for payload in _payloads(reached(state), message):
            walk = reached(state)
            _apply_checked(walk, message, _authorised_actor(message, payload, walk), payload)


PUBLIC_LGSCO = {"name": "LGSCO", "kind": "public_body", "location": "england"}
_INTAKES: tuple[Callable[[], Intake], ...] = (
    make_intake,
    low_risk_intake,
    lambda: make_intake(caseworker=people.OTHER_CASEWORKER),
    lambda: make_intake(criminal_offence_data=True),
    lambda: make_intake(recipients=[PUBLIC_LGSCO, {**PUBLIC_LGSCO, "name": "CQC"}]),
)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_random_message_sequences_keep_the_invariants(data: st.DataObject) -> None:
    """Any sequence of messages from anyone, with time passing and reviews falling due."""
    walk = Walk(data.draw(st.sampled_from(_INTAKES), label="intake")())
    for _ in range(60):
        if walk.p.terminal:
            break
        if data.draw(st.integers(0, 9), label="wait?") == 0:
            walk.tick(timedelta(days=data.draw(st.sampled_from([1, 40, 200]), label="days")))
            if walk.p.review_is_due(walk.now):
                walk.p.review_falls_due(walk.now)
            continue
        awaited = [w["message"] for w in walk.p.awaiting()]
        use_awaited: bool = data.draw(st.booleans(), label="awaited?")
        pool = awaited if awaited and use_awaited else list(MESSAGES)
        message = data.draw(st.sampled_from(sorted(pool)), label="message")
        payload = data.draw(st.sampled_from(_payloads(walk, message)), label="payload")
        entitled = _authorised_actor(message, payload, walk)
        actor = data.draw(st.sampled_from([entitled, entitled, *EVERYONE]), label="actor")
        _apply_checked(walk, message, actor, payload)
    assert walk.via_json().p.data == walk.p.data


# ======================================================================================
# Refusals change nothing: check, authorise, refuse
# ======================================================================================


def test_wrong_role_is_refused() -> None:
    walk = Walk()
    walk.submit_screening()
    text = walk.refused("screening_decision", people.REVIEWER, dpia_required=True)
    assert "does not hold the role dpo" in text
    assert "roles held: reviewer" in text
    text = walk.refused("screening_decision", people.ICT, dpia_required=True)
    assert "ict@phso.example does not hold the role dpo" in text


def test_advice_needs_the_role_it_claims() -> None:
    walk = reached("lawful_basis")
    walk.propose()
    text = walk.refused(
        "advice", people.DPO, role="information_rights", outcome="support", notes="x"
    )
    assert "does not hold the role information_rights" in text


def test_unknown_actor_is_refused() -> None:
    walk = Walk()
    text = walk.refused("submit_screening", people.NOBODY, answers=ALL_FALSE_SCREENING)
    assert people.NOBODY in text
    assert "not in the people directory" in text
    assert "infoshare people add" in text


@pytest.mark.parametrize(
    ("setup", "message", "payload", "role"),
    [
        ("screening", "screening_decision", {"dpia_required": True}, "dpo"),
        ("isa_decision", "isa_decision", {"isa_required": True}, "information_rights"),
        ("lawful_basis", "advice", {"role": "dpo", "outcome": "support", "notes": "n"}, "dpo"),
        ("active", "suspend", {"reason": "mine"}, "dpo or information_rights"),
        ("active", "terminate", {"reason": "mine"}, "dpo or information_rights"),
    ],
)
def test_segregation_of_duties(
    setup: str, message: str, payload: dict[str, Any], role: str
) -> None:
    """cam holds caseworker and dpo: having proposed the sharing, cam never acts as dpo."""
    walk = Walk(make_intake(caseworker=people.OTHER_CASEWORKER))
    if setup == "screening":
        walk.send("submit_screening", people.OTHER_CASEWORKER, answers=ALL_FALSE_SCREENING)
    elif setup == "isa_decision":
        walk.send("submit_screening", people.OTHER_CASEWORKER, answers=ALL_FALSE_SCREENING)
        walk.send("screening_decision", people.DPO, dpia_required=True)
        walk.send(
            "submit_dpia",
            people.OTHER_CASEWORKER,
            document_uri="https://docs.example/d",
            document_sha256=SHA,
            residual_risk="low",
        )
        walk.send("dpia_decision", people.DPO, outcome="approved", reason="ok")
    elif setup == "lawful_basis":
        _cam_to_lawful_basis(walk)
        walk.send("propose_lawful_basis", people.OTHER_CASEWORKER, **LAWFUL_BASIS)
    elif setup == "active":
        _cam_to_lawful_basis(walk)
        walk.send("propose_lawful_basis", people.OTHER_CASEWORKER, **LAWFUL_BASIS)
        walk.send("special_category_condition", people.INFORMATION_RIGHTS, **SPECIAL_CONDITION)
        walk.advise("dpo")
        walk.advise("information_rights")
        walk.security()
        walk.sign_all()
    assert walk.state == setup
    text = walk.refused(message, people.OTHER_CASEWORKER, **payload)
    assert "segregation of duties" in text
    assert people.OTHER_CASEWORKER in text
    assert f"cannot act as {role}" in text


def _cam_to_lawful_basis(walk: Walk) -> None:
    walk.send("submit_screening", people.OTHER_CASEWORKER, answers=ALL_FALSE_SCREENING)
    walk.send("screening_decision", people.DPO, dpia_required=True)
    walk.send(
        "submit_dpia",
        people.OTHER_CASEWORKER,
        document_uri="https://docs.example/d",
        document_sha256=SHA,
        residual_risk="low",
    )
    walk.send("dpia_decision", people.DPO, outcome="approved", reason="ok")
    walk.isa(True)


@pytest.mark.parametrize(
    ("state", "message", "payload", "role"),
    [
        ("screening", "screening_decision", {"dpia_required": True}, "dpo"),
        ("dpia", "dpia_decision", {"outcome": "approved", "reason": "ok"}, "dpo"),
        (
            "ico_prior_consultation",
            "ico_consultation_outcome",
            MESSAGES["ico_consultation_outcome"].example,
            "dpo",
        ),
        ("isa_decision", "isa_decision", {"isa_required": True}, "information_rights"),
        ("lawful_basis", "special_category_condition", SPECIAL_CONDITION, "information_rights"),
        (
            "lawful_basis",
            "advice",
            {"role": "information_rights", "outcome": "support", "notes": "n"},
            "information_rights",
        ),
        ("security_method", "security_advice", MESSAGES["security_advice"].example, "ict"),
        ("remediation", "remediation_complete", {"actions": "done"}, "information_rights"),
        ("suspended", "resume", {"reason": "ok"}, "dpo or information_rights"),
        ("closing", "confirm_destruction", {"notes": "gone"}, "information_rights"),
    ],
)
def test_the_proposing_caseworker_never_acts_as_dpo_ir_or_ict(
    state: str, message: str, payload: dict[str, Any], role: str
) -> None:
    walk = reached(state).ready_to_decide()
    text = walk.refused(message, people.CASEWORKER, **payload)
    assert f"segregation of duties: {people.CASEWORKER} proposed this sharing" in text
    assert f"cannot act as {role}" in text


def test_segregation_is_case_insensitive_and_other_caseworkers_may_act() -> None:
    walk = Walk()
    walk.submit_screening()
    text = walk.refused("screening_decision", "CASEY@phso.example", dpia_required=True)
    assert "segregation of duties" in text
    # cam holds dpo and did not propose this sharing: cam may confirm the screening
    assert walk.send("screening_decision", people.OTHER_CASEWORKER, dpia_required=True)
    assert walk.state == "dpia"


def test_the_proposing_caseworker_may_still_do_caseworker_things() -> None:
    walk = Walk(make_intake(caseworker=people.OTHER_CASEWORKER))
    assert walk.send("submit_screening", people.OTHER_CASEWORKER, answers=ALL_FALSE_SCREENING)
    assert walk.send("attach_record", people.OTHER_CASEWORKER, **MESSAGES["attach_record"].example)
    assert walk.send("withdraw", people.OTHER_CASEWORKER, reason="changed my mind")
    assert walk.state == "withdrawn"


_MINIMISATION_MISSING = {**LAWFUL_BASIS, "minimisation": {"necessary": True}}


@pytest.mark.parametrize(
    ("message", "raw", "names"),
    [
        pytest.param(
            "submit_dpia",
            {"actor": people.CASEWORKER, "document_uri": "https://d", "document_sha256": SHA},
            ["field 'residual_risk'", "required"],
            id="missing-field",
        ),
        pytest.param(
            "screening_decision",
            {"actor": people.DPO},
            ["field 'dpia_required'", "required"],
            id="missing-bool",
        ),
        pytest.param(
            "screening_decision",
            {"actor": people.DPO, "dpia_required": "perhaps"},
            ["field 'dpia_required'", "bool"],
            id="wrong-type",
        ),
        pytest.param(
            "submit_review",
            {"actor": people.REVIEWER, "review_number": "first", "answers": {}},
            ["field 'review_number'"],
            id="wrong-type-int",
        ),
        pytest.param(
            "submit_dpia",
            {
                "actor": people.CASEWORKER,
                "document_uri": "https://d",
                "document_sha256": SHA,
                "residual_risk": "negligible",
            },
            ["field 'residual_risk'", "'low', 'medium' or 'high'"],
            id="not-a-choice",
        ),
        pytest.param(
            "submit_dpia",
            {
                "actor": people.CASEWORKER,
                "document_uri": "https://d",
                "document_sha256": "not-a-sha",
                "residual_risk": "low",
            },
            ["field 'document_sha256'"],
            id="bad-sha",
        ),
        pytest.param(
            "screening_decision",
            {"actor": people.DPO, "dpia_required": True, "colour": "blue"},
            ["field 'colour'", "is not a field of this message"],
            id="extra-field",
        ),
        pytest.param(
            "propose_lawful_basis",
            {"actor": people.CASEWORKER, **_MINIMISATION_MISSING},
            ["field 'minimisation.least_identifying'", "field 'minimisation.timely'"],
            id="nested-missing",
        ),
        pytest.param(
            "submit_screening",
            {"actor": people.CASEWORKER, "answers": {"art35_automated_decisions": False}},
            ["field 'answers'", "missing answers", "ico_tracking"],
            id="incomplete-answers",
        ),
        pytest.param(
            "submit_screening",
            {"actor": people.CASEWORKER, "answers": {**ALL_FALSE_SCREENING, "ico_vibes": True}},
            ["field 'answers'", "unknown criteria", "ico_vibes"],
            id="unknown-criterion",
        ),
        pytest.param(
            "screening_decision",
            {"dpia_required": True},
            ["field 'actor'", "required"],
            id="missing-actor",
        ),
        pytest.param(
            "screening_decision",
            {"actor": "not an email", "dpia_required": True},
            ["field 'actor'"],
            id="actor-not-email",
        ),
        pytest.param(
            "screening_decision",
            ["dpia_required", True],
            ["one JSON object with 'actor'", "got list"],
            id="not-an-object-list",
        ),
        pytest.param(
            "screening_decision",
            "dpia_required=true",
            ["one JSON object with 'actor'", "got str"],
            id="not-an-object-str",
        ),
        pytest.param(
            "screening_decision",
            None,
            ["one JSON object with 'actor'", "got NoneType"],
            id="not-an-object-null",
        ),
        pytest.param(
            "decide_everything",
            {"actor": people.DPO},
            ["unknown message 'decide_everything'", "screening_decision"],
            id="unknown-message",
        ),
    ],
)
def test_malformed_payloads_are_refused_naming_the_field(
    message: str, raw: object, names: list[str]
) -> None:
    walk = Walk()
    walk.submit_screening()
    text = walk.refused_raw(message, raw, PERSONS[people.DPO])
    for name in names:
        assert name in text, text
    if isinstance(raw, dict) and message in MESSAGES:
        assert text.startswith(f"{message}: "), text


@pytest.mark.parametrize("state", ["screening", "lawful_basis", "signing", "active", "ended"])
def test_payload_errors_come_before_state_errors(state: str) -> None:
    """Whatever the state, a malformed payload is refused for its payload."""
    walk = reached(state)
    text = walk.refused_raw("submit_dpia", {"actor": people.CASEWORKER}, PERSONS[people.CASEWORKER])
    assert "field 'residual_risk'" in text


def test_refused_messages_write_nothing_and_refuse_records_only_a_timeline_entry() -> None:
    walk = Walk()
    before = snapshot(walk.p)
    try:
        walk.p.apply(
            "screening_decision",
            {"actor": people.DPO, "dpia_required": True},
            PERSONS[people.DPO],
            T0,
        )
    except Refusal as refusal:
        assert snapshot(walk.p) == before
        walk.p.refuse("screening_decision", {"actor": people.DPO}, refusal, T0 + STEP)
    else:
        raise AssertionError("screening_decision before submit_screening was accepted")
    after = snapshot(walk.p)
    last = after["timeline"][-1]
    assert last["accepted"] is False
    assert last["actor"] == people.DPO
    assert "submit_screening" in last["detail"]
    assert {k: v for k, v in after.items() if k != "timeline"} == {
        k: v for k, v in before.items() if k != "timeline"
    }


# ======================================================================================
# A repeated identical message is harmless
# ======================================================================================


def test_repeat_in_the_same_visit_is_harmless() -> None:
    walk = Walk()
    assert walk.submit_screening(wp_large_scale=True)
    before = snapshot(walk.p)
    assert walk.submit_screening(wp_large_scale=True) is False
    assert snapshot(walk.p) == before
    assert walk.send("attach_record", people.CASEWORKER, **MESSAGES["attach_record"].example)
    walk.repeat("attach_record", people.CASEWORKER, **MESSAGES["attach_record"].example)
    assert len(walk.p.data.records) == 1


def test_a_changed_message_in_the_same_visit_is_not_a_repeat() -> None:
    walk = Walk()
    walk.submit_screening()
    assert walk.submit_screening(wp_large_scale=True) is True
    assert walk.p.data.screening_answers is not None
    assert walk.p.data.screening_answers["wp_large_scale"] is True


def test_late_duplicate_of_submit_screening_after_the_decision_is_harmless() -> None:
    walk = Walk()
    walk.screen(True)
    assert walk.state == "dpia"
    walk.repeat("submit_screening", people.CASEWORKER, answers=ALL_FALSE_SCREENING)
    walk.repeat("screening_decision", people.DPO, dpia_required=True)
    assert walk.state == "dpia"


def test_late_duplicate_of_the_last_signature_after_active_is_harmless() -> None:
    walk = reached("signing")
    sha = walk.p.data.agreement.sha256  # type: ignore[union-attr]
    assert walk.sign("PHSO")
    walk.repeat(
        "sign",
        people.SIGNATORY_PHSO,
        party="PHSO",
        name="Signatory of PHSO",
        job_title="Director",
        document_sha256=sha,
    )
    assert walk.sign("LGSCO")
    assert walk.state == "active"
    for party in ("LGSCO", "PHSO"):
        walk.repeat(
            "sign",
            SIGNATORIES[party],
            party=party,
            name=f"Signatory of {party}",
            job_title="Director",
            document_sha256=sha,
        )
    assert walk.state == "active"
    assert len(walk.p.data.agreement.signed_by) == 2  # type: ignore[union-attr]


def test_a_message_two_visits_old_is_refused_not_replayed() -> None:
    walk = Walk()
    walk.screen(True)
    walk.dpia()
    assert walk.state == "isa_decision"
    text = walk.refused("submit_screening", people.CASEWORKER, answers=ALL_FALSE_SCREENING)
    assert "not accepted in state isa_decision" in text


def test_suspend_resume_suspend_suspends_twice() -> None:
    walk = reached("active")
    assert walk.send("suspend", people.INFORMATION_RIGHTS, reason="x")
    assert walk.state == "suspended"
    assert walk.send("resume", people.INFORMATION_RIGHTS, reason="y")
    assert walk.state == "active"
    assert walk.send("suspend", people.INFORMATION_RIGHTS, reason="x")
    assert walk.state == "suspended"
    assert walk.send("resume", people.INFORMATION_RIGHTS, reason="y")
    assert walk.state == "active"
    accepted = [e.message for e in walk.p.data.timeline if e.actor == people.INFORMATION_RIGHTS]
    assert accepted[-4:] == ["suspend", "resume", "suspend", "resume"]
    # and a late duplicate of the last resume is harmless
    walk.repeat("resume", people.INFORMATION_RIGHTS, reason="y")


# ======================================================================================
# What a message writes in the timeline
# ======================================================================================


def test_the_timeline_names_fields_not_free_text() -> None:
    walk = reached("lawful_basis")
    walk.propose(justification="Mrs Example's complaint about her care")
    event = next(e for e in walk.p.data.timeline if e.message == "propose_lawful_basis")
    assert "Mrs Example" not in event.detail
    assert "public_task" in event.detail
