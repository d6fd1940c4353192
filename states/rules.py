"""The protocol's automatic decisions (PROTOCOL.md 2.2, 2.3, 2.5-2.7, 2.9).

Every rule is a small pure function: no I/O, no clock, no randomness, so it runs unchanged
inside the Temporal workflow sandbox and replays identically. Each returns a `Decision`
whose `clauses` cite the protocol (v1.2) or the law it rests on and whose `reasons` are
short sentences a person reads in the timeline, e.g. ``isa_required = True: 3.1 regular
sharing``. Checks on people's messages return a list of problems instead: each one a
sentence saying what to change, citing its clause; an empty list means the message is fine.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from datetime import datetime

from states.decision import Decision
from states.intake import (
    Frequency,
    Intake,
    Location,
    RecipientKind,
    RequestType,
    SpecifiedInLaw,
)
from states.messages import (
    REVIEW_CHECKS,
    LawfulBasis,
    ProposeLawfulBasis,
    SpecialCategoryCondition,
)

__all__ = [
    "SCOPE_CLAUSES",
    "add_months",
    "check_lawful_basis",
    "check_review_answers",
    "check_special_category_condition",
    "checks_due",
    "isa_triggers",
    "lawful_basis_notes",
    "recommend_dpia",
    "recommend_isa",
    "recommend_security",
    "review_due_at",
    "review_label",
    "review_offset_months",
    "review_outcome",
    "review_schedule_text",
    "scope",
    "special_category_condition_needed",
]


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    """The items in first-seen order, each once."""
    return tuple(dict.fromkeys(items))


def _human(identifier: str) -> str:
    return identifier.replace("_", " ")


# --------------------------------------------------------------------------------------
# Scoping (PROTOCOL.md 2.2; protocol 1.1, 2.1-2.4, 4.3)
# --------------------------------------------------------------------------------------

SCOPE_CLAUSES: tuple[str, ...] = ("1.1", "2.1", "2.2", "2.3", "2.4")

_PRIVATE_KINDS: dict[RecipientKind, str] = {
    RecipientKind.private_individual: "a private individual",
    RecipientKind.private_firm: "a private firm",
    RecipientKind.agent_of_private_party: "an agent acting for a private party (e.g. solicitors)",
}

_INFORMATION_RIGHTS_REQUESTS: dict[RequestType, str] = {
    RequestType.subject_access_request: "a subject access request",
    RequestType.foi_request: "a freedom of information request",
    RequestType.material_evidence_to_complainant: "material evidence to a complainant",
}


def _out_of_scope(clause: str, *reasons: str) -> Decision:
    return Decision(decision="scope", value="out_of_scope", clauses=(clause,), reasons=reasons)


def scope(intake: Intake) -> Decision:
    """Is the proposal within the protocol? The first of PROTOCOL.md 2.2's six tests decides."""
    # 1. Imminent risk of harm: nothing else happens first (4.3).
    if intake.imminent_risk_of_harm:
        return Decision(
            decision="scope",
            value="emergency_referred",
            clauses=("4.3",),
            reasons=(
                "4.3 imminent risk of harm: call 999 now, then refer the matter to "
                "Data, Security and Privacy via Helphub",
            ),
        )

    # 2. Private individuals, private firms and their agents (2.1).
    private = [r for r in intake.recipients if r.kind in _PRIVATE_KINDS]
    if private:
        return _out_of_scope(
            "2.1",
            *(
                f"2.1 recipient {r.name} is {_PRIVATE_KINDS[r.kind]}: the protocol does not "
                "cover private individuals, private firms or agents acting for them"
                for r in private
            ),
        )

    # 3. Outside Great Britain and Northern Ireland (1.1).
    abroad = [r for r in intake.recipients if r.location == Location.outside_uk]
    if abroad:
        return _out_of_scope(
            "1.1",
            *(
                f"1.1 recipient {r.name} is outside Great Britain and Northern Ireland: "
                "the protocol covers sharing within them only"
                for r in abroad
            ),
        )

    # 4. Not personal data, or payment and financial information (2.2).
    if not intake.personal_data or intake.request_type == RequestType.financial_information:
        reasons = []
        if not intake.personal_data:
            reasons.append(
                "2.2 not personal data: refer to Information Rights, who review it case by case"
            )
        if intake.request_type == RequestType.financial_information:
            reasons.append(
                "2.2 payment and financial information is not covered: refer to Information Rights"
            )
        return _out_of_scope("2.2", *reasons)

    # 5. Anonymised data is not personal data (2.3).
    if intake.anonymised:
        return _out_of_scope(
            "2.3",
            "2.3 anonymised data (no one can be identified) is not personal data: "
            "not covered, refer to Information Rights (2.2 applies)",
        )

    # 6. Statutory information rights and material evidence (2.4).
    if intake.request_type in _INFORMATION_RIGHTS_REQUESTS:
        what = _INFORMATION_RIGHTS_REQUESTS[intake.request_type]
        return _out_of_scope(
            "2.4",
            f"2.4 {what} is not covered by the protocol: refer to Information Rights",
        )

    return Decision(
        decision="scope",
        value="in_scope",
        clauses=SCOPE_CLAUSES,
        reasons=(
            "in scope: personal data, not anonymised, shared proactively with public bodies "
            "in Great Britain and Northern Ireland, no imminent risk of harm",
        ),
    )


