"""Reviews (PROTOCOL.md 2.9; protocol 10.1): when each review falls due, the checks due at
it, and its outcome."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import datetime

from states.decision import Decision
from states.messages import REVIEW_CHECKS

_CHECK_TEXT: dict[str, str] = {
    "data_received": "is the data received",
    "secure": "is it secure",
    "adequate_limited_relevant": "is it adequate, limited and relevant for the purpose",
    "benefits_realised": "are the expected benefits being realised",
    "retention_destruction_ok": "are retention and destruction actions being carried out",
    "needs_refresh": "does the agreement need to be refreshed or re-signed",
}

_CHECKS_BY_REVIEW: dict[int, tuple[str, ...]] = {
    1: ("data_received", "secure", "adequate_limited_relevant"),
    2: ("secure", "adequate_limited_relevant"),
    3: ("adequate_limited_relevant", "benefits_realised"),
}


def _require_review_number(review_number: int) -> None:
    if review_number < 1:
        raise ValueError(f"review_number must be 1 or more, got {review_number}")


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus calendar `months`, the day clamped to the month's end (31 Jan + 1 = 28/29 Feb).

    Time of day and tzinfo are kept.
    """
    index = moment.year * 12 + (moment.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def review_offset_months(review_number: int) -> int:
    """Months after launch of review `review_number`: 1, 3, 6, 12, then every 12 (10.1)."""
    _require_review_number(review_number)
    if review_number <= 3:
        return (1, 3, 6)[review_number - 1]
    return 12 * (review_number - 3)


def review_due_at(launched: datetime, review_number: int) -> datetime:
    """When review `review_number` is due, counted from launch (the last signature)."""
    return add_months(launched, review_offset_months(review_number))


def review_label(review_number: int) -> str:
    """``"the 1-month review"``, ``"the 3-month review"``, ... ``"the 24-month review"``."""
    return f"the {review_offset_months(review_number)}-month review"


def review_schedule_text(count: int = 6) -> list[str]:
    """The first `count` review times for the agreement: ``["1 month", "3 months", ...]``."""
    texts = []
    for n in range(1, count + 1):
        months = review_offset_months(n)
        texts.append(f"{months} month" if months == 1 else f"{months} months")
    return texts


def checks_due(review_number: int) -> tuple[str, ...]:
    """The checks due at review `review_number`, exactly as the table in 10.1."""
    _require_review_number(review_number)
    return _CHECKS_BY_REVIEW.get(review_number, REVIEW_CHECKS)


def check_review_answers(review_number: int, answers: Mapping[str, bool]) -> list[str]:
    """What is wrong with a review's answers: checks due but missing, or not due (10.1)."""
    due = checks_due(review_number)
    label = review_label(review_number)
    problems = []
    missing = [c for c in due if c not in answers]
    if missing:
        problems.append(
            f"answer {', '.join(missing)}: due at {label} (10.1); "
            f"the checks due are {', '.join(due)}."
        )
    extra = [c for c in answers if c not in due]
    if extra:
        problems.append(
            f"remove {', '.join(extra)}: not due at {label} (10.1); "
            f"the checks due are {', '.join(due)}."
        )
    return problems


def review_outcome(review_number: int, answers: Mapping[str, bool]) -> Decision:
    """The outcome of a review (10.1): passed, failed, needs_refresh, failed_and_needs_refresh.

    Every due check must be answered True except `needs_refresh`, where True means the
    agreement must be refreshed or re-signed. A due check that is missing counts as failed;
    answers to checks not due at this review are ignored (`check_review_answers` refuses them).
    """
    due = checks_due(review_number)
    label = review_label(review_number)
    failed = [c for c in due if c != "needs_refresh" and answers.get(c) is not True]
    refresh = "needs_refresh" in due and answers.get("needs_refresh") is True
    reasons = []
    for check in failed:
        how = "not answered" if check not in answers else "answered no"
        reasons.append(f"10.1 {label}: failed {check} ({_CHECK_TEXT[check]}? {how})")
    if refresh:
        reasons.append(f"10.1 {label}: the agreement needs refreshing or re-signing")
    if failed and refresh:
        value = "failed_and_needs_refresh"
    elif failed:
        value = "failed"
    elif refresh:
        value = "needs_refresh"
    else:
        value = "passed"
        reasons.append(f"10.1 {label}: every check passed ({', '.join(due)})")
    return Decision(decision="review", value=value, clauses=("10.1",), reasons=tuple(reasons))
