"""Hostile payloads on the pure proposal: only `Refusal` ever escapes `check` or `apply`, a
refusal changes nothing, what is recorded of a refusal is short and storable, and whatever
is accepted can be stored (serialised as the data converter does, no NUL)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pydantic_core
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from states.authorisation import roles_needed
from states.limits import MAX_DEPTH, MAX_PAYLOAD_BYTES, check_payload_limits
from states.machine import ACCEPTS, STATES
from states.messages import MESSAGES, PayloadError, parse_payload
from states.proposal import MAX_REFUSAL_CHARS, Proposal, Refusal
from states.types import Person
from tests import people
from tests.factories import make_intake
from tests.hostile import hostile_payload, kind_of_refusal, nested, summary
from tests.states.proposal.helpers import PERSONS, snapshot
from tests.states.test_authorisation import fitting_payload, prepared

EXAMPLES = 1000
SENDERS: list[tuple[str, Person | None]] = [
    *PERSONS.items(),
    (people.NOBODY, None),
]


def _entitled(message: str) -> tuple[str, Person | None]:
    """Someone who holds a role `message` needs and did not propose the sharing."""
    return next(
        (email, p)
        for email, p in PERSONS.items()
        if set(roles_needed(message)) & set(p.roles) and email != people.CASEWORKER
    )


def storable(proposal: Proposal) -> None:
    """What the data converter would do with the proposal's data: it must not fail, and
    PostgreSQL must be able to store its text."""
    text = pydantic_core.to_json(proposal.data).decode()
    assert "\\u0000" not in text


def test_hostile_payloads_are_refused_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    counts: Counter[str] = Counter()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.data())
    def run(data: st.DataObject) -> None:
        state = data.draw(st.sampled_from(STATES), label="state")
        # half the time a message the state accepts, from someone entitled to send it
        messages = sorted(MESSAGES)
        awaited: bool = data.draw(st.booleans(), label="awaited?")
        if awaited and ACCEPTS[state]:
            messages = sorted(ACCEPTS[state])
        message = data.draw(st.sampled_from(messages), label="message")
        entitled = _entitled(message)
        senders = [entitled] if data.draw(st.booleans(), label="entitled?") else SENDERS
        actor, person = data.draw(st.sampled_from(senders), label="sender")
        walk = prepared(state)
        role = next((r.value for r in roles_needed(message) if person and r in person.roles), None)
        valid = {"actor": actor, **fitting_payload(walk, message, role)}
        raw = data.draw(hostile_payload(valid), label="payload")
        before = snapshot(walk.p)
        try:
            walk.p.check(message, raw)  # the Update validator's part
            walk.p.apply(message, raw, person, walk.now)
        except Refusal as refusal:
            assert snapshot(walk.p) == before, f"refused {message} changed the proposal"
            walk.p.refuse(message, raw, refusal, walk.now)
            event = walk.p.data.timeline[-1]
            assert len(event.detail) <= MAX_REFUSAL_CHARS
            assert len(event.actor) <= 254
            storable(walk.p)
            counts[f"refused ({kind_of_refusal(str(refusal))})"] += 1
            return
        storable(walk.p)
        counts["accepted"] += 1

    run()
    with capsys.disabled():
        print("\n" + summary("hostile payloads, pure Proposal", counts))
    assert counts["accepted"] and counts["refused (limit)"] and counts["refused (payload)"]


# ----- the limits, one by one -------------------------------------------------------------


def _refusal(message: str, raw: Any) -> str:
    with pytest.raises(PayloadError) as err:
        parse_payload(message, raw)
    return str(err.value)


def test_a_payload_over_the_size_limit_is_refused_naming_size_and_limit() -> None:
    raw = {"actor": people.CASEWORKER, "reason": "x" * MAX_PAYLOAD_BYTES}
    text = _refusal("withdraw", raw)
    assert text.startswith("withdraw: the payload is ")
    size = len(pydantic_core.to_json(raw))
    assert f"is {size} bytes of JSON; the limit is {MAX_PAYLOAD_BYTES} bytes (64 KiB)" in text


def test_the_size_counts_bytes_not_characters() -> None:
    # 4-byte characters: under the limit in characters, over it in bytes
    raw = {"actor": people.CASEWORKER, "reason": "💥" * (MAX_PAYLOAD_BYTES // 4)}
    assert f"is {len(pydantic_core.to_json(raw))} bytes" in _refusal("withdraw", raw)


def test_the_largest_valid_payload_of_every_message_is_well_under_the_limit() -> None:
    """Every text field at its maximum length in 4-byte characters: the limit refuses
    nothing a person could mean to send."""
    for message, spec in MESSAGES.items():
        raw: dict[str, Any] = {"actor": people.CASEWORKER, **spec.example}
        for name, field in spec.payload.model_fields.items():
            longest = max((m.max_length for m in field.metadata if hasattr(m, "max_length")),
                          default=None)  # fmt: skip
            if longest and name not in ("document_sha256", "sha256"):
                raw[name] = "💥" * longest
        assert len(pydantic_core.to_json(raw)) < MAX_PAYLOAD_BYTES // 2, message
        check_payload_limits(raw)


@pytest.mark.parametrize("as_list", [True, False])
def test_deep_nesting_is_refused_without_recursion(as_list: bool) -> None:
    # far deeper than Python's recursion limit: the check must not recurse
    raw = {"actor": people.CASEWORKER, "reason": nested(100_000, as_list=as_list)}
    assert f"nests more than {MAX_DEPTH} levels deep" in _refusal("withdraw", raw)
    shallow = {"actor": people.CASEWORKER, "reason": nested(MAX_DEPTH - 1, as_list=as_list)}
    assert "field 'reason'" in _refusal("withdraw", shallow)  # not text: refused by the model


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("no\x00pe", "contains the control character U+0000"),
        ("bell\x07", "contains the control character U+0007"),
        ("lone \ud800", "is not valid text: it contains a lone surrogate"),
    ],
)
def test_text_that_cannot_be_stored_is_refused_naming_the_field(text: str, why: str) -> None:
    raw = {"actor": people.CASEWORKER, "answers": {"ok": True}, "notes": text}
    assert _refusal("submit_review", raw) == f"submit_review: field 'notes' {why}"
    nested_raw = {"actor": people.CASEWORKER, "minimisation": {"necessary": text}}
    assert f"field 'minimisation.necessary' {why}" in _refusal("propose_lawful_basis", nested_raw)


def test_tabs_and_newlines_are_text() -> None:
    raw = {"actor": people.CASEWORKER, "reason": "line one\r\n\tline two"}
    assert parse_payload("withdraw", raw).reason == "line one\r\n\tline two"  # type: ignore[attr-defined]


@pytest.mark.parametrize("key", ["k" * 65, "a\x00", "\udc00"])
def test_odd_field_names_are_refused_without_repeating_them(key: str) -> None:
    text = _refusal("withdraw", {"actor": people.CASEWORKER, "reason": "r", key: 1})
    assert text.startswith("withdraw: a field name in 'payload' ")
    assert key not in text


def test_huge_integers_are_measured_not_printed() -> None:
    raw = {"actor": people.CASEWORKER, "review_number": 10**200_000, "answers": {}}
    assert "bytes of JSON" in _refusal("submit_review", raw)


def test_a_refused_signal_records_only_a_short_storable_actor_and_detail() -> None:
    walk = prepared("screening")
    raw = {"actor": "x" * 300 + "\x00", "reason": "r" * 100_000}
    with pytest.raises(Refusal) as err:
        walk.p.apply("withdraw", raw, None, walk.now)
    walk.p.refuse("withdraw", raw, err.value, walk.now)
    event = walk.p.data.timeline[-1]
    assert (event.actor, event.accepted) == ("unknown", False)
    refusal = Refusal("withdraw: " + "too long " * 1000)
    walk.p.refuse("withdraw", {"actor": people.CASEWORKER}, refusal, walk.now)
    event = walk.p.data.timeline[-1]
    assert event.actor == people.CASEWORKER
    assert len(event.detail) == MAX_REFUSAL_CHARS and event.detail.endswith("…")


@pytest.mark.parametrize("field", ["title", "purpose"])
def test_an_intake_with_text_that_cannot_be_stored_is_refused(field: str) -> None:
    with pytest.raises(ValidationError, match="the text contains the control character U\\+0000"):
        make_intake(**{field: "Joint\x00review"})
    with pytest.raises(ValidationError, match=r"recipients\.0\.name"):
        make_intake(recipients=[{"name": "LG\udc00", "kind": "public_body", "location": "england"}])
