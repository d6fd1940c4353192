"""The authorisation table (states/authorisation.py) against docs/approvers.md and the proposal.

The docs' copy of the table is the spec: it must equal the generated one, and every role
(plus someone not in the directory) x every message x every state is sent to a pure
`Proposal` and must be accepted exactly where the docs' table says so, refused
everywhere else with the reason, changing nothing. The footnotes (segregation of duties,
advice's claimed role, signatories' organisation) are checked the same way.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from states import authorisation
from states.authorisation import markdown_table, may_send
from states.machine import ACCEPTS, STATES, TERMINAL
from states.messages import MESSAGES, Role, parse_payload
from states.proposal import ProposalData, Refusal, message_digest
from states.types import LocalRecord, Person
from tests import people
from tests.factories import LAWFUL_BASIS, SPECIAL_CONDITION
from tests.states.proposal.helpers import Walk, _in_scoping, reached, snapshot

APPROVERS_DOC = Path(__file__).resolve().parents[2] / "docs" / "approvers.md"
START, END = "<!-- authorisation-table:start -->\n", "<!-- authorisation-table:end -->"
STRANGER = "stranger@phso.example"


def docs_block() -> str:
    text = APPROVERS_DOC.read_text(encoding="utf-8")
    assert START in text and END in text, "docs/approvers.md has lost its authorisation table"
    return text.split(START, 1)[1].split(END, 1)[0]


def test_the_docs_table_is_the_generated_one() -> None:
    assert docs_block() == markdown_table(), (
        "docs/approvers.md's authorisation table is out of date: paste "
        "`infoshare messages --table` between its authorisation-table markers"
    )


# ----- the docs' table, read back as data -----------------------------------------------


class Spec:
    """The docs' table: cells (message -> role -> states) and the footnote marks."""

    def __init__(self, block: str) -> None:
        groups = dict(re.findall(r"\*([a-z -]+)\*: ([a-z_, ]+?)[;.]", block))
        self.groups = {
            name: [s.strip() for s in states.split(",")] for name, states in groups.items()
        }
        rows = [line for line in block.splitlines() if line.startswith("| `")]
        header = block.splitlines()[0]
        self.roles = [Role(r) for r in re.findall(r"`([a-z_]+)`", header)]
        self.cells: dict[str, dict[Role, set[str]]] = {}
        self.marks: dict[str, str] = {}
        for row in rows:
            first, *cells = [c.strip() for c in row.strip("|").split("|")]
            match = re.fullmatch(r"`([a-z_]+)`(\S*)", first)
            assert match, first
            message, self.marks[message] = match.groups()
            self.cells[message] = {
                role: self._states(cell) for role, cell in zip(self.roles, cells, strict=True)
            }

    def _states(self, cell: str) -> set[str]:
        if cell == "—":
            return set()
        states: set[str] = set()
        for word in (w.strip() for w in cell.split(",")):
            states |= set(self.groups[word.strip("*")]) if word.startswith("*") else {word}
        return states

    def allowed(self, message: str, role: Role, state: str) -> bool:
        return state in self.cells[message][role]

    def accepted_in(self, message: str, state: str) -> bool:
        return any(state in states for states in self.cells[message].values())


SPEC = Spec(docs_block())


def test_the_docs_table_reads_back_as_the_code_s_table() -> None:
    assert SPEC.roles == list(Role)
    assert set(SPEC.cells) == set(MESSAGES)
    for message, cells in SPEC.cells.items():
        for role in Role:
            assert cells[role] == set(authorisation.TABLE[message][role]), (message, role)
            assert cells[role] <= set(STATES)


# ----- a proposal in every state, ready for every message that state accepts -------------


def _with_held_record(walk: Walk) -> Walk:
    """release_records needs a local record still held."""
    walk.p.data.records.append(
        LocalRecord(
            kind="email",
            uri="https://records.example/1",
            sha256="b" * 64,
            description="held",
            actor=people.INFORMATION_RIGHTS,
            at=walk.now,
        )
    )
    return walk


@cache
def _prepared(state: str) -> tuple[str, datetime]:
    """`state`, with what its messages need first done: screening answered, a DPIA
    submitted, a lawful basis proposed, a draft ready, a record held."""
    walk = _in_scoping() if state == "scoping" else reached(state).ready_to_decide()
    _with_held_record(walk)
    assert walk.state == state
    return walk.p.data.model_dump_json(), walk.now


def prepared(state: str) -> Walk:
    data, now = _prepared(state)
    return Walk.from_data(ProposalData.model_validate_json(data), now)


def fitting_payload(walk: Walk, message: str, role: str | None) -> dict[str, Any]:
    """A payload for `message` that the proposal's current state can take."""
    d = walk.p.data
    if message == "propose_lawful_basis":
        return dict(LAWFUL_BASIS)
    if message == "special_category_condition":
        return dict(SPECIAL_CONDITION)
    if message == "advice":
        claimed = role if role in ("dpo", "information_rights") else "dpo"
        return {"role": claimed, "outcome": "support", "notes": "sound"}
    if message == "sign":
        sha = d.agreement.sha256 if d.agreement else "c" * 64
        return {"party": "PHSO", "name": "S", "job_title": "Director", "document_sha256": sha}
    if message == "submit_review":
        number = d.review_number + 1
        return {"review_number": number, "answers": walk.review_answers(number)}
    return dict(MESSAGES[message].example)


def only(role: Role, organisation: str = "PHSO") -> Person:
    return Person(
        email=f"only-{role.value}@phso.example",
        name=role.value,
        roles=[role.value],
        organisation=organisation,
    )


# ----- every role x every message x every state -----------------------------------------


