"""Lawful basis and conditions (PROTOCOL.md 2.6; protocol 4.4-4.13, 5.3, 7.3): checks on
the proposed lawful basis and on the special category (Art 9) or criminal offence
(Art 10) condition, and the basis as recorded."""

from __future__ import annotations

from states.decision import Decision
from states.intake import Intake
from states.messages import LawfulBasis, ProposeLawfulBasis, SpecialCategoryCondition
from states.rules.wording import human

# Art 9(2) conditions that need a DPA 2018 Schedule 1 condition too (s10(1)-(3)):
# Part 1 for (b) employment/social security, (h) health or social care, (i) public health,
# (j) archiving/research; Part 2 for (g) substantial public interest.
_NEEDS_SCHEDULE1: dict[str, str] = {
    "b": "Part 1",
    "g": "Part 2",
    "h": "Part 1",
    "i": "Part 1",
    "j": "Part 1",
}


def special_category_condition_needed(intake: Intake) -> bool:
    """Does Information Rights need to name a condition (7.3; UK GDPR Art 9, Art 10)?"""
    return bool(intake.special_categories) or intake.criminal_offence_data


def check_special_category_condition(
    intake: Intake, payload: SpecialCategoryCondition
) -> list[str]:
    """What is wrong with the named Art 9(2) / Schedule 1 / Art 10 condition (7.3)."""
    if not special_category_condition_needed(intake):
        return [
            "no condition is needed: the intake has neither special category nor criminal "
            "offence data, so do not send special_category_condition (7.3)."
        ]
    problems = []
    if intake.special_categories and payload.article9 is None:
        listed = ", ".join(human(c) for c in intake.special_categories)
        problems.append(
            f"article9 is required: the intake has special category data ({listed}); "
            "name the UK GDPR Art 9(2) condition, a to j (7.3, UK GDPR Art 9(2))."
        )
    if payload.article9 in _NEEDS_SCHEDULE1 and payload.schedule1 is None:
        part = _NEEDS_SCHEDULE1[payload.article9]
        problems.append(
            f"schedule1 is required: Art 9(2)({payload.article9}) needs a DPA 2018 "
            f"Schedule 1 {part} condition; name its paragraph (7.3, DPA 2018 s10, Sch 1)."
        )
    if intake.criminal_offence_data and payload.article10_schedule1 is None:
        problems.append(
            "article10_schedule1 is required: the intake has criminal offence data; name "
            "the DPA 2018 Schedule 1 condition (7.3, UK GDPR Art 10, DPA 2018 s10(5), Sch 1)."
        )
    return problems


_MINIMISATION: dict[str, tuple[str, str]] = {
    "necessary": ("4.4", "share only what is necessary for the purpose"),
    "least_identifying": ("4.9", "share without identifying people wherever you can"),
    "anonymisation_considered": ("4.10", "consider whether the information can be anonymised"),
    "accurate": ("4.4", "make sure the information is accurate and up to date"),
    "timely": ("4.4", "share the information in a timely fashion"),
}


def check_lawful_basis(payload: ProposeLawfulBasis) -> list[str]:
    """What is wrong with a proposed lawful basis (4.4, 4.9, 4.10, 4.13, 5.3)."""
    problems = []
    flags = payload.minimisation.model_dump()
    for flag, (clause, what) in _MINIMISATION.items():
        if flags[flag] is not True:
            problems.append(f"minimisation.{flag} must be true: {what} ({clause}).")
    if payload.safety_considered is not True:
        problems.append(
            "safety_considered must be true: consider whether sharing could affect the "
            "safety and wellbeing of the people the information is about (4.13)."
        )
    if payload.basis == LawfulBasis.legitimate_interests and payload.opt_out_offered is not True:
        problems.append(
            "opt_out_offered must be true for legitimate interests: people must be able to "
            "opt out (ICO guidance; 5.3 legitimate interests example)."
        )
    return problems


def lawful_basis_notes(payload: ProposeLawfulBasis) -> Decision:
    """The lawful basis as recorded for the timeline and the agreement (5.3)."""
    basis = payload.basis.value
    clauses = ["5.3"]
    reasons = [f"5.3 lawful basis: {human(basis)}"]
    if payload.basis == LawfulBasis.consent:
        reasons.append(f"consent record: {payload.evidence_uri}")
    elif payload.basis == LawfulBasis.legitimate_interests:
        reasons.append(f"legitimate interests assessment: {payload.evidence_uri}")
        reasons.append(
            "a public authority cannot rely on legitimate interests for its public tasks "
            "(UK GDPR Art 6(1)); use it only outside PHSO's statutory functions"
        )
        clauses.append("UK GDPR Art 6(1)")
    else:
        reasons.append(f"evidence: {payload.evidence_uri}")
    return Decision(
        decision="lawful_basis", value=basis, clauses=tuple(clauses), reasons=tuple(reasons)
    )
