"""The pure proposal aggregate (states/proposal/), driven without Temporal.

A `Walk` drives one `Proposal` the way people and the workflow do: each message through
`apply` with the sender's directory entry (tests/people.py), a draft of the agreement
whenever `agreement_request()` asks for one, and a clock the test controls.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from states import rules
from states.intake import Intake
from states.machine import ACCEPTS, STATES, TERMINAL
from states.messages import MESSAGES, parse_payload
from states.proposal import SYSTEM_ACTOR, Proposal, ProposalData, Refusal, message_digest
from states.types import AgreementDraft, Person
from tests import people
from tests.factories import (
    ALL_FALSE_SCREENING,
    LAWFUL_BASIS,
    SPECIAL_CONDITION,
    low_risk_intake,
    make_intake,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
STEP = timedelta(minutes=5)
SHA = "a" * 64

PERSONS: dict[str, Person] = {
    email: Person(email=email, name=email.split("@")[0], roles=roles, organisation=organisation)
    for email, roles, organisation in people.PEOPLE
}
EVERYONE: tuple[str, ...] = (*PERSONS, people.NOBODY)

SIGNATORIES: dict[str, str] = {"PHSO": people.SIGNATORY_PHSO, "LGSCO": people.SIGNATORY_LGSCO}

# CONTRACT.md "Queries": the `status` query and its nested objects.
STATUS_KEYS = {
    "state",
    "awaiting",
    "dpia_required",
    "isa_required",
    "recommendations",
    "parties",
    "next_review_due",
    "review_number",
    "outcome",
    "agreement",
}
AWAITING_KEYS = {"message", "roles"}
RECOMMENDATION_KEYS = {"decision", "value", "clauses"}
AGREEMENT_KEYS = {"version", "sha256", "uri", "signed_by"}
TIMELINE_KEYS = {"at", "actor", "message", "accepted", "detail"}


def sha_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def snapshot(proposal: Proposal) -> dict[str, Any]:
    return proposal.data.model_dump(mode="json")


class Walk:
    """One proposal driven step by step, with a controllable clock."""

    def __init__(
        self,
        intake: Intake | None = None,
        *,
        now: datetime = T0,
        proposal_id: str = "isp-test",
        auto_draft: bool = True,
    ) -> None:
        self.now = now
        self.auto_draft = auto_draft
        self.proposal = Proposal.start(proposal_id, intake or make_intake(), now)

    @classmethod
    def from_data(cls, data: ProposalData, now: datetime, auto_draft: bool = True) -> Walk:
        walk = cls.__new__(cls)
        walk.now = now
        walk.auto_draft = auto_draft
        walk.proposal = Proposal(data)
        return walk

    def via_json(self) -> Walk:
        """What continue-as-new does: the data through JSON into a fresh Proposal."""
        data = ProposalData.model_validate_json(self.proposal.data.model_dump_json())
        return Walk.from_data(data, self.now, self.auto_draft)

    @property
    def p(self) -> Proposal:
        return self.proposal

    @property
    def state(self) -> str:
        return self.proposal.state

    def tick(self, delta: timedelta = STEP) -> datetime:
        self.now += delta
        return self.now

    # ----- messages ----------------------------------------------------------------------

    def send(self, message: str, actor: str, **payload: Any) -> bool:
        """Apply a message that must not be refused; returns apply's result."""
        self.tick()
        result = self.proposal.apply(
            message, {"actor": actor, **payload}, PERSONS.get(actor), self.now
        )
        if self.auto_draft:
            self.draft()
        return result

    def refused(self, message: str, actor: str, **payload: Any) -> str:
        """Apply a message that must be refused; returns the refusal and checks that
        nothing at all changed."""
        return self.refused_raw(message, {"actor": actor, **payload}, PERSONS.get(actor))

    def refused_raw(self, message: str, raw: object, person: Person | None = None) -> str:
        before = snapshot(self.proposal)
        with pytest.raises(Refusal) as err:
            self.proposal.apply(message, raw, person, self.now + STEP)
        assert snapshot(self.proposal) == before, f"{message} was refused but changed data"
        return str(err.value)

    def repeat(self, message: str, actor: str, **payload: Any) -> None:
        """Apply a message that must be a harmless repeat: False, nothing changes."""
        before = snapshot(self.proposal)
        assert self.send(message, actor, **payload) is False
        assert snapshot(self.proposal) == before

    def draft(self) -> AgreementDraft | None:
        """What the workflow's drafting activity does when the proposal asks for a draft."""
        request = self.proposal.agreement_request()
        if request is None:
            return None
        draft = AgreementDraft(
            version=request.version,
            sha256=sha_of(f"{request.proposal_id} version {request.version}"),
            uri=f"https://docs.example/isa/{request.proposal_id}/v{request.version}",
        )
        self.proposal.agreement_drafted(draft, self.now)
        return draft

    def ready_to_decide(self) -> Walk:
        """What the deciding message of the state needs first: the screening answered, a
        DPIA submitted, a lawful basis proposed."""
        if self.state == "screening":
            self.submit_screening()
        elif self.state == "dpia":
            self.submit_dpia()
        elif self.state == "lawful_basis":
            self.propose()
        return self

    # ----- the happy path, step by step --------------------------------------------------

    def submit_screening(self, **answers: bool) -> bool:
        return self.send(
            "submit_screening", people.CASEWORKER, answers={**ALL_FALSE_SCREENING, **answers}
        )

    def screen(self, dpia_required: bool = True, reason: str | None = None) -> None:
        self.submit_screening()
        payload: dict[str, Any] = {"dpia_required": dpia_required}
        if reason is not None:
            payload["reason"] = reason
        assert self.send("screening_decision", people.DPO, **payload)

    def submit_dpia(self, residual_risk: str = "low") -> bool:
        return self.send(
            "submit_dpia",
            people.CASEWORKER,
            document_uri="https://docs.example/dpia/1",
            document_sha256=SHA,
            residual_risk=residual_risk,
        )

    def dpia(self, residual_risk: str = "low", outcome: str = "approved") -> None:
        self.submit_dpia(residual_risk)
        assert self.send("dpia_decision", people.DPO, outcome=outcome, reason="mitigations")

    def ico(self, outcome: str = "proceed") -> None:
        assert self.send(
            "ico_consultation_outcome", people.DPO, outcome=outcome, reference="ICO-2026-0001"
        )

    def isa(self, isa_required: bool = True, reason: str | None = None) -> None:
        payload: dict[str, Any] = {"isa_required": isa_required}
        if reason is not None:
            payload["reason"] = reason
        assert self.send("isa_decision", people.INFORMATION_RIGHTS, **payload)

    def propose(self, **overrides: Any) -> bool:
        return self.send("propose_lawful_basis", people.CASEWORKER, **{**LAWFUL_BASIS, **overrides})

    def advise(self, role: str, outcome: str = "support") -> bool:
        actor = people.DPO if role == "dpo" else people.INFORMATION_RIGHTS
        return self.send("advice", actor, role=role, outcome=outcome, notes=f"{role} {outcome}")

    def lawful_basis(self, special: bool = True) -> None:
        assert self.propose()
        if special:
            assert self.send(
                "special_category_condition", people.INFORMATION_RIGHTS, **SPECIAL_CONDITION
            )
        assert self.advise("dpo")
        assert self.advise("information_rights")

    def security(self) -> None:
        assert self.send("security_advice", people.ICT, method="SFTP with PGP", notes="regular")

    def sign(self, party: str, actor: str | None = None, sha: str | None = None) -> bool:
        agreement = self.proposal.data.agreement
        assert agreement is not None
        return self.send(
            "sign",
            actor or SIGNATORIES[party],
            party=party,
            name=f"Signatory of {party}",
            job_title="Director",
            document_sha256=sha or agreement.sha256,
        )

    def sign_all(self) -> None:
        for party in self.proposal.parties:
            assert self.sign(party)

    def to_isa_decision(self) -> Walk:
        self.screen(dpia_required=True)
        self.dpia()
        return self

    def to_lawful_basis(self) -> Walk:
        self.to_isa_decision()
        self.isa(True)
        return self

    def to_security_method(self) -> Walk:
        self.to_lawful_basis()
        self.lawful_basis()
        return self

    def to_signing(self) -> Walk:
        self.to_security_method()
        self.security()
        return self

    def to_active(self) -> Walk:
        self.to_signing()
        self.sign_all()
        assert self.state == "active"
        return self

    def fall_due(self) -> None:
        """Wait for the review timer and let it fire, as the workflow does."""
        due = self.proposal.data.next_review_due
        assert due is not None
        self.now = max(self.now, due)
        assert self.proposal.review_is_due(self.now)
        self.proposal.review_falls_due(self.now)
        assert self.state == "review_due"

    def review_answers(self, number: int, **overrides: bool) -> dict[str, bool]:
        answers = dict.fromkeys(rules.checks_due(number), True)
        if "needs_refresh" in answers:
            answers["needs_refresh"] = False
        answers.update(overrides)
        return answers

    def submit_review(self, **overrides: bool) -> bool:
        number = self.proposal.data.review_number + 1
        return self.send(
            "submit_review",
            people.REVIEWER,
            review_number=number,
            answers=self.review_answers(number, **overrides),
            notes="",
        )

    def review(self, **overrides: bool) -> None:
        self.fall_due()
        assert self.submit_review(**overrides)


