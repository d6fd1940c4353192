"""Security method (PROTOCOL.md 2.7; protocol 8.1, 8.2): how the information is sent."""

from __future__ import annotations

from states.decision import Decision
from states.intake import Frequency, Intake
from states.rules.wording import human


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
    sensitive = [human(c) for c in intake.special_categories]
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
