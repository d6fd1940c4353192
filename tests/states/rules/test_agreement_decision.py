"""Need for an agreement, clause by clause (states/rules/agreement_decision.py):
PROTOCOL.md 2.5 (protocol 3.1-3.3)."""

from __future__ import annotations

from typing import Any

import pytest

from states import rules
from tests.factories import make_intake
from tests.states.rules.helpers import PUBLIC_LGSCO, low_risk, no_answers, recipient


def test_3_2_example_lgsco_joint_investigation_regular_sharing_needs_isa() -> None:
    intake = low_risk(
        title="Joint investigation with LGSCO",
        recipients=[PUBLIC_LGSCO],
        frequency="regular",
    )
    d = rules.recommend_isa(intake, dpia_required=False)
    assert d.decision == "isa_required"
    assert d.value is True
    assert d.clauses == ("3.1",)
    assert d.reasons == ("3.1 regular sharing",)


def test_3_2_example_final_reports_to_cqc_onward_use_controls_need_isa() -> None:
    intake = low_risk(
        title="Final reports to CQC",
        recipients=[recipient("CQC")],
        frequency="occasional",
        onward_use_controls=True,
    )
    d = rules.recommend_isa(intake, dpia_required=False)
    assert d.value is True
    assert d.clauses == ("3.1",)
    assert d.reasons == ("3.1 controls needed on onward use",)


def test_3_2_example_final_reports_to_cqc_regular_needs_isa() -> None:
    intake = low_risk(recipients=[recipient("CQC")], frequency="regular")
    d = rules.recommend_isa(intake, dpia_required=False)
    assert (d.value, d.clauses, d.reasons) == (True, ("3.1",), ("3.1 regular sharing",))


def test_3_2_example_automated_nhs_patient_and_demographic_data_needs_isa() -> None:
    intake = make_intake(
        title="Automated patient and demographic data from the NHS",
        recipients=[recipient("NHS England")],
        special_categories=["health"],
        frequency="regular",
        onward_use_controls=False,
        maintained_technology=True,
    )
    dpia = rules.recommend_dpia(intake, no_answers(wp_large_scale=True))
    assert dpia.value is True
    d = rules.recommend_isa(intake, dpia_required=dpia.value)
    assert d.value is True
    assert d.clauses == ("3.1",)
    assert d.reasons == (
        "3.1 high risk (DPIA required)",
        "3.1 regular sharing",
        "3.1 relies on technology needing maintenance and monitoring",
    )


@pytest.mark.parametrize(
    ("overrides", "dpia", "reason"),
    [
        ({}, True, "3.1 high risk (DPIA required)"),
        ({"frequency": "regular"}, False, "3.1 regular sharing"),
        ({"onward_use_controls": True}, False, "3.1 controls needed on onward use"),
        ({"business_critical": True}, False, "3.1 business critical"),
        (
            {"recipients": [PUBLIC_LGSCO, recipient("CQC")]},
            False,
            "3.1 more than one recipient organisation (LGSCO, CQC)",
        ),
        (
            {"maintained_technology": True},
            False,
            "3.1 relies on technology needing maintenance and monitoring",
        ),
    ],
    ids=["high_risk", "regular", "onward_use", "business_critical", "two_recipients", "tech"],
)
def test_3_1_each_trigger_alone_needs_isa(
    overrides: dict[str, Any], dpia: bool, reason: str
) -> None:
    d = rules.recommend_isa(low_risk(**overrides), dpia_required=dpia)
    assert d.value is True
    assert d.clauses == ("3.1",)
    assert d.reasons == (reason,)


def test_3_1_no_trigger_no_isa() -> None:
    d = rules.recommend_isa(low_risk(), dpia_required=False)
    assert d.value is False
    assert d.clauses == ("3.1",)
    assert d.reasons == ("no 3.1 trigger",)


@pytest.mark.parametrize("frequency", ["one_off", "occasional"])
def test_3_1_not_regular_is_not_a_trigger(frequency: str) -> None:
    assert rules.recommend_isa(low_risk(frequency=frequency), dpia_required=False).value is False


def test_3_1_every_trigger_is_listed() -> None:
    intake = low_risk(
        recipients=[PUBLIC_LGSCO, recipient("CQC")],
        frequency="regular",
        onward_use_controls=True,
        business_critical=True,
        maintained_technology=True,
    )
    d = rules.recommend_isa(intake, dpia_required=True)
    assert d.value is True
    assert len(d.reasons) == 6
    assert all(r.startswith("3.1 ") for r in d.reasons)


@pytest.mark.parametrize(
    ("law", "words"),
    [
        ("emergency_services", "emergency services"),  # 999 call
        ("organisation_under_investigation", "organisation under investigation"),
        ("formal_inquiry", "Infected Blood Inquiry"),
        ("hmrc_tax", "HMRC tax"),
        ("other_statutory", "statutory"),
    ],
)
def test_3_3_examples_specified_in_law_no_isa(law: str, words: str) -> None:
    d = rules.recommend_isa(low_risk(specified_in_law=law), dpia_required=False)
    assert d.value is False
    assert d.clauses == ("3.3",)
    assert len(d.reasons) == 1
    assert d.reasons[0].startswith("3.3 specified in law: ")
    assert words in d.reasons[0]


def test_3_3_hmrc_tax_reason_text() -> None:
    d = rules.recommend_isa(low_risk(specified_in_law="hmrc_tax"), dpia_required=False)
    assert d.reasons[0].startswith("3.3 specified in law: HMRC tax")


def test_3_3_specified_in_law_wins_over_3_1_triggers_which_are_noted() -> None:
    intake = low_risk(
        specified_in_law="formal_inquiry", frequency="regular", business_critical=True
    )
    d = rules.recommend_isa(intake, dpia_required=True)
    assert d.value is False
    assert d.clauses[0] == "3.3"
    assert "3.1" in d.clauses
    assert d.reasons[1] == (
        "3.1 triggers noted: high risk (DPIA required); regular sharing; business critical"
    )