# ======================================================================================
# Walks to every reachable state
# ======================================================================================


def _walk_to(state: str) -> Walk:
    if state == "out_of_scope":
        return Walk(
            make_intake(
                recipients=[{"name": "Acme", "kind": "private_firm", "location": "england"}]
            )
        )
    if state == "emergency_referred":
        return Walk(make_intake(imminent_risk_of_harm=True))
    if state == "approved_without_agreement":
        w = Walk(low_risk_intake())
        w.screen(dpia_required=False)
        w.isa(False)
        w.lawful_basis(special=False)
        return w
    w = Walk()
    steps: dict[str, Callable[[], Any]] = {
        "screening": lambda: None,
        "dpia": lambda: w.screen(True),
        "ico_prior_consultation": lambda: (w.screen(True), w.dpia("high")),  # type: ignore[func-returns-value]
        "isa_decision": w.to_isa_decision,
        "lawful_basis": w.to_lawful_basis,
        "security_method": w.to_security_method,
        "signing": w.to_signing,
        "active": w.to_active,
        "review_due": lambda: (w.to_active(), w.fall_due()),  # type: ignore[func-returns-value]
        "remediation": lambda: (w.to_active(), w.review(secure=False)),  # type: ignore[func-returns-value]
        "suspended": lambda: (
            w.to_active(),
            w.send("suspend", people.INFORMATION_RIGHTS, reason="security concern"),
        ),
        "closing": lambda: (
            w.to_active(),
            w.send("terminate", people.DPO, reason="purpose fulfilled"),
        ),
        "ended": lambda: (
            w.to_active(),
            w.send("terminate", people.DPO, reason="purpose fulfilled"),
            w.send("confirm_destruction", people.INFORMATION_RIGHTS, notes="destroyed"),
        ),
        "withdrawn": lambda: w.send("withdraw", people.CASEWORKER, reason="no longer needed"),
        "rejected": lambda: (
            w.screen(True),  # type: ignore[func-returns-value]
            w.submit_dpia(),
            w.send("dpia_decision", people.DPO, outcome="rejected", reason="too risky"),
        ),
    }
    steps[state]()
    return w


