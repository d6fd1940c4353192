"""Test data shared by the test suites."""

from __future__ import annotations

import copy
from typing import Any

from states.intake import Intake

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