# --------------------------------------------------------------------------------------
# DPIA screening (PROTOCOL.md 2.3; protocol 6.1-6.4)
# --------------------------------------------------------------------------------------

_ART35: dict[str, tuple[str, str]] = {
    "art35_automated_decisions": (
        "UK GDPR Art 35(3)(a)",
        "automated decisions with legal or similarly significant effects",
    ),
    "art35_large_scale_special": (
        "UK GDPR Art 35(3)(b)",
        "large-scale special category or criminal offence data",
    ),
    "art35_public_monitoring": (
        "UK GDPR Art 35(3)(c)",
        "large-scale systematic monitoring of a publicly accessible area",
    ),
}

_ICO_ALONE: dict[str, str] = {
    "ico_denial_of_service": "denial of service (access to a service or benefit decided "
    "by automated decision-making or special category data)",
    "ico_large_scale_profiling": "large-scale profiling",
    "ico_data_matching": "data matching from multiple sources",
    "ico_children_or_vulnerable": "targeting children or other vulnerable people",
    "ico_physical_harm": "risk of physical harm if the data were breached",
}

# ICO items that need one other (WP248) criterion too, with the WP248 criterion that is
# the same thing ("twin") and so does not count as the other one.
_ICO_WITH_ANOTHER: dict[str, tuple[str, str | None]] = {
    "ico_innovative_technology": ("innovative technology", "wp_innovative_use"),
    "ico_biometric": ("biometric identification", "wp_sensitive_data"),
    "ico_genetic": ("genetic data", "wp_sensitive_data"),
    "ico_invisible_processing": ("invisible processing", None),
    "ico_tracking": ("tracking of location or behaviour", "wp_systematic_monitoring"),
}

_WP248: dict[str, str] = {
    "wp_evaluation_scoring": "evaluation or scoring",
    "wp_automated_decisions": "automated decisions with significant effect",
    "wp_systematic_monitoring": "systematic monitoring",
    "wp_sensitive_data": "sensitive or highly personal data",
    "wp_large_scale": "large scale",
    "wp_matching_datasets": "matching or combining datasets",
    "wp_vulnerable_subjects": "vulnerable data subjects",
    "wp_innovative_use": "innovative use of technology",
    "wp_prevents_rights": "processing that stops people using a right or service",
}

ICO_LIST = "ICO high-risk list"
WP248 = "EDPB WP248"


def recommend_dpia(intake: Intake, answers: Mapping[str, bool]) -> Decision:
    """Recommend a DPIA (PROTOCOL.md 2.3)? Lists every criterion that fired.

    A criterion missing from `answers` counts as not met; ids that are not screening
    criteria are ignored (the `submit_screening` payload already refuses them).
    """

    def met(criterion: str) -> bool:
        return answers.get(criterion, False) is True

    reasons: list[str] = []
    clauses: list[str] = []

    for criterion, (clause, text) in _ART35.items():
        if met(criterion):
            reasons.append(f"{clause}: {text}")
            clauses.append(clause)

    for criterion, text in _ICO_ALONE.items():
        if met(criterion):
            reasons.append(f"{ICO_LIST}: {text}")
            clauses.append(ICO_LIST)

    wp_met = [c for c in _WP248 if met(c)]
    unmet_pairs: list[str] = []  # ICO items that needed another criterion and had none
    for criterion, (text, twin) in _ICO_WITH_ANOTHER.items():
        if not met(criterion):
            continue
        others = [c for c in wp_met if c != twin]
        if others:
            also = ", ".join(_WP248[c] for c in others)
            reasons.append(f"{ICO_LIST}: {text}, with another criterion ({WP248}: {also})")
            clauses.extend((ICO_LIST, WP248))
        else:
            unmet_pairs.append(text)

    if len(wp_met) >= 2:
        listed = ", ".join(_WP248[c] for c in wp_met)
        reasons.append(f"{WP248}: {len(wp_met)} of the nine criteria met ({listed})")
        clauses.append(WP248)

    if intake.special_categories:
        listed = ", ".join(_human(c) for c in intake.special_categories)
        reasons.append(f"6.4 special category data ({listed})")
        clauses.extend(("6.4", "UK GDPR Art 9(1)"))
    if intake.criminal_offence_data:
        reasons.append("6.4 criminal offence data")
        clauses.extend(("6.4", "UK GDPR Art 10"))

    if reasons:
        return Decision(
            decision="dpia_required", value=True, clauses=_unique(clauses), reasons=tuple(reasons)
        )

    # Not recommended: record why [law: ICO - record why no DPIA].
    why = ["no Art 35(3), ICO or WP248 criterion met; no special category or criminal offence data"]
    for text in unmet_pairs:
        why.append(f"{ICO_LIST}: {text} alone is not enough; it needs one other criterion")
    if len(wp_met) == 1:
        why.append(f"{WP248}: only 1 of the nine criteria met ({_WP248[wp_met[0]]}); two needed")
    why.append("6.3 low risk: proceed without a DPIA")
    return Decision(
        decision="dpia_required",
        value=False,
        clauses=("6.3", "ICO: record why no DPIA"),
        reasons=tuple(why),
    )


