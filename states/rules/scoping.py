"""Scoping (PROTOCOL.md 2.2; protocol 1.1, 2.1-2.4, 4.3): is a proposal within the protocol?"""

from __future__ import annotations

from states.decision import Decision
from states.intake import Intake, Location, RecipientKind, RequestType

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
