"""DPIA screening (PROTOCOL.md 2.3; protocol 6.1-6.4): is a DPIA recommended? UK GDPR
Art 35(3), the ICO's high-risk list and the EDPB's WP248 criteria, and 6.4's special
category and criminal offence data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from states.decision import Decision
from states.intake import Intake
from states.rules.wording import human


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    """The items in first-seen order, each once."""
    return tuple(dict.fromkeys(items))


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
        listed = ", ".join(human(c) for c in intake.special_categories)
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