REACHABLE: tuple[str, ...] = tuple(s for s in STATES if s != "scoping")


@cache
def _reached(state: str) -> tuple[str, datetime]:
    walk = _walk_to(state)
    assert walk.state == state, (state, walk.state)
    return walk.proposal.data.model_dump_json(), walk.now


def reached(state: str) -> Walk:
    """A fresh Walk in `state` (rebuilt from JSON, so each test gets its own copy)."""
    data, now = _reached(state)
    return Walk.from_data(ProposalData.model_validate_json(data), now)


def test_the_walks_reach_every_state_but_scoping() -> None:
    assert set(REACHABLE) == set(STATES) - {"scoping"}
    for state in REACHABLE:
        assert reached(state).state == state


def test_start_scopes_at_once() -> None:
    assert Walk().state == "screening"
    assert reached("out_of_scope").p.data.outcome.startswith("out of scope: 2.1")  # type: ignore[union-attr]
    assert "4.3" in (reached("emergency_referred").p.data.outcome or "")


# ======================================================================================
# (a) No message is accepted in a state that does not list it
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


def _in_scoping() -> Walk:
    """`scoping` is never a resting state (start scopes at once); build one directly."""
    data = ProposalData(proposal_id="isp-scoping", intake=make_intake(), started_at=T0)
    return Walk.from_data(data, T0)


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
# (b) Refusals change nothing
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
# (c) A repeated identical message is harmless
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


def test_suspension_returns_where_it_came_from() -> None:
    walk = reached("remediation")
    assert walk.send("suspend", people.DPO, reason="breach")
    assert walk.send("resume", people.DPO, reason="fixed")
    assert walk.state == "remediation"


# ======================================================================================
# (d) Overrides need a reason
# ======================================================================================


def test_screening_override_needs_a_reason() -> None:
    walk = Walk()
    walk.submit_screening()
    assert walk.p.data.recommendations["dpia_required"].value is True
    for reason in (None, "", "   "):
        payload: dict[str, Any] = {"dpia_required": False}
        if reason is not None:
            payload["reason"] = reason
        text = walk.refused("screening_decision", people.DPO, **payload)
        assert "a 'reason' is required to override it (6.2)" in text
        assert "dpia_required=True" in text
    assert walk.send(
        "screening_decision", people.DPO, dpia_required=False, reason="health data is incidental"
    )
    assert walk.state == "isa_decision"
    rec = walk.p.data.recommendations["dpia_required"]
    assert (rec.value, rec.confirmed_value, rec.confirmed_by) == (True, False, people.DPO)
    assert walk.p.data.dpia_required is False


def test_screening_confirmation_needs_no_reason() -> None:
    walk = Walk(low_risk_intake())
    walk.submit_screening()
    assert walk.p.data.recommendations["dpia_required"].value is False
    assert walk.send("screening_decision", people.DPO, dpia_required=False)
    assert walk.state == "isa_decision"


def test_isa_override_needs_a_reason() -> None:
    walk = reached("isa_decision")
    assert walk.p.data.recommendations["isa_required"].value is True
    text = walk.refused("isa_decision", people.INFORMATION_RIGHTS, isa_required=False)
    assert "a 'reason' is required to override it" in text
    assert "isa_required=True" in text
    walk.isa(False, reason="specified in law after all")
    assert walk.state == "lawful_basis"
    assert walk.p.data.isa_required is False
    rec = walk.p.data.recommendations["isa_required"]
    assert (rec.confirmed_value, rec.confirmed_by) == (False, people.INFORMATION_RIGHTS)


def test_screening_decision_before_answers_is_refused() -> None:
    walk = Walk()
    text = walk.refused("screening_decision", people.DPO, dpia_required=True)
    assert "has not sent submit_screening" in text


# ======================================================================================
# (e) Lawful basis and advice
# ======================================================================================


