"""The pure proposal aggregate (states/proposal/), driven without Temporal: what the tests
of tests/states share.

A `Walk` drives one `Proposal` the way people and the workflow do: each message through
`apply` with the sender's directory entry (tests/people.py), a draft of the agreement
whenever `agreement_request()` asks for one, and a clock the test controls. `reached`
gives a fresh Walk in any reachable state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import pytest

from states import rules
from states.intake import Intake
from states.machine import STATES
from states.proposal import Proposal, ProposalData, Refusal
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

SIGNATORIES: dict[str, str] = {"PHSO": people.SIGNATORY_PHSO, "LGSCO": people.SIGNATORY_LGSCO}


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


def _in_scoping() -> Walk:
    """`scoping` is never a resting state (start scopes at once); build one directly."""
    data = ProposalData(proposal_id="isp-scoping", intake=make_intake(), started_at=T0)
    return Walk.from_data(data, T0)


def _to_review_4(walk: Walk) -> Walk:
    walk.review()
    walk.review()
    walk.review()
    walk.fall_due()
    return walk


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
