"""The lifecycle machine as a table (states/machine.py): reachability, terminal states,
random walks of events, and agreement with CONTRACT.md and the message table."""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transitions import MachineError

from states.machine import (
    ACCEPTS,
    IN_FORCE,
    PRE_ACTIVE,
    STATES,
    TERMINAL,
    TRANSITIONS,
    Lifecycle,
    build_definition_machine,
    successors,
)
from states.messages import MESSAGES

# The spec: CONTRACT.md "States (the `state` field, also search attribute `IspState`)",
# copied verbatim. The state names are public: never rename or drop one.
CONTRACT_STATES: tuple[str, ...] = (
    "scoping",
    "out_of_scope",
    "emergency_referred",
    "screening",
    "dpia",
    "ico_prior_consultation",
    "isa_decision",
    "lawful_basis",
    "security_method",
    "signing",
    "active",
    "review_due",
    "remediation",
    "suspended",
    "closing",
    "ended",
    "approved_without_agreement",
    "withdrawn",
    "rejected",
)

CONTRACT_MD = Path(__file__).resolve().parents[3] / "shared" / "spec" / "CONTRACT.md"

NON_TERMINAL = tuple(s for s in STATES if s not in TERMINAL)
ALL_EVENTS: tuple[str, ...] = tuple(sorted({t["trigger"] for t in TRANSITIONS}))

SETTINGS = settings(max_examples=150, deadline=None)


def sources(transition: dict[str, object]) -> list[str]:
    source = transition["source"]
    return list(source) if isinstance(source, list | tuple) else [str(source)]


