"""The people directory the workflow tests use."""

from __future__ import annotations

CASEWORKER = "casey@phso.example"
OTHER_CASEWORKER = "cam@phso.example"
DPO = "dpo@phso.example"
INFORMATION_RIGHTS = "ir@phso.example"
ICT = "ict@phso.example"
REVIEWER = "reviewer@phso.example"
SIGNATORY_PHSO = "director@phso.example"
SIGNATORY_LGSCO = "chief@lgsco.example"
SIGNATORY_CQC = "chief@cqc.example"
NOBODY = "stranger@phso.example"

PEOPLE: list[tuple[str, list[str], str]] = [
    (CASEWORKER, ["caseworker", "reviewer"], "PHSO"),
    (OTHER_CASEWORKER, ["caseworker", "dpo"], "PHSO"),
    (DPO, ["dpo"], "PHSO"),
    (INFORMATION_RIGHTS, ["information_rights", "reviewer"], "PHSO"),
    (ICT, ["ict"], "PHSO"),
    (REVIEWER, ["reviewer"], "PHSO"),
    (SIGNATORY_PHSO, ["signatory"], "PHSO"),
    (SIGNATORY_LGSCO, ["signatory"], "LGSCO"),
    (SIGNATORY_CQC, ["signatory"], "CQC"),
]


def seed_people() -> None:
    from infoshare.database.people import add_person
    from infoshare.database.session import session_scope

    with session_scope() as session:
        for email, roles, organisation in PEOPLE:
            add_person(session, email, roles, organisation=organisation)