def test_advice_before_a_lawful_basis_is_refused() -> None:
    walk = reached("lawful_basis")
    for role in ("dpo", "information_rights"):
        actor = people.DPO if role == "dpo" else people.INFORMATION_RIGHTS
        text = walk.refused("advice", actor, role=role, outcome="support", notes="fine")
        assert "no lawful basis to advise on yet" in text
        assert "propose_lawful_basis" in text


@pytest.mark.parametrize("objector", ["dpo", "information_rights"])
def test_an_objection_clears_the_basis_and_both_advices(objector: str) -> None:
    walk = reached("lawful_basis")
    walk.propose()
    supporter = "information_rights" if objector == "dpo" else "dpo"
    assert walk.advise(supporter)
    assert set(walk.p.data.advice) == {supporter}
    assert walk.advise(objector, "object")
    d = walk.p.data
    assert d.lawful_basis is None
    assert d.advice == {}
    assert walk.state == "lawful_basis"
    assert walk.p.awaiting()[0]["message"] == "propose_lawful_basis"
    objection = [e for e in d.timeline if e.message == "advice_objection"]
    assert objection and objection[-1].clauses == ["4.7"]
    # and round again: both advices are needed anew
    walk.propose()
    walk.send("special_category_condition", people.INFORMATION_RIGHTS, **SPECIAL_CONDITION)
    walk.advise("dpo")
    assert walk.state == "lawful_basis"
    walk.advise("information_rights")
    assert walk.state == "security_method"


def test_changing_the_proposed_basis_drops_earlier_advice() -> None:
    walk = reached("lawful_basis")
    walk.propose()
    walk.advise("dpo")
    walk.propose(justification="a better justification")
    assert walk.p.data.advice == {}


def test_lawful_basis_waits_for_all_three_in_any_order() -> None:
    walk = reached("lawful_basis")
    walk.send("special_category_condition", people.INFORMATION_RIGHTS, **SPECIAL_CONDITION)
    walk.propose()
    walk.advise("information_rights")
    assert walk.state == "lawful_basis"
    assert [w["message"] for w in walk.p.awaiting()] == ["advice"]
    assert walk.p.awaiting()[0]["roles"] == ["dpo"]
    walk.advise("dpo")
    assert walk.state == "security_method"


def test_lawful_basis_checks_minimisation_and_safety() -> None:
    walk = reached("lawful_basis")
    text = walk.refused(
        "propose_lawful_basis",
        people.CASEWORKER,
        **{**LAWFUL_BASIS, "minimisation": {**LAWFUL_BASIS["minimisation"], "timely": False}},
    )
    assert "minimisation.timely must be true" in text
    text = walk.refused(
        "propose_lawful_basis", people.CASEWORKER, **{**LAWFUL_BASIS, "safety_considered": False}
    )
    assert "safety_considered must be true" in text


# ======================================================================================
# (f) Signing
# ======================================================================================


def test_a_stale_draft_signature_is_refused_naming_the_current_sha() -> None:
    walk = reached("signing")
    current = walk.p.data.agreement.sha256  # type: ignore[union-attr]
    stale = "b" * 64
    text = walk.refused(
        "sign",
        people.SIGNATORY_PHSO,
        party="PHSO",
        name="A",
        job_title="Director",
        document_sha256=stale,
    )
    assert "stale or unknown draft" in text
    assert current in text
    assert "version 1" in text


def test_a_signatory_of_another_organisation_is_refused() -> None:
    walk = reached("signing")
    sha = walk.p.data.agreement.sha256  # type: ignore[union-attr]
    text = walk.refused(
        "sign",
        people.SIGNATORY_CQC,
        party="LGSCO",
        name="C",
        job_title="Chief",
        document_sha256=sha,
    )
    assert "signs for CQC, not for LGSCO" in text
    text = walk.refused(
        "sign",
        people.SIGNATORY_LGSCO,
        party="PHSO",
        name="C",
        job_title="Chief",
        document_sha256=sha,
    )
    assert "signs for LGSCO, not for PHSO" in text


def test_only_parties_sign_and_each_once() -> None:
    walk = reached("signing")
    sha = walk.p.data.agreement.sha256  # type: ignore[union-attr]
    text = walk.refused(
        "sign", people.SIGNATORY_CQC, party="CQC", name="C", job_title="Chief", document_sha256=sha
    )
    assert "'CQC' is not a party" in text
    assert walk.sign("PHSO")
    assert walk.p.unsigned_parties() == ["LGSCO"]
    assert walk.p.awaiting() == [{"message": "sign", "roles": ["signatory"], "parties": ["LGSCO"]}]
    text = walk.refused(
        "sign",
        people.SIGNATORY_PHSO,
        party="PHSO",
        name="Someone Else",
        job_title="Director",
        document_sha256=sha,
    )
    assert "PHSO has already signed this version" in text