def _send(walk: Walk, message: str, raw: dict[str, Any], person: Person | None) -> str | None:
    """Apply; None when accepted, else the refusal (which must have changed nothing)."""
    before = snapshot(walk.p)
    try:
        walk.p.apply(message, raw, person, walk.now)
    except Refusal as refusal:
        assert snapshot(walk.p) == before, f"refused {message} changed the proposal"
        return str(refusal)
    return None


def _expect_refusal(text: str, message: str, state: str, why: str, actor: str) -> None:
    if why == "state":
        words = (
            f"the proposal has ended ({state})"
            if state in TERMINAL
            else f"{message} is not accepted in state {state}"
        )
    elif why == "directory":
        words = f"{actor} is not in the people directory"
    else:
        words = f"{actor} does not hold the role"
    assert words in text, (message, state, text)


@pytest.mark.parametrize("state", STATES)
def test_every_role_message_and_state_follows_the_table(state: str) -> None:
    """Each role (held alone, by someone who did not propose the sharing) and someone not
    in the directory, sending every message in `state`."""
    counts = {"accepted": 0, "refused": 0}
    subjects: list[tuple[Role | None, Person | None]] = [(r, only(r)) for r in Role]
    subjects.append((None, None))
    for message in MESSAGES:
        for role, person in subjects:
            walk = prepared(state)
            actor = person.email if person else STRANGER
            payload = fitting_payload(walk, message, role.value if role else None)
            raw = {"actor": actor, **payload}
            allowed = role is not None and SPEC.allowed(message, role, state)
            verdict = may_send(walk.p.attempt(message, parse_payload(message, raw)), person)
            assert verdict.allowed == allowed, (message, role, state, verdict)
            refusal = _send(walk, message, raw, person)
            if allowed:
                assert refusal is None, (message, role, state, refusal)
                counts["accepted"] += 1
                continue
            assert refusal is not None, f"{message} from {actor} was accepted in {state}"
            why = (
                "state"
                if not SPEC.accepted_in(message, state)
                else "directory"
                if person is None
                else "role"
            )
            assert verdict.rule == why and verdict.reason == refusal, (verdict, refusal)
            _expect_refusal(refusal, message, state, why, actor)
            counts["refused"] += 1
    assert counts["accepted"] == sum(SPEC.allowed(m, r, state) for m in MESSAGES for r in Role)
    print(f"{state}: {counts['accepted']} accepted, {counts['refused']} refused")


# ----- the footnotes -----------------------------------------------------------------------


@pytest.mark.parametrize("state", [s for s in STATES if ACCEPTS[s]])
def test_the_proposing_caseworker_never_sends_a_segregated_message(state: str) -> None:
    """² The caseworker who proposed the sharing, even holding every role, is refused every
    message marked ² and accepted for the others wherever the table lists the state."""
    casey = Person(
        email=people.CASEWORKER,
        name="Casey",
        roles=[r.value for r in Role],
        organisation="PHSO",
    )
    for message in MESSAGES:
        walk = prepared(state)
        assert str(walk.p.intake.caseworker) == people.CASEWORKER
        payload = fitting_payload(walk, message, "information_rights")
        raw = {"actor": people.CASEWORKER, **payload}
        repeat = message_digest(message, parse_payload(message, raw))
        refusal = _send(walk, message, raw, casey)
        segregated = authorisation.SEGREGATED_MARK in SPEC.marks[message]
        if repeat in walk.p.data.previous_visit_digests:
            assert refusal is None  # the footnote's exact repeat: acknowledged, no change
        elif not SPEC.accepted_in(message, state):
            assert refusal is not None and state in refusal
        elif segregated:
            assert refusal is not None, f"{message} from the proposing caseworker in {state}"
            assert f"segregation of duties: {people.CASEWORKER} proposed this sharing" in refusal
        else:
            assert refusal is None, (message, state, refusal)


def test_segregation_marks_are_the_messages_only_dpo_ir_or_ict_send() -> None:
    for message, cells in SPEC.cells.items():
        roles = {r.value for r, states in cells.items() if states}
        marked = authorisation.SEGREGATED_MARK in SPEC.marks[message]
        assert marked == (roles <= {"dpo", "information_rights", "ict"}), message


@pytest.mark.parametrize(
    ("holds", "claims"), [("dpo", "information_rights"), ("information_rights", "dpo")]
)
def test_advice_is_given_only_in_a_role_held(holds: str, claims: str) -> None:
    """¹ The advice's `role` must be one its sender holds."""
    assert authorisation.ADVICE_MARK in SPEC.marks["advice"]
    walk = prepared("lawful_basis")
    person = only(Role(holds))
    raw = {"actor": person.email, "role": claims, "outcome": "support", "notes": "n"}
    refusal = _send(walk, "advice", raw, person)
    assert refusal == (
        f"advice: {person.email} does not hold the role {claims} (roles held: {holds})"
    )
    assert _send(walk, "advice", {**raw, "role": holds}, person) is None


@pytest.mark.parametrize("organisation", ["PHSO", "LGSCO", "CQC"])
def test_a_signatory_signs_only_for_their_own_organisation(organisation: str) -> None:
    """³ `party` must be the signatory's organisation."""
    assert authorisation.SIGN_MARK in SPEC.marks["sign"]
    for party in ("PHSO", "LGSCO"):
        walk = prepared("signing")
        person = only(Role.signatory, organisation)
        raw = {"actor": person.email, **fitting_payload(walk, "sign", None), "party": party}
        refusal = _send(walk, "sign", raw, person)
        if party == organisation:
            assert refusal is None
        else:
            assert refusal == f"sign: {person.email} signs for {organisation}, not for {party}"
