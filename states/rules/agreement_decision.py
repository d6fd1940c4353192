"""Need for an agreement (PROTOCOL.md 2.5; protocol 3.1, 3.3): is an information sharing
agreement (ISA) recommended?"""

from __future__ import annotations

from states.decision import Decision
from states.intake import Frequency, Intake, SpecifiedInLaw

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