def test_signing_waits_for_the_draft() -> None:
    walk = Walk(auto_draft=False).to_signing()
    assert walk.p.data.agreement is None
    assert walk.p.awaiting() == []
    text = walk.refused(
        "sign", people.SIGNATORY_PHSO, party="PHSO", name="A", job_title="D", document_sha256=SHA
    )
    assert "still being prepared" in text
    request = walk.p.agreement_request()
    assert request is not None and request.version == 1
    assert request.parties == ["PHSO", "LGSCO"]
    assert request.security_method == "SFTP with PGP"
    # a draft of another version (the proposal moved on) is ignored
    walk.p.agreement_drafted(AgreementDraft(version=7, sha256=SHA, uri="https://x"), walk.now)
    assert walk.p.data.agreement is None
    walk.draft()
    assert walk.p.agreement_request() is None
    walk.sign_all()
    assert walk.state == "active"


def test_launch_starts_the_review_clock_at_the_last_signature() -> None:
    walk = reached("signing")
    walk.sign("PHSO")
    walk.tick(timedelta(days=3))
    walk.sign("LGSCO")
    d = walk.p.data
    assert d.launched_at == walk.now
    assert d.next_review_due == rules.review_due_at(walk.now, 1)


# ======================================================================================
# (g) Reviews
# ======================================================================================


def test_review_is_due_only_in_active_and_from_next_review_due() -> None:
    walk = reached("active")
    due = walk.p.data.next_review_due
    assert due is not None
    assert not walk.p.review_is_due(due - timedelta(seconds=1))
    assert walk.p.review_is_due(due)
    assert walk.p.review_is_due(due + timedelta(days=400))
    for state in ("signing", "suspended", "remediation", "review_due", "closing", "ended"):
        other = reached(state)
        assert not other.p.review_is_due(due + timedelta(days=4000)), state
    for state in ("screening", "lawful_basis"):
        assert not reached(state).p.review_is_due(T0 + timedelta(days=4000))


def test_reviews_follow_the_schedule() -> None:
    walk = reached("active")
    launched = walk.p.data.launched_at
    assert launched is not None
    for number, months in ((1, 1), (2, 3), (3, 6), (4, 12), (5, 24)):
        assert walk.p.data.next_review_due == rules.add_months(launched, months)
        walk.fall_due()
        assert walk.p.awaiting() == [
            {"message": "submit_review", "roles": ["reviewer"], "review_number": number}
        ]
        walk.submit_review()
        assert walk.state == "active"
        assert walk.p.data.review_number == number


def test_submit_review_with_the_wrong_number_is_refused() -> None:
    walk = reached("review_due")
    for wrong in (2, 3, 7):
        text = walk.refused(
            "submit_review",
            people.REVIEWER,
            review_number=wrong,
            answers=walk.review_answers(1),
            notes="",
        )
        assert "review 1 (the 1-month review) is due" in text
        assert f"not review {wrong}" in text


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"data_received": True, "secure": True}, "answer adequate_limited_relevant"),
        (
            {
                "data_received": True,
                "secure": True,
                "adequate_limited_relevant": True,
                "benefits_realised": True,
            },
            "remove benefits_realised",
        ),
        ({}, "answer data_received, secure, adequate_limited_relevant"),
    ],
)
def test_submit_review_with_the_wrong_checks_is_refused(
    answers: dict[str, bool], expected: str
) -> None:
    walk = reached("review_due")
    text = walk.refused(
        "submit_review", people.REVIEWER, review_number=1, answers=answers, notes=""
    )
    assert expected in text
    assert "10.1" in text


def test_review_needs_a_reviewer() -> None:
    walk = reached("review_due")
    text = walk.refused(
        "submit_review", people.ICT, review_number=1, answers=walk.review_answers(1)
    )
    assert "does not hold the role reviewer" in text


def test_a_failed_review_goes_to_remediation_then_back_to_active() -> None:
    walk = reached("active")
    walk.review(secure=False)
    assert walk.state == "remediation"
    rec = walk.p.data.recommendations["review_1"]
    assert rec.value == "failed"
    assert rec.clauses == ["10.1"]
    assert walk.p.data.refresh_pending is False
    assert walk.p.awaiting()[0]["message"] == "remediation_complete"
    walk.send("remediation_complete", people.INFORMATION_RIGHTS, actions="access tightened")
    assert walk.state == "active"
    assert walk.p.data.agreement.version == 1  # type: ignore[union-attr]
    assert walk.p.data.next_review_due == rules.review_due_at(walk.p.data.launched_at, 2)  # type: ignore[arg-type]


def _to_review_4(walk: Walk) -> Walk:
    walk.review()
    walk.review()
    walk.review()
    walk.fall_due()
    return walk


