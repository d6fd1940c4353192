"""Reviews, remediation, suspension (states/proposal/reviews.py; PROTOCOL.md 2.9)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from states import rules
from tests import people
from tests.states.proposal.helpers import T0, _to_review_4, reached


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


def test_suspension_returns_where_it_came_from() -> None:
    walk = reached("remediation")
    assert walk.send("suspend", people.DPO, reason="breach")
    assert walk.send("resume", people.DPO, reason="fixed")
    assert walk.state == "remediation"
