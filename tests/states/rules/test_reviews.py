"""Reviews, clause by clause (states/rules/reviews.py): PROTOCOL.md 2.9 (protocol 10.1)."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from states import rules
from states.messages import REVIEW_CHECKS


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime(2024, 1, 31), 1, datetime(2024, 2, 29)),  # leap year
        (datetime(2023, 1, 31), 1, datetime(2023, 2, 28)),
        (datetime(2024, 3, 31), 1, datetime(2024, 4, 30)),
        (datetime(2024, 12, 15), 1, datetime(2025, 1, 15)),
        (datetime(2024, 8, 31), 6, datetime(2025, 2, 28)),
        (datetime(2024, 2, 29), 12, datetime(2025, 2, 28)),
        (datetime(2024, 3, 31), -1, datetime(2024, 2, 29)),
        (datetime(2024, 1, 15), -13, datetime(2022, 12, 15)),
        (datetime(2024, 5, 20), 0, datetime(2024, 5, 20)),
    ],
)
def test_add_months_examples(start: datetime, months: int, expected: datetime) -> None:
    """10.1: the schedule counts calendar months."""
    assert rules.add_months(start, months) == expected


def test_add_months_keeps_time_and_tzinfo() -> None:
    """10.1: the schedule counts calendar months."""
    bst = timezone(timedelta(hours=1), "BST")
    moment = datetime(2024, 1, 31, 23, 59, 58, 123456, tzinfo=bst)
    got = rules.add_months(moment, 1)
    assert got == datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=bst)
    assert got.tzinfo is bst


moments = st.datetimes(
    min_value=datetime(1900, 1, 1),
    max_value=datetime(2400, 12, 31),
    timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=-5))]),
)


@given(moment=moments, months=st.integers(-1200, 1200))
def test_add_months_properties(moment: datetime, months: int) -> None:
    """10.1: the schedule counts calendar months."""
    got = rules.add_months(moment, months)
    assert (got.year * 12 + got.month) - (moment.year * 12 + moment.month) == months
    assert got.day == min(moment.day, calendar.monthrange(got.year, got.month)[1])
    assert got.time() == moment.time()
    assert got.tzinfo is moment.tzinfo


@given(moment=moments, a=st.integers(-600, 600), b=st.integers(-600, 600))
def test_add_months_composes_when_no_clamping(moment: datetime, a: int, b: int) -> None:
    """10.1: the schedule counts calendar months."""
    moment = moment.replace(day=min(moment.day, 28))
    assert rules.add_months(rules.add_months(moment, a), b) == rules.add_months(moment, a + b)


@given(moment=moments, a=st.integers(0, 600), b=st.integers(0, 600))
def test_add_months_is_monotone(moment: datetime, a: int, b: int) -> None:
    """10.1: the schedule counts calendar months."""
    if a < b:
        assert rules.add_months(moment, a) < rules.add_months(moment, b)


def test_10_1_review_offsets() -> None:
    assert [rules.review_offset_months(n) for n in range(1, 8)] == [1, 3, 6, 12, 24, 36, 48]


@pytest.mark.parametrize("bad", [0, -1])
def test_review_number_must_be_positive(bad: int) -> None:
    """10.1: reviews are numbered from 1."""
    with pytest.raises(ValueError, match="review_number"):
        rules.review_offset_months(bad)
    with pytest.raises(ValueError, match="review_number"):
        rules.checks_due(bad)


def test_10_1_review_due_dates_count_from_launch() -> None:
    launched = datetime(2024, 1, 31, 10, 30, tzinfo=UTC)
    due = [rules.review_due_at(launched, n) for n in range(1, 6)]
    assert due == [
        datetime(2024, 2, 29, 10, 30, tzinfo=UTC),
        datetime(2024, 4, 30, 10, 30, tzinfo=UTC),
        datetime(2024, 7, 31, 10, 30, tzinfo=UTC),
        datetime(2025, 1, 31, 10, 30, tzinfo=UTC),
        datetime(2026, 1, 31, 10, 30, tzinfo=UTC),
    ]


def test_review_labels() -> None:
    """10.1: each review named by its place in the schedule."""
    assert [rules.review_label(n) for n in range(1, 6)] == [
        "the 1-month review",
        "the 3-month review",
        "the 6-month review",
        "the 12-month review",
        "the 24-month review",
    ]


def test_review_schedule_text() -> None:
    """10.1: the schedule as the agreement states it."""
    assert rules.review_schedule_text() == [
        "1 month",
        "3 months",
        "6 months",
        "12 months",
        "24 months",
        "36 months",
    ]
    assert rules.review_schedule_text(2) == ["1 month", "3 months"]


def test_10_1_checks_due_exactly_as_the_table() -> None:
    assert rules.checks_due(1) == ("data_received", "secure", "adequate_limited_relevant")
    assert rules.checks_due(2) == ("secure", "adequate_limited_relevant")
    assert rules.checks_due(3) == ("adequate_limited_relevant", "benefits_realised")
    twelve = (
        "data_received",
        "secure",
        "adequate_limited_relevant",
        "benefits_realised",
        "retention_destruction_ok",
        "needs_refresh",
    )
    assert twelve == REVIEW_CHECKS
    for n in (4, 5, 6, 20):
        assert rules.checks_due(n) == twelve


def all_yes(review_number: int) -> dict[str, bool]:
    return {c: c != "needs_refresh" for c in rules.checks_due(review_number)}


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_check_review_answers_accepts_exactly_the_checks_due(n: int) -> None:
    """10.1: exactly the checks due at the review are answered."""
    assert rules.check_review_answers(n, all_yes(n)) == []


def test_check_review_answers_names_missing_checks() -> None:
    """10.1: exactly the checks due at the review are answered."""
    problems = rules.check_review_answers(1, {"data_received": True})
    assert len(problems) == 1
    assert problems[0].startswith("answer secure, adequate_limited_relevant: due at the 1-month")
    assert "(10.1)" in problems[0]


def test_check_review_answers_refuses_checks_not_due() -> None:
    """10.1: exactly the checks due at the review are answered."""
    problems = rules.check_review_answers(3, {**all_yes(3), "needs_refresh": False})
    assert len(problems) == 1
    assert problems[0].startswith("remove needs_refresh: not due at the 6-month review")


def test_check_review_answers_both_missing_and_not_due() -> None:
    """10.1: exactly the checks due at the review are answered."""
    problems = rules.check_review_answers(2, {"data_received": True})
    assert len(problems) == 2
    assert "the 3-month review" in problems[0]
    assert problems[1].startswith("remove data_received")


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7])
def test_10_1_review_passes_when_every_check_is_yes(n: int) -> None:
    d = rules.review_outcome(n, all_yes(n))
    assert d.decision == "review"
    assert d.value == "passed"
    assert d.clauses == ("10.1",)


def test_10_1_a_no_fails_the_review_naming_each_failed_check() -> None:
    answers = {**all_yes(4), "secure": False, "benefits_realised": False}
    d = rules.review_outcome(4, answers)
    assert d.value == "failed"
    assert d.clauses == ("10.1",)
    assert len(d.reasons) == 2
    assert "failed secure" in d.reasons[0]
    assert "failed benefits_realised" in d.reasons[1]
    assert all("the 12-month review" in r for r in d.reasons)


def test_10_1_needs_refresh_yes_means_re_sign() -> None:
    d = rules.review_outcome(5, {**all_yes(5), "needs_refresh": True})
    assert d.value == "needs_refresh"
    assert d.reasons == ("10.1 the 24-month review: the agreement needs refreshing or re-signing",)


def test_10_1_failed_and_needs_refresh() -> None:
    d = rules.review_outcome(4, {**all_yes(4), "data_received": False, "needs_refresh": True})
    assert d.value == "failed_and_needs_refresh"
    assert len(d.reasons) == 2


def test_10_1_a_missing_check_counts_as_failed() -> None:
    d = rules.review_outcome(2, {"secure": True})
    assert d.value == "failed"
    assert "adequate_limited_relevant" in d.reasons[0]
    assert "not answered" in d.reasons[0]


def test_10_1_checks_not_due_do_not_change_the_outcome() -> None:
    d = rules.review_outcome(1, {**all_yes(1), "needs_refresh": True, "benefits_realised": False})
    assert d.value == "passed"


@given(
    n=st.integers(1, 30),
    answers=st.fixed_dictionaries({c: st.booleans() for c in REVIEW_CHECKS}),
)
def test_10_1_review_outcome_property(n: int, answers: dict[str, bool]) -> None:
    due = rules.checks_due(n)
    given_answers = {c: answers[c] for c in due}
    d = rules.review_outcome(n, given_answers)
    failed = any(not given_answers[c] for c in due if c != "needs_refresh")
    refresh = given_answers.get("needs_refresh", False)
    expected = {
        (False, False): "passed",
        (True, False): "failed",
        (False, True): "needs_refresh",
        (True, True): "failed_and_needs_refresh",
    }[(failed, refresh)]
    assert d.value == expected
    assert d.clauses == ("10.1",)