# --------------------------------------------------------------------------------------
# Need for an agreement (PROTOCOL.md 2.5; protocol 3.1, 3.3)
# --------------------------------------------------------------------------------------

_IN_LAW: dict[SpecifiedInLaw, str] = {
    SpecifiedInLaw.emergency_services: "emergency services (e.g. calling 999)",
    SpecifiedInLaw.organisation_under_investigation: "organisation under investigation",
    SpecifiedInLaw.formal_inquiry: "formal inquiry (e.g. the Infected Blood Inquiry)",
    SpecifiedInLaw.hmrc_tax: "HMRC tax",
    SpecifiedInLaw.other_statutory: "other statutory requirement",
}


def isa_triggers(intake: Intake, dpia_required: bool) -> list[str]:
    """The 3.1 triggers that hold, as short phrases (without the "3.1" prefix)."""
    triggers = []
    if dpia_required:
        triggers.append("high risk (DPIA required)")
    if intake.frequency == Frequency.regular:
        triggers.append("regular sharing")
    if intake.onward_use_controls:
        triggers.append("controls needed on onward use")
    if intake.business_critical:
        triggers.append("business critical")
    if len(intake.recipients) > 1:
        names = ", ".join(r.name for r in intake.recipients)
        triggers.append(f"more than one recipient organisation ({names})")
    if intake.maintained_technology:
        triggers.append("relies on technology needing maintenance and monitoring")
    return triggers


def recommend_isa(intake: Intake, dpia_required: bool) -> Decision:
    """Recommend an information sharing agreement (PROTOCOL.md 2.5)?"""
    triggers = isa_triggers(intake, dpia_required)
    if intake.specified_in_law is not None:
        reasons = [
            f"3.3 specified in law: {_IN_LAW[intake.specified_in_law]}; "
            "an agreement is usually not necessary"
        ]
        clauses = ["3.3"]
        if triggers:
            reasons.append("3.1 triggers noted: " + "; ".join(triggers))
            clauses.append("3.1")
        return Decision(
            decision="isa_required", value=False, clauses=tuple(clauses), reasons=tuple(reasons)
        )
    if triggers:
        return Decision(
            decision="isa_required",
            value=True,
            clauses=("3.1",),
            reasons=tuple(f"3.1 {t}" for t in triggers),
        )
    return Decision(
        decision="isa_required", value=False, clauses=("3.1",), reasons=("no 3.1 trigger",)
    )


# --------------------------------------------------------------------------------------
# Security method (PROTOCOL.md 2.7; protocol 8.1, 8.2)
# --------------------------------------------------------------------------------------


def recommend_security(intake: Intake, small_volume_threshold: int) -> Decision:
    """Encrypted email for small, not regular sharing (8.1); otherwise ask ICT (8.1, 8.2)."""
    regular = intake.frequency == Frequency.regular
    small = intake.volume <= small_volume_threshold
    if small and not regular:
        return Decision(
            decision="security_method",
            value="encrypted_email",
            clauses=("8.1",),
            reasons=(
                f"8.1 small volume ({intake.volume} records) and not regular: "
                "encrypted email (Egress)",
            ),
        )
    why = []
    if not small:
        why.append(f"volume {intake.volume} records is above {small_volume_threshold}")
    if regular:
        why.append("sharing is regular")
    sensitivity = "sensitivity of the information"
    sensitive = [_human(c) for c in intake.special_categories]
    if intake.criminal_offence_data:
        sensitive.append("criminal offence data")
    if sensitive:
        sensitivity += f" (special category data: {', '.join(sensitive)})"
    names = ", ".join(r.name for r in intake.recipients)
    return Decision(
        decision="security_method",
        value="ict_helphub",
        clauses=("8.1", "8.2"),
        reasons=(
            f"8.1 {' and '.join(why)}: request advice from the ICT helphub",
            f"8.2 factors: {sensitivity}; volume ({intake.volume} records); "
            f"security expertise and credibility of {names}; novelty of the technology",
        ),
    )


# --------------------------------------------------------------------------------------
# Lawful basis and conditions (PROTOCOL.md 2.6; protocol 4.4-4.13, 5.3, 7.3)
# --------------------------------------------------------------------------------------

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
        listed = ", ".join(_human(c) for c in intake.special_categories)
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
    reasons = [f"5.3 lawful basis: {_human(basis)}"]
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


# --------------------------------------------------------------------------------------
# Reviews (PROTOCOL.md 2.9; protocol 10.1)
# --------------------------------------------------------------------------------------

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
