"""Security method, clause by clause (states/rules/security.py): PROTOCOL.md 2.7
(protocol 8.1, 8.2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from states import rules
from tests.factories import make_intake
from tests.states.rules.helpers import low_risk


@pytest.mark.parametrize("frequency", ["one_off", "occasional"])
def test_8_1_small_volume_not_regular_is_encrypted_email(frequency: str) -> None:
    d = rules.recommend_security(low_risk(volume=40, frequency=frequency), 50)
    assert d.decision == "security_method"
    assert d.value == "encrypted_email"
    assert d.clauses == ("8.1",)
    assert d.reasons == ("8.1 small volume (40 records) and not regular: encrypted email (Egress)",)


def test_8_1_threshold_is_inclusive() -> None:
    assert rules.recommend_security(low_risk(volume=50), 50).value == "encrypted_email"
    assert rules.recommend_security(low_risk(volume=51), 50).value == "ict_helphub"


def test_8_1_small_but_regular_goes_to_ict_helphub_with_8_2_factors() -> None:
    d = rules.recommend_security(
        make_intake(volume=5, frequency="regular", special_categories=["health"]), 50
    )
    assert d.value == "ict_helphub"
    assert d.clauses == ("8.1", "8.2")
    assert d.reasons[0] == "8.1 sharing is regular: request advice from the ICT helphub"
    factors = d.reasons[1]
    assert factors.startswith("8.2 factors: ")
    for words in ("sensitivity", "health", "volume (5 records)", "credibility of LGSCO", "novelty"):
        assert words in factors


def test_8_1_large_volume_goes_to_ict_helphub() -> None:
    d = rules.recommend_security(low_risk(volume=5000, frequency="one_off"), 50)
    assert d.value == "ict_helphub"
    assert d.clauses == ("8.1", "8.2")
    assert "5000" in d.reasons[0]
    assert "special category" not in d.reasons[1]


@given(
    volume=st.integers(0, 10_000),
    threshold=st.integers(0, 10_000),
    frequency=st.sampled_from(["one_off", "occasional", "regular"]),
)
def test_8_1_security_method_property(volume: int, threshold: int, frequency: str) -> None:
    d = rules.recommend_security(low_risk(volume=volume, frequency=frequency), threshold)
    email = volume <= threshold and frequency != "regular"
    assert d.value == ("encrypted_email" if email else "ict_helphub")
    assert d.clauses == (("8.1",) if email else ("8.1", "8.2"))
