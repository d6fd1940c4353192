"""What the tests of the rules (states/rules/) share: recipients, screening answers."""

from __future__ import annotations

from states.messages import SCREENING_CRITERIA
from tests.factories import low_risk_intake

PUBLIC_LGSCO = {"name": "LGSCO", "kind": "public_body", "location": "england"}


def recipient(name: str, kind: str = "public_body", location: str = "england") -> dict[str, str]:
    return {"name": name, "kind": kind, "location": location}


def no_answers(**true: bool) -> dict[str, bool]:
    """Every screening criterion False, except those given."""
    answers = dict.fromkeys(SCREENING_CRITERIA, False)
    for key, value in true.items():
        assert key in answers, key
        answers[key] = value
    return answers


low_risk = low_risk_intake
