"""Lawful basis and conditions, clause by clause (states/rules/lawful_basis.py):
PROTOCOL.md 2.6 (protocol 4.4, 4.9, 4.10, 4.13, 5.3, 7.3; UK GDPR Art 6(1), Art 9, Art 10)."""

from __future__ import annotations

from typing import Any

import pytest

from states import rules
from states.messages import MESSAGES, ProposeLawfulBasis, SpecialCategoryCondition
from tests.factories import make_intake
from tests.states.rules.helpers import low_risk

# ======================================================================================
# Special category and criminal offence conditions: PROTOCOL.md 2.6 (7.3, Art 9, Art 10)
# ======================================================================================


ACTOR = "ira@phso.example"


def condition(**fields: Any) -> SpecialCategoryCondition:
    return SpecialCategoryCondition.model_validate({"actor": ACTOR, "reason": "why", **fields})


def test_condition_needed_for_special_category_or_criminal_offence_data() -> None:
    """7.3 (UK GDPR Art 9, Art 10)."""
    assert rules.special_category_condition_needed(make_intake(special_categories=["health"]))
    assert rules.special_category_condition_needed(low_risk(criminal_offence_data=True))
    assert not rules.special_category_condition_needed(low_risk())


def test_contract_example_condition_is_fine() -> None:
    """7.3: CONTRACT.md's example condition."""
    example = MESSAGES["special_category_condition"].example
    payload = SpecialCategoryCondition.model_validate({"actor": ACTOR, **example})
    assert rules.check_special_category_condition(make_intake(), payload) == []


def test_art9_condition_required_for_special_categories() -> None:
    """7.3 (UK GDPR Art 9(2))."""
    problems = rules.check_special_category_condition(make_intake(), condition())
    assert len(problems) == 1
    assert problems[0].startswith("article9 is required")
    assert "Art 9(2)" in problems[0]
    assert "(health)" in problems[0]


@pytest.mark.parametrize("article9", ["b", "g", "h", "i", "j"])
def test_schedule1_required_for_art9_b_g_h_i_j(article9: str) -> None:
    """7.3 (UK GDPR Art 9(2), DPA 2018 Schedule 1)."""
    problems = rules.check_special_category_condition(make_intake(), condition(article9=article9))
    assert len(problems) == 1
    assert problems[0].startswith("schedule1 is required")
    assert f"Art 9(2)({article9})" in problems[0]
    assert "DPA 2018" in problems[0]
    assert "Schedule 1" in problems[0]
    ok = condition(article9=article9, schedule1="Part 1 paragraph 2")
    assert rules.check_special_category_condition(make_intake(), ok) == []


def test_schedule1_part_2_for_substantial_public_interest() -> None:
    """7.3 (UK GDPR Art 9(2)(g), DPA 2018 Schedule 1 Part 2)."""
    (problem,) = rules.check_special_category_condition(make_intake(), condition(article9="g"))
    assert "Schedule 1 Part 2" in problem


@pytest.mark.parametrize("article9", ["a", "c", "d", "e", "f"])
def test_schedule1_not_needed_for_other_art9_conditions(article9: str) -> None:
    """7.3 (UK GDPR Art 9(2), DPA 2018 Schedule 1)."""
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
    """7.3 (UK GDPR Art 9, Art 10)."""
    intake = make_intake(criminal_offence_data=True)
    problems = rules.check_special_category_condition(intake, condition())
    assert [p.split(" ")[0] for p in problems] == ["article9", "article10_schedule1"]


def test_no_condition_needed_is_a_problem() -> None:
    """7.3: a condition only where special category or criminal offence data is shared."""
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
    """4.4, 4.9, 4.10, 4.13, 5.3: CONTRACT.md's example lawful basis."""
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
    """4.4, 4.9, 4.10: minimisation confirmed."""
    problems = rules.check_lawful_basis(basis(minimisation={flag: False}))
    assert len(problems) == 1
    assert problems[0].startswith(f"minimisation.{flag} must be true")
    assert problems[0].endswith(f"({clause}).")


def test_every_false_minimisation_flag_is_named() -> None:
    """4.4, 4.9, 4.10, 4.13: every problem is named."""
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
    """5.3 (PROTOCOL.md 2.6)."""
    problems = rules.check_lawful_basis(
        basis(basis="legitimate_interests", opt_out_offered=opt_out)
    )
    assert len(problems) == 1
    assert problems[0].startswith("opt_out_offered must be true")
    assert "5.3" in problems[0]
    ok = basis(basis="legitimate_interests", opt_out_offered=True)
    assert rules.check_lawful_basis(ok) == []


def test_lawful_basis_notes_public_task() -> None:
    """5.3: the basis as recorded."""
    d = rules.lawful_basis_notes(basis())
    assert d.decision == "lawful_basis"
    assert d.value == "public_task"
    assert d.clauses == ("5.3",)


def test_lawful_basis_notes_legitimate_interests_warns_public_authority() -> None:
    """5.3 (UK GDPR Art 6(1))."""
    d = rules.lawful_basis_notes(basis(basis="legitimate_interests", opt_out_offered=True))
    assert d.value == "legitimate_interests"
    assert d.clauses == ("5.3", "UK GDPR Art 6(1)")
    assert any(
        "a public authority cannot rely on legitimate interests for its public tasks" in r
        for r in d.reasons
    )


def test_lawful_basis_notes_consent_records_the_evidence() -> None:
    """5.3 (PROTOCOL.md 2.6)."""
    d = rules.lawful_basis_notes(basis(basis="consent", evidence_uri="https://docs.example/c/9"))
    assert d.value == "consent"
    assert d.clauses == ("5.3",)
    assert "consent record: https://docs.example/c/9" in d.reasons