def reachable_from(start: str) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in successors(queue.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def allowed_events(state: str) -> set[str]:
    return {t["trigger"] for t in TRANSITIONS if state in sources(t)}


# ======================================================================================
# The state list: CONTRACT.md
# ======================================================================================


def test_states_are_exactly_the_contracts() -> None:
    assert STATES == CONTRACT_STATES
    assert len(set(STATES)) == len(STATES)


def test_contract_md_still_lists_these_states() -> None:
    """The hard-coded list above is the one in CONTRACT.md (when the spec is at hand)."""
    if not CONTRACT_MD.exists():
        pytest.skip(f"{CONTRACT_MD} not available")
    text = CONTRACT_MD.read_text()
    match = re.search(r"### States[^\n]*\n`([^`]*)`", text)
    assert match, "CONTRACT.md has no States section"
    listed = tuple(s.strip() for s in match.group(1).split(","))
    assert listed == CONTRACT_STATES


def test_state_groups_are_consistent() -> None:
    assert set(STATES) >= TERMINAL
    assert set(PRE_ACTIVE) <= set(NON_TERMINAL)
    assert set(IN_FORCE) <= set(NON_TERMINAL)
    assert not set(PRE_ACTIVE) & set(IN_FORCE)
    assert "scoping" not in TERMINAL


def test_every_transition_names_known_states() -> None:
    for t in TRANSITIONS:
        assert t["dest"] in STATES, t
        for s in sources(t):
            assert s in STATES, t


def test_no_event_is_ambiguous() -> None:
    """From any state an event leads to exactly one place."""
    for state in STATES:
        for event in ALL_EVENTS:
            dests = {
                t["dest"] for t in TRANSITIONS if t["trigger"] == event and state in sources(t)
            }
            assert len(dests) <= 1, (state, event, dests)


# ======================================================================================
# Reachability
# ======================================================================================


@pytest.mark.parametrize("state", NON_TERMINAL)
def test_every_non_terminal_state_is_reachable_from_scoping(state: str) -> None:
    assert state in reachable_from("scoping")


def test_every_state_is_reachable_from_scoping() -> None:
    assert reachable_from("scoping") == set(STATES)


@pytest.mark.parametrize("state", NON_TERMINAL)
def test_every_non_terminal_state_can_reach_a_terminal_state(state: str) -> None:
    assert reachable_from(state) & TERMINAL, state


@pytest.mark.parametrize("state", NON_TERMINAL)
def test_every_non_terminal_state_has_an_exit(state: str) -> None:
    assert successors(state), state
    assert Lifecycle(state).events(), state


@pytest.mark.parametrize("state", PRE_ACTIVE)
def test_withdrawn_and_rejected_follow_every_pre_active_state(state: str) -> None:
    assert {"withdrawn", "rejected"} <= successors(state)


@pytest.mark.parametrize("state", sorted(TERMINAL))
def test_terminal_states_have_no_exits(state: str) -> None:
    assert successors(state) == set()
    assert not [t for t in TRANSITIONS if state in sources(t)]
    assert Lifecycle(state).events() == []
    assert ACCEPTS[state] == ()


@pytest.mark.parametrize("state", STATES)
def test_lifecycle_events_match_the_table(state: str) -> None:
    machine = build_definition_machine()
    assert set(Lifecycle(state).events()) == allowed_events(state)
    assert set(machine.get_triggers(state)) == allowed_events(state)
    assert {t["dest"] for t in TRANSITIONS if state in sources(t)} == successors(state)


def test_definition_machine_has_the_whole_table() -> None:
    machine = build_definition_machine()
    assert set(machine.states) == set(STATES)
    assert set(machine.events) == set(ALL_EVENTS)
    assert machine.initial == "scoping"


# ======================================================================================
# Random walks of events
# ======================================================================================


@SETTINGS
@given(st.data())
def test_random_walks_stay_in_the_table(data: st.DataObject) -> None:
    lifecycle = Lifecycle()
    assert lifecycle.state == "scoping"
    for _ in range(40):
        before = lifecycle.state
        assert before in STATES
        events = lifecycle.events()
        if before in TERMINAL:
            assert events == []
            # nothing fires from a terminal state
            for event in ALL_EVENTS:
                with pytest.raises(MachineError):
                    lifecycle.fire(event)
                assert lifecycle.state == before
            break
        assert events, f"{before} is not terminal but has no event"
        event = data.draw(st.sampled_from(events), label=f"event from {before}")
        after = lifecycle.fire(event)
        assert after == lifecycle.state
        assert after in STATES
        assert after in successors(before)


@SETTINGS
@given(st.data())
def test_random_walks_end_if_they_always_head_for_an_end(data: st.DataObject) -> None:
    """From anywhere, choosing events that lead to a terminal state ends the walk."""
    lifecycle = Lifecycle(data.draw(st.sampled_from(STATES), label="start"))
    for _ in range(len(STATES) + 1):
        if lifecycle.state in TERMINAL:
            return
        here = _distance_to_end(lifecycle.state)
        toward_end = [
            e for e in lifecycle.events() if _distance_to_end(_dest(lifecycle.state, e)) < here
        ]
        assert toward_end, lifecycle.state
        lifecycle.fire(data.draw(st.sampled_from(toward_end)))
    raise AssertionError(f"walk did not end, stuck in {lifecycle.state}")


def _dest(state: str, event: str) -> str:
    (dest,) = {t["dest"] for t in TRANSITIONS if t["trigger"] == event and state in sources(t)}
    return str(dest)


def _distance_to_end(state: str) -> int:
    if state in TERMINAL:
        return 0
    seen = {state}
    frontier = {state}
    distance = 0
    while frontier:
        distance += 1
        frontier = {n for s in frontier for n in successors(s)} - seen
        if frontier & TERMINAL:
            return distance
        seen |= frontier
    return 10**6


@pytest.mark.parametrize("state", STATES)
def test_firing_a_disallowed_event_raises_and_changes_nothing(state: str) -> None:
    allowed = allowed_events(state)
    for event in ALL_EVENTS:
        if event in allowed:
            continue
        lifecycle = Lifecycle(state)
        with pytest.raises(MachineError):
            lifecycle.fire(event)
        assert lifecycle.state == state, event


@SETTINGS
@given(st.sampled_from(STATES), st.sampled_from(ALL_EVENTS))
def test_fire_moves_by_the_table_or_raises(state: str, event: str) -> None:
    lifecycle = Lifecycle(state)
    if event in allowed_events(state):
        assert lifecycle.fire(event) == _dest(state, event)
    else:
        with pytest.raises(MachineError):
            lifecycle.fire(event)
        assert lifecycle.state == state


def test_unknown_event_and_state_are_errors() -> None:
    lifecycle = Lifecycle("active")
    with pytest.raises(ValueError, match="unknown event"):
        lifecycle.fire("explode")
    assert lifecycle.state == "active"
    with pytest.raises(ValueError, match="unknown state"):
        Lifecycle("limbo")


def test_lifecycles_do_not_share_state() -> None:
    """One machine drives every proposal: each Lifecycle keeps its own state."""
    a, b = Lifecycle(), Lifecycle()
    a.fire("scope_in")
    assert (a.state, b.state) == ("screening", "scoping")
    b.fire("refer_emergency")
    assert (a.state, b.state) == ("screening", "emergency_referred")


# ======================================================================================
# Messages accepted per state
# ======================================================================================


def test_accepts_has_exactly_the_states() -> None:
    assert set(ACCEPTS) == set(STATES)
    assert len(ACCEPTS) == len(STATES)


def test_every_accepted_message_is_known() -> None:
    for state, messages in ACCEPTS.items():
        assert len(set(messages)) == len(messages), state
        for message in messages:
            assert message in MESSAGES, (state, message)


def test_every_message_is_accepted_somewhere() -> None:
    accepted = {m for messages in ACCEPTS.values() for m in messages}
    assert set(MESSAGES) <= accepted
    assert accepted == set(MESSAGES)


def test_terminal_and_scoping_accept_nothing() -> None:
    for state in (*TERMINAL, "scoping"):
        assert ACCEPTS[state] == (), state


def test_withdraw_is_accepted_only_before_the_agreement_is_in_force() -> None:
    assert {s for s, m in ACCEPTS.items() if "withdraw" in m} == set(PRE_ACTIVE)
    assert {s for s, m in ACCEPTS.items() if "suspend" in m} == {
        "active",
        "review_due",
        "remediation",
    }
