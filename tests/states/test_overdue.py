"""Overdue approvals and reviews (PROTOCOL.md 2.9) and publication (9.1, 4.14), on the
pure proposal: when reminders and the escalation fall due, and what they record."""

from __future__ import annotations

from datetime import timedelta

import pytest

from states.machine import IN_FORCE, STATES, TERMINAL
from states.messages import MESSAGES
from states.types import Policy, Publication
from tests import people
from tests.factories import ALL_FALSE_SCREENING
from tests.states.proposal.helpers import Walk, reached

POLICY = Policy(remind_after=timedelta(days=5), escalate_after=timedelta(days=12))


def waiting(state: str) -> Walk:
    walk = reached(state)
    walk.p.set_policy(POLICY)
    walk.p.note_waiting(walk.now)
    return walk


def test_the_clock_starts_when_the_proposal_waits_for_people() -> None:
    walk = waiting("screening")
    d = walk.p.data
    assert d.waiting_since == walk.now and d.reminders_sent == 0 and d.overdue_since is None
    assert walk.p.next_chase_at() == walk.now + POLICY.remind_after
    assert walk.p.chase_due(walk.now + POLICY.remind_after - timedelta(seconds=1)) is None


def test_reminders_then_escalation_then_more_reminders() -> None:
    walk = waiting("screening")
    since = walk.p.data.waiting_since
    assert since is not None
    request = walk.p.chase("reminder", since + POLICY.remind_after)
    assert (request.kind, request.reminder) == ("reminder", 1)
    assert request.key == walk.p.data.waiting_key
    assert request.awaiting == {"submit_screening": ["caseworker"]}
    assert walk.p.next_chase_at() == since + 2 * POLICY.remind_after
    walk.p.chase("reminder", since + 2 * POLICY.remind_after)
    # the escalation (day 12) comes before the third reminder (day 15)
    assert walk.p.next_chase_at() == since + POLICY.escalate_after
    now = since + POLICY.escalate_after
    assert walk.p.chase_due(now) == "escalation"
    request = walk.p.chase("escalation", now)
    assert request.kind == "escalation" and request.overdue_since == now
    assert walk.p.data.overdue_since == now
    assert walk.p.status()["overdue_since"] == now.isoformat()
    # once escalated, reminders go on at their own period, never a second escalation
    assert walk.p.chase_due(now + timedelta(days=2)) is None
    assert walk.p.chase_due(since + 3 * POLICY.remind_after) == "reminder"
    events = [e for e in walk.p.data.timeline if e.message in ("reminder", "escalated")]
    assert [e.message for e in events] == ["reminder", "reminder", "escalated"]
    assert all(e.clauses == list(MESSAGES["submit_screening"].clauses) for e in events)


def test_periods_missed_while_no_worker_ran_are_counted_not_sent_one_by_one() -> None:
    walk = waiting("screening")
    since = walk.p.data.waiting_since
    assert since is not None
    late = since + 4 * POLICY.remind_after + timedelta(hours=1)
    request = walk.p.chase("escalation", late)
    assert request.reminder == 4
    assert walk.p.chase_due(late) is None
    assert walk.p.next_chase_at() == since + 5 * POLICY.remind_after


def test_acting_restarts_the_clock_and_clears_overdue() -> None:
    walk = waiting("screening")
    since = walk.p.data.waiting_since
    assert since is not None
    walk.p.chase("escalation", since + POLICY.escalate_after)
    walk.now = since + POLICY.escalate_after + timedelta(hours=1)
    walk.send("submit_screening", people.CASEWORKER, answers=ALL_FALSE_SCREENING)
    walk.p.note_waiting(walk.now)
    d = walk.p.data
    assert d.waiting_since == walk.now and d.overdue_since is None and d.reminders_sent == 0


def test_noting_the_same_wait_again_keeps_the_clock() -> None:
    walk = waiting("screening")
    since = walk.p.data.waiting_since
    walk.p.note_waiting(walk.now + timedelta(days=3))
    assert walk.p.data.waiting_since == since


@pytest.mark.parametrize("state", ["active", "suspended", *sorted(TERMINAL)])
def test_nothing_is_chased_where_nobody_is_awaited_or_the_wait_is_deliberate(
    state: str,
) -> None:
    walk = waiting(state)
    assert walk.p.data.waiting_since is None
    assert walk.p.next_chase_at() is None
    assert walk.p.chase_due(walk.now + timedelta(days=365)) is None


@pytest.mark.parametrize(
    "state", ["dpia", "lawful_basis", "security_method", "signing", "review_due", "closing"]
)
def test_every_awaited_approval_is_chased(state: str) -> None:
    walk = waiting(state)
    assert walk.p.chase_due(walk.now + POLICY.escalate_after) == "escalation"


def test_without_a_policy_nothing_is_chased() -> None:
    walk = reached("screening")
    walk.p.note_waiting(walk.now)
    assert walk.p.next_chase_at() is None


# ----- publication ----------------------------------------------------------------------


@pytest.mark.parametrize("state", sorted(set(STATES) - {"scoping"}))
def test_only_a_fully_signed_agreement_in_force_is_published(state: str) -> None:
    request = reached(state).p.publish_request()
    assert (request is not None) == (state in IN_FORCE)


def test_publication_names_the_signed_version_and_happens_once() -> None:
    walk = reached("active")
    request = walk.p.publish_request()
    assert request is not None
    agreement = walk.p.data.agreement
    assert agreement is not None
    assert (request.version, request.sha256) == (agreement.version, agreement.sha256)
    assert {s.party for s in request.signatures} == set(walk.p.parties)
    assert request.signed_at == max(s.at for s in agreement.signed_by)
    walk.p.agreement_published(
        Publication(public_path="/register/isp-test/v1", html_uri="file:///x.html"),
        request.version,
        walk.now,
    )
    assert walk.p.publish_request() is None
    assert walk.p.status()["published"] == {"version": 1, "public_path": "/register/isp-test/v1"}
    assert walk.p.data.timeline[-1].clauses == ["9.1", "4.14"]


def test_a_version_that_cannot_be_published_is_not_retried_but_a_new_one_is() -> None:
    walk = reached("active")
    walk.p.publication_failed(1, "changed after signing", walk.now)
    assert walk.p.publish_request() is None
    assert "not published" in walk.p.data.timeline[-1].detail