def test_failed_and_needs_refresh_remediates_then_re_signs_version_2() -> None:
    walk = _to_review_4(reached("active"))
    v1 = walk.p.data.agreement.sha256  # type: ignore[union-attr]
    launched = walk.p.data.launched_at
    assert walk.submit_review(secure=False, needs_refresh=True)
    assert walk.p.data.recommendations["review_4"].value == "failed_and_needs_refresh"
    assert walk.state == "remediation"
    assert walk.p.data.refresh_pending is True
    assert walk.p.agreement_request() is None  # not while remediating
    walk.send("remediation_complete", people.INFORMATION_RIGHTS, actions="penetration tested")
    assert walk.state == "signing"
    agreement = walk.p.data.agreement
    assert agreement is not None and agreement.version == 2
    assert agreement.sha256 != v1
    assert agreement.signed_by == []
    # the version 1 draft is stale now
    text = walk.refused(
        "sign", people.SIGNATORY_PHSO, party="PHSO", name="A", job_title="D", document_sha256=v1
    )
    assert agreement.sha256 in text and "version 2" in text
    # while it is being re-signed the agreement is in force: it cannot be withdrawn
    text = walk.refused("withdraw", people.CASEWORKER, reason="no longer needed")
    assert "use terminate" in text
    walk.sign_all()
    assert walk.state == "active"
    # the review clock still runs from the first launch
    assert walk.p.data.launched_at == launched
    assert walk.p.data.next_review_due == rules.review_due_at(launched, 5)  # type: ignore[arg-type]


def test_needs_refresh_goes_straight_to_signing() -> None:
    walk = _to_review_4(reached("active"))
    assert walk.submit_review(needs_refresh=True)
    assert walk.state == "signing"
    assert walk.p.data.agreement.version == 2  # type: ignore[union-attr]


def test_terminating_an_agreement_being_re_signed_closes_it() -> None:
    walk = _to_review_4(reached("active"))
    walk.submit_review(needs_refresh=True)
    walk.send("terminate", people.DPO, reason="no longer needed")
    assert walk.state == "closing"
    walk.send("confirm_destruction", people.INFORMATION_RIGHTS, notes="destroyed")
    assert walk.state == "ended"


def test_terminate_before_the_agreement_is_in_force_rejects() -> None:
    walk = reached("signing")
    walk.send("terminate", people.INFORMATION_RIGHTS, reason="not needed")
    assert walk.state == "rejected"
    assert walk.p.data.outcome == f"rejected by {people.INFORMATION_RIGHTS}: not needed"


# ======================================================================================
# (h) The timeline
# ======================================================================================

AUTOMATIC_DECISIONS = ("scope", "dpia_required", "isa_required", "lawful_basis", "security_method")


def _full_lifecycle() -> Walk:
    walk = _to_review_4(reached("active"))
    walk.submit_review(secure=False, needs_refresh=True)
    walk.send("suspend", people.DPO, reason="investigating")
    walk.send("resume", people.DPO, reason="done")
    walk.send("remediation_complete", people.INFORMATION_RIGHTS, actions="fixed")
    walk.sign_all()
    walk.send("terminate", people.DPO, reason="finished")
    walk.send("confirm_destruction", people.INFORMATION_RIGHTS, notes="destroyed")
    assert walk.state == "ended"
    return walk


@pytest.mark.parametrize(
    "state",
    ["ended", "approved_without_agreement", "rejected", "out_of_scope", "emergency_referred"],
)
def test_every_automatic_decision_carries_clauses(state: str) -> None:
    walk = _full_lifecycle() if state == "ended" else reached(state)
    timeline = walk.p.data.timeline
    decisions = {e.message for e in timeline if e.actor == SYSTEM_ACTOR}
    for event in timeline:
        if event.actor == SYSTEM_ACTOR and event.message not in ("intake", "state"):
            assert event.clauses, event
            assert all(c.strip() for c in event.clauses), event
        if event.actor != SYSTEM_ACTOR and event.accepted:
            assert event.clauses == list(MESSAGES[event.message].clauses), event
    assert "scope" in decisions
    for rec in walk.p.data.recommendations.values():
        assert rec.clauses, rec
    if state == "ended":
        assert set(AUTOMATIC_DECISIONS) <= decisions
        assert {"review", "agreement_drafted", "agreement_signed", "terminated"} <= decisions


def test_automatic_decisions_cite_their_clauses_in_the_detail() -> None:
    walk = reached("signing")
    by_name = {e.message: e for e in walk.p.data.timeline if e.actor == SYSTEM_ACTOR}
    assert by_name["dpia_required"].clauses == ["6.4", "UK GDPR Art 9(1)"]
    assert by_name["isa_required"].clauses == ["3.1"]
    assert "3.1 regular sharing" in by_name["isa_required"].detail
    assert by_name["security_method"].clauses == ["8.1", "8.2"]
    assert by_name["scope"].clauses == ["1.1", "2.1", "2.2", "2.3", "2.4"]


@pytest.mark.parametrize("state", [*REACHABLE, "full"])
def test_timeline_is_numbered_1_to_n_in_order(state: str) -> None:
    walk = _full_lifecycle() if state == "full" else reached(state)
    timeline = walk.p.timeline()
    assert [e["seq"] for e in timeline] == list(range(1, len(timeline) + 1))
    times = [e.at for e in walk.p.data.timeline]
    assert times == sorted(times)
    for event in timeline:
        assert set(event) >= TIMELINE_KEYS, event


def test_a_persons_message_comes_before_the_decisions_it_caused() -> None:
    walk = Walk()
    walk.submit_screening()
    messages = [e.message for e in walk.p.data.timeline]
    assert messages[-2:] == ["submit_screening", "dpia_required"]
    walk.send("screening_decision", people.DPO, dpia_required=True)
    messages = [e.message for e in walk.p.data.timeline]
    assert messages[-2:] == ["screening_decision", "state"]


