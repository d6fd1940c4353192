"""The protocol's automatic decisions, clause by clause (states/rules/)."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from states import rules
from states.messages import (
    MESSAGES,
    REVIEW_CHECKS,
    SCREENING_CRITERIA,
    ProposeLawfulBasis,
    SpecialCategoryCondition,
)
from tests.factories import low_risk_intake, make_intake

ACTOR = "ira@phso.example"
PUBLIC_LGSCO = {"name": "LGSCO", "kind": "public_body", "location": "england"}
SCOPE_IN = ("1.1", "2.1", "2.2", "2.3", "2.4")


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


# ======================================================================================
# Scoping: PROTOCOL.md 2.2 (protocol 1.1, 2.1-2.4, 4.3)
# ======================================================================================


def test_contract_example_intake_is_in_scope() -> None:
    d = rules.scope(make_intake())
    assert d.decision == "scope"
    assert d.value == "in_scope"
    assert d.clauses == SCOPE_IN
    assert len(d.reasons) == 1


@pytest.mark.parametrize("location", ["england", "wales", "scotland", "northern_ireland"])
def test_1_1_every_uk_nation_is_in_scope(location: str) -> None:
    d = rules.scope(make_intake(recipients=[recipient("Partner", location=location)]))
    assert d.value == "in_scope"
    assert d.clauses == SCOPE_IN


def test_3_3_example_999_call_imminent_risk_is_emergency_referred() -> None:
    d = rules.scope(make_intake(imminent_risk_of_harm=True))
    assert d.value == "emergency_referred"
    assert d.clauses == ("4.3",)
    assert len(d.reasons) == 1
    assert "call 999 now" in d.reasons[0]
    assert "Data, Security and Privacy" in d.reasons[0]
    assert "Helphub" in d.reasons[0]


@pytest.mark.parametrize(
    "overrides",
    [
        {"recipients": [recipient("Smith & Co Solicitors", "agent_of_private_party")]},
        {"recipients": [recipient("Bureau", location="outside_uk")]},
        {"personal_data": False},
        {"request_type": "financial_information"},
        {"anonymised": True},
        {"request_type": "subject_access_request"},
        {"request_type": "foi_request"},
    ],
    ids=["private", "outside_uk", "not_personal", "financial", "anonymised", "sar", "foi"],
)
def test_order_imminent_risk_wins_over_every_out_of_scope_test(overrides: dict[str, Any]) -> None:
    d = rules.scope(make_intake(imminent_risk_of_harm=True, **overrides))
    assert d.value == "emergency_referred"
    assert d.clauses == ("4.3",)


@pytest.mark.parametrize(
    ("kind", "name", "words"),
    [
        ("private_individual", "Ms Jones", "a private individual"),
        ("private_firm", "Acme Ltd", "a private firm"),
        ("agent_of_private_party", "Smith & Co Solicitors", "solicitors"),
    ],
)
def test_2_1_private_recipients_are_out_of_scope(kind: str, name: str, words: str) -> None:
    d = rules.scope(make_intake(recipients=[recipient(name, kind)]))
    assert d.value == "out_of_scope"
    assert d.clauses == ("2.1",)
    assert len(d.reasons) == 1
    assert d.reasons[0].startswith(f"2.1 recipient {name} is ")
    assert words in d.reasons[0]


def test_2_1_one_private_recipient_among_public_bodies_is_enough() -> None:
    d = rules.scope(make_intake(recipients=[PUBLIC_LGSCO, recipient("Acme Ltd", "private_firm")]))
    assert d.value == "out_of_scope"
    assert d.clauses == ("2.1",)
    assert len(d.reasons) == 1
    assert "Acme Ltd" in d.reasons[0]
    assert "LGSCO" not in d.reasons[0]


def test_2_1_names_every_private_recipient() -> None:
    d = rules.scope(
        make_intake(
            recipients=[
                recipient("Acme Ltd", "private_firm"),
                recipient("Ms Jones", "private_individual"),
            ]
        )
    )
    assert d.clauses == ("2.1",)
    assert [r.split(" is ")[0] for r in d.reasons] == [
        "2.1 recipient Acme Ltd",
        "2.1 recipient Ms Jones",
    ]


def test_order_private_recipient_2_1_wins_over_outside_uk_1_1() -> None:
    same = rules.scope(
        make_intake(recipients=[recipient("Acme GmbH", "private_firm", "outside_uk")])
    )
    assert (same.value, same.clauses) == ("out_of_scope", ("2.1",))
    split = rules.scope(
        make_intake(
            recipients=[
                recipient("Bureau", location="outside_uk"),
                recipient("Acme Ltd", "private_firm"),
            ]
        )
    )
    assert (split.value, split.clauses) == ("out_of_scope", ("2.1",))


def test_1_1_recipient_outside_uk_is_out_of_scope() -> None:
    d = rules.scope(
        make_intake(recipients=[PUBLIC_LGSCO, recipient("Irish Ombudsman", location="outside_uk")])
    )
    assert d.value == "out_of_scope"
    assert d.clauses == ("1.1",)
    assert len(d.reasons) == 1
    assert "Irish Ombudsman" in d.reasons[0]
    assert "outside Great Britain and Northern Ireland" in d.reasons[0]


def test_order_outside_uk_1_1_wins_over_not_personal_data_2_2() -> None:
    d = rules.scope(
        make_intake(recipients=[recipient("Bureau", location="outside_uk")], personal_data=False)
    )
    assert d.clauses == ("1.1",)


def test_2_2_not_personal_data_is_out_of_scope_refer_to_information_rights() -> None:
    d = rules.scope(make_intake(personal_data=False))
    assert d.value == "out_of_scope"
    assert d.clauses == ("2.2",)
    assert len(d.reasons) == 1
    assert "not personal data" in d.reasons[0]
    assert "Information Rights" in d.reasons[0]


def test_2_2_financial_information_is_out_of_scope_refer_to_information_rights() -> None:
    d = rules.scope(make_intake(request_type="financial_information"))
    assert d.value == "out_of_scope"
    assert d.clauses == ("2.2",)
    assert len(d.reasons) == 1
    assert "financial" in d.reasons[0]
    assert "Information Rights" in d.reasons[0]


def test_2_2_not_personal_and_financial_gives_both_reasons() -> None:
    d = rules.scope(make_intake(personal_data=False, request_type="financial_information"))
    assert d.clauses == ("2.2",)
    assert len(d.reasons) == 2


def test_order_not_personal_data_2_2_wins_over_anonymised_2_3() -> None:
    d = rules.scope(make_intake(personal_data=False, anonymised=True))
    assert (d.value, d.clauses) == ("out_of_scope", ("2.2",))


def test_2_3_anonymised_is_out_of_scope() -> None:
    d = rules.scope(make_intake(anonymised=True))
    assert d.value == "out_of_scope"
    assert d.clauses == ("2.3",)
    assert "anonymised" in d.reasons[0]


def test_order_anonymised_2_3_wins_over_subject_access_2_4() -> None:
    d = rules.scope(make_intake(anonymised=True, request_type="subject_access_request"))
    assert d.clauses == ("2.3",)


@pytest.mark.parametrize(
    ("request_type", "words"),
    [
        ("subject_access_request", "subject access request"),
        ("foi_request", "freedom of information request"),
        ("material_evidence_to_complainant", "material evidence to a complainant"),
    ],
)
def test_2_4_information_rights_requests_are_out_of_scope(request_type: str, words: str) -> None:
    d = rules.scope(make_intake(request_type=request_type))
    assert d.value == "out_of_scope"
    assert d.clauses == ("2.4",)
    assert len(d.reasons) == 1
    assert words in d.reasons[0]
    assert "refer to Information Rights" in d.reasons[0]


@given(
    imminent=st.booleans(),
    kind=st.sampled_from(
        ["public_body", "private_individual", "private_firm", "agent_of_private_party"]
    ),
    location=st.sampled_from(["england", "wales", "scotland", "northern_ireland", "outside_uk"]),
    personal=st.booleans(),
    anonymised=st.booleans(),
    request_type=st.sampled_from(
        [
            "proactive_share",
            "subject_access_request",
            "foi_request",
            "material_evidence_to_complainant",
            "financial_information",
        ]
    ),
)
def test_scope_follows_the_2_2_order(
    imminent: bool, kind: str, location: str, personal: bool, anonymised: bool, request_type: str
) -> None:
    d = rules.scope(
        make_intake(
            imminent_risk_of_harm=imminent,
            recipients=[recipient("Partner", kind, location)],
            personal_data=personal,
            anonymised=anonymised,
            request_type=request_type,
        )
    )
    # An independent statement of PROTOCOL.md 2.2.
    tests = [
        (imminent, "emergency_referred", ("4.3",)),
        (kind != "public_body", "out_of_scope", ("2.1",)),
        (location == "outside_uk", "out_of_scope", ("1.1",)),
        (not personal or request_type == "financial_information", "out_of_scope", ("2.2",)),
        (anonymised, "out_of_scope", ("2.3",)),
        (request_type != "proactive_share", "out_of_scope", ("2.4",)),
        (True, "in_scope", SCOPE_IN),
    ]
    expected = next((value, clauses) for hit, value, clauses in tests if hit)
    assert (d.value, d.clauses) == expected
    assert d.reasons


# ======================================================================================
# DPIA screening: PROTOCOL.md 2.3 (protocol 6.1-6.4)
# ======================================================================================

ICO_NEEDS_ANOTHER = {
    "ico_innovative_technology": "wp_innovative_use",
    "ico_biometric": "wp_sensitive_data",
    "ico_genetic": "wp_sensitive_data",
    "ico_tracking": "wp_systematic_monitoring",
    "ico_invisible_processing": None,
}
ICO_ALONE = [
    "ico_denial_of_service",
    "ico_large_scale_profiling",
    "ico_data_matching",
    "ico_children_or_vulnerable",
    "ico_physical_harm",
]
WP = [c for c in SCREENING_CRITERIA if c.startswith("wp_")]


def test_screening_criteria_are_partitioned_by_the_rules() -> None:
    art35 = [c for c in SCREENING_CRITERIA if c.startswith("art35_")]
    assert len(art35) == 3
    assert len(WP) == 9
    assert sorted(ICO_ALONE + list(ICO_NEEDS_ANOTHER)) == sorted(
        c for c in SCREENING_CRITERIA if c.startswith("ico_")
    )


def test_6_3_nothing_met_no_dpia_and_the_reason_is_recorded() -> None:
    d = rules.recommend_dpia(low_risk(), no_answers())
    assert d.decision == "dpia_required"
    assert d.value is False
    assert d.clauses == ("6.3", "ICO: record why no DPIA")
    assert d.reasons[0] == (
        "no Art 35(3), ICO or WP248 criterion met; no special category or criminal offence data"
    )


def test_missing_answers_count_as_false() -> None:
    assert rules.recommend_dpia(low_risk(), {}) == rules.recommend_dpia(low_risk(), no_answers())
    assert rules.recommend_dpia(low_risk(), {"wp_large_scale": True}).value is False


@pytest.mark.parametrize(
    ("criterion", "clause"),
    [
        ("art35_automated_decisions", "UK GDPR Art 35(3)(a)"),
        ("art35_large_scale_special", "UK GDPR Art 35(3)(b)"),
        ("art35_public_monitoring", "UK GDPR Art 35(3)(c)"),
    ],
)
def test_art35_3_alone_requires_dpia(criterion: str, clause: str) -> None:
    d = rules.recommend_dpia(low_risk(), no_answers(**{criterion: True}))
    assert d.value is True
    assert d.clauses == (clause,)
    assert len(d.reasons) == 1
    assert d.reasons[0].startswith(clause)


@pytest.mark.parametrize("criterion", ICO_ALONE)
def test_ico_high_risk_needing_no_other_criterion_requires_dpia(criterion: str) -> None:
    d = rules.recommend_dpia(low_risk(), no_answers(**{criterion: True}))
    assert d.value is True
    assert d.clauses == ("ICO high-risk list",)
    assert len(d.reasons) == 1


@pytest.mark.parametrize("criterion", list(ICO_NEEDS_ANOTHER))
def test_ico_item_needing_another_criterion_alone_is_not_enough(criterion: str) -> None:
    d = rules.recommend_dpia(low_risk(), no_answers(**{criterion: True}))
    assert d.value is False
    assert d.clauses == ("6.3", "ICO: record why no DPIA")
    assert any("needs one other criterion" in r for r in d.reasons)


@pytest.mark.parametrize(
    ("criterion", "twin"), [(c, t) for c, t in ICO_NEEDS_ANOTHER.items() if t is not None]
)
def test_ico_item_with_only_its_own_wp248_twin_is_not_enough(criterion: str, twin: str) -> None:
    d = rules.recommend_dpia(low_risk(), no_answers(**{criterion: True, twin: True}))
    assert d.value is False


@pytest.mark.parametrize("criterion", list(ICO_NEEDS_ANOTHER))
def test_ico_item_with_another_wp248_criterion_requires_dpia(criterion: str) -> None:
    other = next(w for w in WP if w != ICO_NEEDS_ANOTHER[criterion])
    d = rules.recommend_dpia(low_risk(), no_answers(**{criterion: True, other: True}))
    assert d.value is True
    assert d.clauses == ("ICO high-risk list", "EDPB WP248")
    assert len(d.reasons) == 1
    assert d.reasons[0].startswith("ICO high-risk list: ")


def test_invisible_processing_has_no_twin_any_wp248_criterion_counts() -> None:
    for w in WP:
        d = rules.recommend_dpia(low_risk(), no_answers(ico_invisible_processing=True, **{w: True}))
        assert d.value is True, w


def test_wp248_one_criterion_is_not_enough() -> None:
    for w in WP:
        d = rules.recommend_dpia(low_risk(), no_answers(**{w: True}))
        assert d.value is False, w
        assert any("only 1 of the nine criteria" in r for r in d.reasons)


def test_wp248_two_criteria_require_dpia() -> None:
    d = rules.recommend_dpia(
        low_risk(), no_answers(wp_evaluation_scoring=True, wp_large_scale=True)
    )
    assert d.value is True
    assert d.clauses == ("EDPB WP248",)
    assert d.reasons == (
        "EDPB WP248: 2 of the nine criteria met (evaluation or scoring, large scale)",
    )


def test_6_4_special_category_data_requires_dpia() -> None:
    d = rules.recommend_dpia(make_intake(special_categories=["health"]), no_answers())
    assert d.value is True
    assert "6.4" in d.clauses
    assert d.reasons == ("6.4 special category data (health)",)


def test_6_4_criminal_offence_data_requires_dpia() -> None:
    d = rules.recommend_dpia(low_risk(criminal_offence_data=True), no_answers())
    assert d.value is True
    assert d.clauses == ("6.4", "UK GDPR Art 10")
    assert d.reasons == ("6.4 criminal offence data",)


def test_dpia_lists_every_criterion_that_fired() -> None:
    d = rules.recommend_dpia(
        make_intake(special_categories=["health", "genetic"], criminal_offence_data=True),
        no_answers(
            art35_automated_decisions=True,
            ico_physical_harm=True,
            ico_biometric=True,
            wp_large_scale=True,
            wp_vulnerable_subjects=True,
        ),
    )
    assert d.value is True
    assert len(d.reasons) == 6
    assert d.reasons[0].startswith("UK GDPR Art 35(3)(a)")
    assert d.reasons[1].startswith("ICO high-risk list: risk of physical harm")
    assert d.reasons[2].startswith("ICO high-risk list: biometric identification")
    assert d.reasons[3].startswith("EDPB WP248: 2 of the nine")
    assert d.reasons[4] == "6.4 special category data (genetic, health)"
    assert d.reasons[5] == "6.4 criminal offence data"
    for clause in ("UK GDPR Art 35(3)(a)", "ICO high-risk list", "EDPB WP248", "6.4"):
        assert clause in d.clauses
    assert len(d.clauses) == len(set(d.clauses))


answers_strategy = st.fixed_dictionaries({c: st.booleans() for c in SCREENING_CRITERIA})


@given(answers=answers_strategy, extra=st.sampled_from(SCREENING_CRITERIA))
def test_dpia_is_monotone_one_more_yes_never_removes_a_dpia(
    answers: dict[str, bool], extra: str
) -> None:
    intake = low_risk()
    before = rules.recommend_dpia(intake, answers)
    after = rules.recommend_dpia(intake, {**answers, extra: True})
    assert before.value <= after.value
    if before.value:
        assert set(before.reasons) <= set(after.reasons) or extra.startswith("wp_")


@given(answers=answers_strategy)
def test_dpia_special_or_criminal_data_always_requires_it(answers: dict[str, bool]) -> None:
    assert rules.recommend_dpia(low_risk(special_categories=["sex_life"]), answers).value is True
    assert rules.recommend_dpia(low_risk(criminal_offence_data=True), answers).value is True


@given(answers=answers_strategy)
def test_dpia_value_matches_reasons_and_clauses(answers: dict[str, bool]) -> None:
    d = rules.recommend_dpia(low_risk(), answers)
    if d.value:
        assert "6.3" not in d.clauses
        assert d.reasons
    else:
        assert d.clauses == ("6.3", "ICO: record why no DPIA")


# ======================================================================================
# Need for an agreement: PROTOCOL.md 2.5 (protocol 3.1-3.3)
# ======================================================================================


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


# ======================================================================================
# Security method: PROTOCOL.md 2.7 (protocol 8.1, 8.2)
# ======================================================================================


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


# ======================================================================================
# Special category and criminal offence conditions: PROTOCOL.md 2.6 (7.3, Art 9, Art 10)
# ======================================================================================


def condition(**fields: Any) -> SpecialCategoryCondition:
    return SpecialCategoryCondition.model_validate({"actor": ACTOR, "reason": "why", **fields})


def test_condition_needed_for_special_category_or_criminal_offence_data() -> None:
    assert rules.special_category_condition_needed(make_intake(special_categories=["health"]))
    assert rules.special_category_condition_needed(low_risk(criminal_offence_data=True))
    assert not rules.special_category_condition_needed(low_risk())


def test_contract_example_condition_is_fine() -> None:
    example = MESSAGES["special_category_condition"].example
    payload = SpecialCategoryCondition.model_validate({"actor": ACTOR, **example})
    assert rules.check_special_category_condition(make_intake(), payload) == []


def test_art9_condition_required_for_special_categories() -> None:
    problems = rules.check_special_category_condition(make_intake(), condition())
    assert len(problems) == 1
    assert problems[0].startswith("article9 is required")
    assert "Art 9(2)" in problems[0]
    assert "(health)" in problems[0]


@pytest.mark.parametrize("article9", ["b", "g", "h", "i", "j"])
def test_schedule1_required_for_art9_b_g_h_i_j(article9: str) -> None:
    problems = rules.check_special_category_condition(make_intake(), condition(article9=article9))
    assert len(problems) == 1
    assert problems[0].startswith("schedule1 is required")
    assert f"Art 9(2)({article9})" in problems[0]
    assert "DPA 2018" in problems[0]
    assert "Schedule 1" in problems[0]
    ok = condition(article9=article9, schedule1="Part 1 paragraph 2")
    assert rules.check_special_category_condition(make_intake(), ok) == []


def test_schedule1_part_2_for_substantial_public_interest() -> None:
    (problem,) = rules.check_special_category_condition(make_intake(), condition(article9="g"))
    assert "Schedule 1 Part 2" in problem


@pytest.mark.parametrize("article9", ["a", "c", "d", "e", "f"])
def test_schedule1_not_needed_for_other_art9_conditions(article9: str) -> None:
    problems = rules.check_special_category_condition(make_intake(), condition(article9=article9))
    assert problems == []


def test_art10_condition_required_for_criminal_offence_data() -> None:
    intake = low_risk(criminal_offence_data=True)
    problems = rules.check_special_category_condition(intake, condition())
    assert len(problems) == 1
    assert problems[0].startswith("article10_schedule1 is required")
    assert "Art 10" in problems[0]
    fine = condition(article10_schedule1="Part 2 paragraph 10")
    assert rules.check_special_category_condition(intake, fine) == []


def test_special_and_criminal_data_each_need_their_condition() -> None:
    intake = make_intake(criminal_offence_data=True)
    problems = rules.check_special_category_condition(intake, condition())
    assert [p.split(" ")[0] for p in problems] == ["article9", "article10_schedule1"]


def test_no_condition_needed_is_a_problem() -> None:
    problems = rules.check_special_category_condition(low_risk(), condition(article9="a"))
    assert len(problems) == 1
    assert problems[0].startswith("no condition is needed")
    assert "(7.3)" in problems[0]


# ======================================================================================
# Lawful basis: PROTOCOL.md 2.6 (4.4, 4.9, 4.10, 4.13, 5.3; UK GDPR Art 6(1))
# ======================================================================================


def basis(**overrides: Any) -> ProposeLawfulBasis:
    data = {"actor": "casey@phso.example", **MESSAGES["propose_lawful_basis"].example}
    minimisation = {**data["minimisation"], **overrides.pop("minimisation", {})}
    return ProposeLawfulBasis.model_validate({**data, "minimisation": minimisation, **overrides})


def test_contract_example_lawful_basis_is_fine() -> None:
    assert rules.check_lawful_basis(basis()) == []


@pytest.mark.parametrize(
    ("flag", "clause"),
    [
        ("necessary", "4.4"),
        ("least_identifying", "4.9"),
        ("anonymisation_considered", "4.10"),
        ("accurate", "4.4"),
        ("timely", "4.4"),
    ],
)
def test_each_minimisation_flag_must_be_true(flag: str, clause: str) -> None:
    problems = rules.check_lawful_basis(basis(minimisation={flag: False}))
    assert len(problems) == 1
    assert problems[0].startswith(f"minimisation.{flag} must be true")
    assert problems[0].endswith(f"({clause}).")


def test_every_false_minimisation_flag_is_named() -> None:
    all_false = dict.fromkeys(
        ["necessary", "least_identifying", "anonymisation_considered", "accurate", "timely"], False
    )
    problems = rules.check_lawful_basis(basis(minimisation=all_false, safety_considered=False))
    assert len(problems) == 6
    assert problems[-1].startswith("safety_considered must be true")


def test_4_13_safety_must_be_considered() -> None:
    problems = rules.check_lawful_basis(basis(safety_considered=False))
    assert len(problems) == 1
    assert "(4.13)" in problems[0]


@pytest.mark.parametrize("opt_out", [None, False])
def test_legitimate_interests_needs_an_opt_out(opt_out: bool | None) -> None:
    problems = rules.check_lawful_basis(
        basis(basis="legitimate_interests", opt_out_offered=opt_out)
    )
    assert len(problems) == 1
    assert problems[0].startswith("opt_out_offered must be true")
    assert "5.3" in problems[0]
    ok = basis(basis="legitimate_interests", opt_out_offered=True)
    assert rules.check_lawful_basis(ok) == []


def test_lawful_basis_notes_public_task() -> None:
    d = rules.lawful_basis_notes(basis())
    assert d.decision == "lawful_basis"
    assert d.value == "public_task"
    assert d.clauses == ("5.3",)


def test_lawful_basis_notes_legitimate_interests_warns_public_authority() -> None:
    d = rules.lawful_basis_notes(basis(basis="legitimate_interests", opt_out_offered=True))
    assert d.value == "legitimate_interests"
    assert d.clauses == ("5.3", "UK GDPR Art 6(1)")
    assert any(
        "a public authority cannot rely on legitimate interests for its public tasks" in r
        for r in d.reasons
    )


def test_lawful_basis_notes_consent_records_the_evidence() -> None:
    d = rules.lawful_basis_notes(basis(basis="consent", evidence_uri="https://docs.example/c/9"))
    assert d.value == "consent"
    assert d.clauses == ("5.3",)
    assert "consent record: https://docs.example/c/9" in d.reasons


# ======================================================================================
# Reviews: PROTOCOL.md 2.9 (protocol 10.1)
# ======================================================================================


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
    assert rules.add_months(start, months) == expected


def test_add_months_keeps_time_and_tzinfo() -> None:
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
    got = rules.add_months(moment, months)
    assert (got.year * 12 + got.month) - (moment.year * 12 + moment.month) == months
    assert got.day == min(moment.day, calendar.monthrange(got.year, got.month)[1])
    assert got.time() == moment.time()
    assert got.tzinfo is moment.tzinfo


@given(moment=moments, a=st.integers(-600, 600), b=st.integers(-600, 600))
def test_add_months_composes_when_no_clamping(moment: datetime, a: int, b: int) -> None:
    moment = moment.replace(day=min(moment.day, 28))
    assert rules.add_months(rules.add_months(moment, a), b) == rules.add_months(moment, a + b)


@given(moment=moments, a=st.integers(0, 600), b=st.integers(0, 600))
def test_add_months_is_monotone(moment: datetime, a: int, b: int) -> None:
    if a < b:
        assert rules.add_months(moment, a) < rules.add_months(moment, b)


def test_10_1_review_offsets() -> None:
    assert [rules.review_offset_months(n) for n in range(1, 8)] == [1, 3, 6, 12, 24, 36, 48]


@pytest.mark.parametrize("bad", [0, -1])
def test_review_number_must_be_positive(bad: int) -> None:
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
    assert [rules.review_label(n) for n in range(1, 6)] == [
        "the 1-month review",
        "the 3-month review",
        "the 6-month review",
        "the 12-month review",
        "the 24-month review",
    ]


def test_review_schedule_text() -> None:
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
    assert rules.check_review_answers(n, all_yes(n)) == []


def test_check_review_answers_names_missing_checks() -> None:
    problems = rules.check_review_answers(1, {"data_received": True})
    assert len(problems) == 1
    assert problems[0].startswith("answer secure, adequate_limited_relevant: due at the 1-month")
    assert "(10.1)" in problems[0]


def test_check_review_answers_refuses_checks_not_due() -> None:
    problems = rules.check_review_answers(3, {**all_yes(3), "needs_refresh": False})
    assert len(problems) == 1
    assert problems[0].startswith("remove needs_refresh: not due at the 6-month review")


def test_check_review_answers_both_missing_and_not_due() -> None:
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
