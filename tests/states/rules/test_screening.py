"""DPIA screening, clause by clause (states/rules/screening.py): PROTOCOL.md 2.3
(protocol 6.1-6.4)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from states import rules
from states.messages import SCREENING_CRITERIA
from tests.factories import make_intake
from tests.states.rules.helpers import low_risk, no_answers

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
    """6.1: the screening tool's criteria, as PROTOCOL.md 2.3 groups them."""
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
    """6.1-6.3: an unanswered criterion is not met."""
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
    """6.1 (PROTOCOL.md 2.3): ICO's high-risk list, needing no other criterion."""
    d = rules.recommend_dpia(low_risk(), no_answers(**{criterion: True}))
    assert d.value is True
    assert d.clauses == ("ICO high-risk list",)
    assert len(d.reasons) == 1


@pytest.mark.parametrize("criterion", list(ICO_NEEDS_ANOTHER))
def test_ico_item_needing_another_criterion_alone_is_not_enough(criterion: str) -> None:
    """6.1 (PROTOCOL.md 2.3): ICO's high-risk list, needing one other criterion too."""
    d = rules.recommend_dpia(low_risk(), no_answers(**{criterion: True}))
    assert d.value is False
    assert d.clauses == ("6.3", "ICO: record why no DPIA")
    assert any("needs one other criterion" in r for r in d.reasons)


@pytest.mark.parametrize(
    ("criterion", "twin"), [(c, t) for c, t in ICO_NEEDS_ANOTHER.items() if t is not None]
)
def test_ico_item_with_only_its_own_wp248_twin_is_not_enough(criterion: str, twin: str) -> None:
    """6.1 (PROTOCOL.md 2.3): ICO's high-risk list, needing one other criterion too."""
    d = rules.recommend_dpia(low_risk(), no_answers(**{criterion: True, twin: True}))
    assert d.value is False


@pytest.mark.parametrize("criterion", list(ICO_NEEDS_ANOTHER))
def test_ico_item_with_another_wp248_criterion_requires_dpia(criterion: str) -> None:
    """6.1 (PROTOCOL.md 2.3): ICO's high-risk list, needing one other criterion too."""
    other = next(w for w in WP if w != ICO_NEEDS_ANOTHER[criterion])
    d = rules.recommend_dpia(low_risk(), no_answers(**{criterion: True, other: True}))
    assert d.value is True
    assert d.clauses == ("ICO high-risk list", "EDPB WP248")
    assert len(d.reasons) == 1
    assert d.reasons[0].startswith("ICO high-risk list: ")


def test_invisible_processing_has_no_twin_any_wp248_criterion_counts() -> None:
    """6.1 (PROTOCOL.md 2.3): ICO's high-risk list, needing one other criterion too."""
    for w in WP:
        d = rules.recommend_dpia(low_risk(), no_answers(ico_invisible_processing=True, **{w: True}))
        assert d.value is True, w


def test_wp248_one_criterion_is_not_enough() -> None:
    """6.1 (PROTOCOL.md 2.3): two or more of the EDPB WP248 nine criteria."""
    for w in WP:
        d = rules.recommend_dpia(low_risk(), no_answers(**{w: True}))
        assert d.value is False, w
        assert any("only 1 of the nine criteria" in r for r in d.reasons)


def test_wp248_two_criteria_require_dpia() -> None:
    """6.1 (PROTOCOL.md 2.3): two or more of the EDPB WP248 nine criteria."""
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
    """6.1, 6.4 (PROTOCOL.md 2.3): every criterion met is a reason."""
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
    """6.1 (PROTOCOL.md 2.3): recommend a DPIA when any criterion holds."""
    intake = low_risk()
    before = rules.recommend_dpia(intake, answers)
    after = rules.recommend_dpia(intake, {**answers, extra: True})
    assert before.value <= after.value
    if before.value:
        assert set(before.reasons) <= set(after.reasons) or extra.startswith("wp_")


@given(answers=answers_strategy)
def test_dpia_special_or_criminal_data_always_requires_it(answers: dict[str, bool]) -> None:
    """6.4 (PROTOCOL.md 2.3): any special category or criminal offence data."""
    assert rules.recommend_dpia(low_risk(special_categories=["sex_life"]), answers).value is True
    assert rules.recommend_dpia(low_risk(criminal_offence_data=True), answers).value is True


@given(answers=answers_strategy)
def test_dpia_value_matches_reasons_and_clauses(answers: dict[str, bool]) -> None:
    """6.3: not recommended, the reasons are recorded."""
    d = rules.recommend_dpia(low_risk(), answers)
    if d.value:
        assert "6.3" not in d.clauses
        assert d.reasons
    else:
        assert d.clauses == ("6.3", "ICO: record why no DPIA")