def test_the_timeline_names_fields_not_free_text() -> None:
    walk = reached("lawful_basis")
    walk.propose(justification="Mrs Example's complaint about her care")
    event = next(e for e in walk.p.data.timeline if e.message == "propose_lawful_basis")
    assert "Mrs Example" not in event.detail
    assert "public_task" in event.detail


# ======================================================================================
# (i) The status query
# ======================================================================================


@pytest.mark.parametrize("state", [*REACHABLE, "full"])
def test_status_has_every_key_of_the_contract(state: str) -> None:
    walk = _full_lifecycle() if state == "full" else reached(state)
    status = walk.p.status()
    assert set(status) >= STATUS_KEYS, STATUS_KEYS - set(status)
    assert status["state"] == walk.state
    assert status["parties"] == ["PHSO", *(r.name for r in walk.p.intake.recipients)]
    for waiting in status["awaiting"]:
        assert set(waiting) >= AWAITING_KEYS
        assert waiting["message"] in ACCEPTS[walk.state]
        assert waiting["roles"]
    for rec in status["recommendations"]:
        assert set(rec) >= RECOMMENDATION_KEYS
    if status["agreement"] is not None:
        assert set(status["agreement"]) >= AGREEMENT_KEYS
    if state in ("signing", "active", "review_due", "remediation", "suspended", "closing", "ended"):
        assert status["agreement"] is not None, state
    if state in ("screening", "dpia", "lawful_basis", "security_method"):
        assert status["agreement"] is None
    if walk.state in TERMINAL:
        assert status["awaiting"] == []
        assert status["outcome"]


def test_status_is_plain_json() -> None:
    import json

    status = _full_lifecycle().p.status()
    assert json.loads(json.dumps(status)) == status


def test_status_says_what_each_state_waits_for() -> None:
    expected = {
        "screening": "submit_screening",
        "dpia": "submit_dpia",
        "ico_prior_consultation": "ico_consultation_outcome",
        "isa_decision": "isa_decision",
        "lawful_basis": "propose_lawful_basis",
        "security_method": "security_advice",
        "signing": "sign",
        "review_due": "submit_review",
        "remediation": "remediation_complete",
        "suspended": "resume",
        "closing": "confirm_destruction",
    }
    for state, message in expected.items():
        awaiting = reached(state).p.awaiting()
        assert awaiting and awaiting[0]["message"] == message, (state, awaiting)
    assert reached("active").p.awaiting() == []


# ======================================================================================
# (j) ProposalData through JSON: what continue-as-new relies on
# ======================================================================================

Step = Callable[[Walk], Any]


def _sign(party: str) -> Step:
    return lambda w: w.sign(party)


SCRIPT: tuple[tuple[str, Step], ...] = (
    (
        "attach_record",
        lambda w: w.send("attach_record", people.CASEWORKER, **MESSAGES["attach_record"].example),
    ),
    ("submit_screening", lambda w: w.submit_screening(wp_large_scale=True)),
    ("screening_decision", lambda w: w.send("screening_decision", people.DPO, dpia_required=True)),
    ("repeat submit_screening", lambda w: w.submit_screening(wp_large_scale=True)),
    ("submit_dpia", lambda w: w.submit_dpia("medium")),
    (
        "changes_requested",
        lambda w: w.send("dpia_decision", people.DPO, outcome="changes_requested", reason="more"),
    ),
    ("submit_dpia again", lambda w: w.submit_dpia("high")),
    (
        "dpia approved",
        lambda w: w.send("dpia_decision", people.DPO, outcome="approved", reason="ok"),
    ),
    ("ico", lambda w: w.ico()),
    ("isa_decision", lambda w: w.isa(True)),
    ("propose", lambda w: w.propose()),
    ("advice dpo", lambda w: w.advise("dpo")),
    ("objection", lambda w: w.advise("information_rights", "object")),
    ("propose again", lambda w: w.propose()),
    (
        "condition",
        lambda w: w.send(
            "special_category_condition", people.INFORMATION_RIGHTS, **SPECIAL_CONDITION
        ),
    ),
    ("advice dpo again", lambda w: w.advise("dpo")),
    ("advice ir", lambda w: w.advise("information_rights")),
    ("security_advice", lambda w: w.security()),
    ("sign PHSO", _sign("PHSO")),
    ("sign LGSCO", _sign("LGSCO")),
    ("repeat sign LGSCO", _sign("LGSCO")),
    ("review 1 due", lambda w: w.fall_due()),
    ("review 1 fails", lambda w: w.submit_review(data_received=False)),
    ("suspend", lambda w: w.send("suspend", people.DPO, reason="x")),
    ("resume", lambda w: w.send("resume", people.DPO, reason="y")),
    (
        "remediation_complete",
        lambda w: w.send("remediation_complete", people.INFORMATION_RIGHTS, actions="a"),
    ),
    ("suspend again", lambda w: w.send("suspend", people.DPO, reason="x")),
    ("resume again", lambda w: w.send("resume", people.DPO, reason="y")),
    ("review 2", lambda w: w.review()),
    ("review 3", lambda w: w.review()),
    ("review 4 due", lambda w: w.fall_due()),
    (
        "review 4 fails and needs refresh",
        lambda w: w.submit_review(secure=False, needs_refresh=True),
    ),
    (
        "remediation_complete 2",
        lambda w: w.send("remediation_complete", people.INFORMATION_RIGHTS, actions="b"),
    ),
    ("sign v2 LGSCO", _sign("LGSCO")),
    ("sign v2 PHSO", _sign("PHSO")),
    ("review 5", lambda w: w.review()),
    ("terminate", lambda w: w.send("terminate", people.INFORMATION_RIGHTS, reason="done")),
    (
        "confirm_destruction",
        lambda w: w.send("confirm_destruction", people.INFORMATION_RIGHTS, notes="gone"),
    ),
)


