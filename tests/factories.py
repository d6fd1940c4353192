"""Test data shared by the test suites."""

from __future__ import annotations

import copy
from typing import Any

from states.intake import Intake
from states.messages import MESSAGES, SCREENING_CRITERIA

# The example intake of CONTRACT.md ("Intake (JSON)").
EXAMPLE_INTAKE: dict[str, Any] = {
    "title": "Joint investigation with LGSCO",
    "purpose": "Share complainant details for a joint health and social care investigation",
    "caseworker": "casey@phso.example",
    "recipients": [{"name": "LGSCO", "kind": "public_body", "location": "england"}],
    "personal_data": True,
    "anonymised": False,
    "special_categories": ["health"],
    "criminal_offence_data": False,
    "volume": 250,
    "frequency": "regular",
    "request_type": "proactive_share",
    "imminent_risk_of_harm": False,
    "specified_in_law": None,
    "onward_use_controls": True,
    "business_critical": False,
    "maintained_technology": False,
}


def make_intake(**overrides: Any) -> Intake:
    """The CONTRACT.md example intake with `overrides` applied (plain JSON values or models)."""
    data = {**copy.deepcopy(EXAMPLE_INTAKE), **overrides}
    return Intake.model_validate(data)


def low_risk_intake(**overrides: Any) -> Intake:
    """No special category or criminal offence data, one-off, small, no 3.1 trigger:
    no DPIA, no ISA, encrypted email."""
    base: dict[str, Any] = {
        "special_categories": [],
        "criminal_offence_data": False,
        "frequency": "one_off",
        "onward_use_controls": False,
        "business_critical": False,
        "maintained_technology": False,
        "volume": 10,
    }
    return make_intake(**{**base, **overrides})


# Payloads (without `actor`) that the protocol accepts.
ALL_FALSE_SCREENING: dict[str, bool] = dict.fromkeys(SCREENING_CRITERIA, False)
LAWFUL_BASIS: dict[str, Any] = MESSAGES["propose_lawful_basis"].example
SPECIAL_CONDITION: dict[str, Any] = MESSAGES["special_category_condition"].example