def test_the_script_runs_to_the_end() -> None:
    walk = Walk()
    results = [step(walk) for _, step in SCRIPT]
    assert walk.state == "ended"
    names = [name for name, _ in SCRIPT]
    assert results[names.index("repeat submit_screening")] is False
    assert results[names.index("repeat sign LGSCO")] is False
    assert walk.p.data.agreement.version == 2  # type: ignore[union-attr]
    assert walk.p.data.review_number == 5


def test_proposal_data_round_trips_through_json_at_every_step() -> None:
    walk = Walk()
    for name, step in SCRIPT:
        step(walk)
        text = walk.p.data.model_dump_json()
        again = ProposalData.model_validate_json(text)
        assert again.model_dump_json() == text, name
        assert again.model_dump(mode="json") == walk.p.data.model_dump(mode="json"), name
        assert again == walk.p.data, name
        assert Proposal(again).status() == walk.p.status(), name
        assert Proposal(again).state == walk.state, name


@pytest.mark.parametrize(
    "cut", range(len(SCRIPT) + 1), ids=[f"after {n}" for n in ("start", *(n for n, _ in SCRIPT))]
)
def test_the_lifecycle_continues_identically_after_json(cut: int) -> None:
    """Cut anywhere, carry the data through JSON (continue-as-new), carry on: the copy
    behaves exactly as the original, step by step, to the end."""
    original = Walk()
    for _, step in SCRIPT[:cut]:
        step(original)
    copy = original.via_json()
    assert copy.p.data == original.p.data
    for name, step in SCRIPT[cut:]:
        a, b = step(original), step(copy)
        assert a == b, name
        assert copy.state == original.state, name
        assert copy.p.data == original.p.data, name
    assert copy.state == "ended"


def _remediating_with_refresh_pending() -> Walk:
    walk = _to_review_4(_walk_to("active"))
    walk.submit_review(secure=False, needs_refresh=True)
    assert walk.p.data.refresh_pending
    return walk


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: _walk_to("suspended"), id="suspended-from-active"),
        pytest.param(lambda: _suspend(_walk_to("remediation")), id="suspended-from-remediation"),
        pytest.param(_remediating_with_refresh_pending, id="remediation-refresh-pending"),
        pytest.param(lambda: _walk_to("remediation"), id="remediation"),
        pytest.param(lambda: _walk_to("signing"), id="signing"),
        pytest.param(lambda: _walk_to("review_due"), id="review_due"),
        pytest.param(lambda: _walk_to("lawful_basis"), id="lawful_basis"),
    ],
)
def test_round_trip_keeps_what_the_next_step_needs(make: Callable[[], Walk]) -> None:
    """Built live (not via `reached`, which itself goes through JSON)."""
    original = make()
    copy = original.via_json()
    assert copy.p.data == original.p.data
    assert copy.p.awaiting() == original.p.awaiting()
    assert copy.p.notification_key() == original.p.notification_key()
    assert copy.p.agreement_request() == original.p.agreement_request()
    # and the next step goes the same way
    nxt: Callable[[Walk], Any] = {
        "suspended": lambda w: w.send("resume", people.DPO, reason="ok"),
        "remediation": lambda w: w.send(
            "remediation_complete", people.INFORMATION_RIGHTS, actions="done"
        ),
        "signing": lambda w: w.sign("PHSO"),
        "review_due": lambda w: w.submit_review(),
        "lawful_basis": lambda w: w.propose(),
    }[original.state]
    assert nxt(original) == nxt(copy)
    assert copy.state == original.state
    assert copy.p.data == original.p.data


def _suspend(walk: Walk) -> Walk:
    walk.send("suspend", people.DPO, reason="breach")
    return walk


def test_whoever_it_waits_for_is_told_once_per_waiting_point() -> None:
    w = Walk()
    first = w.p.waiting_notification()
    assert first is not None and first.state == "screening"
    assert set(first.awaiting) == {entry["message"] for entry in w.p.awaiting()}
    w.p.notified(first)
    assert w.p.waiting_notification() is None  # told already
    w.screen(True)
    second = w.p.waiting_notification()
    assert second is not None and second.state == "dpia" and second.key != first.key
    ended = _walk_to("ended")
    assert ended.p.awaiting() == [] and ended.p.waiting_notification() is None
