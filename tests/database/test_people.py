"""The people directory."""

from __future__ import annotations

import pytest

from infoshare.database.people import add_person, get_person, list_people, people_with_role
from infoshare.database.session import session_scope
from infoshare.settings import Settings


def test_add_and_get(infoshare_env: Settings) -> None:
    with session_scope() as session:
        person = add_person(
            session, " Dana@PHSO.example ", ["information_rights", "dpo", "dpo"], name="Dana"
        )
    assert person.email == "dana@phso.example"
    assert person.roles == ["dpo", "information_rights"]
    assert person.organisation == "PHSO"
    with session_scope() as session:
        assert get_person(session, "DANA@phso.example") == person
        assert get_person(session, "nobody@phso.example") is None
        assert get_person(session, "not an email") is None
        assert list_people(session) == [person]


def test_add_again_updates(infoshare_env: Settings) -> None:
    with session_scope() as session:
        add_person(session, "sam@lgsco.example", ["signatory", "reviewer"], "Sam", "LGSCO")
    with session_scope() as session:
        person = add_person(session, "sam@lgsco.example", ["signatory"], organisation="LGSCO")
    assert person.roles == ["signatory"]
    assert person.name == "Sam"  # an empty name keeps the one on file
    with session_scope() as session:
        assert [p.email for p in list_people(session)] == ["sam@lgsco.example"]
        assert people_with_role(session, "reviewer") == []
        assert people_with_role(session, "signatory") == [person]


def test_people_with_role(infoshare_env: Settings) -> None:
    with session_scope() as session:
        add_person(session, "b@phso.example", ["dpo"])
        add_person(session, "a@phso.example", ["dpo", "caseworker"])
        add_person(session, "c@phso.example", ["ict"])
    with session_scope() as session:
        assert [p.email for p in people_with_role(session, "dpo")] == [
            "a@phso.example",
            "b@phso.example",
        ]
        assert people_with_role(session, "auditor") == []


def test_unknown_role_is_refused_and_nothing_written(infoshare_env: Settings) -> None:
    with session_scope() as session:
        add_person(session, "casey@phso.example", ["caseworker"])
    for email in ("casey@phso.example", "new@phso.example"):
        with pytest.raises(ValueError) as excinfo, session_scope() as session:
            add_person(session, email, ["caseworker", "dpp"])
        message = str(excinfo.value)
        assert "unknown role 'dpp'" in message
        assert "caseworker, dpo, information_rights, ict, signatory, reviewer, auditor" in message
    with session_scope() as session:
        people = list_people(session)
    assert [(p.email, p.roles) for p in people] == [("casey@phso.example", ["caseworker"])]


@pytest.mark.parametrize(
    ("email", "roles", "organisation", "error"),
    [
        ("not-an-email", ["dpo"], "PHSO", "not a valid email address"),
        ("x@phso.example", [], "PHSO", "at least one role"),
        ("x@phso.example", ["dpo"], " ", "organisation must not be empty"),
    ],
)
def test_invalid_entries_are_refused(
    infoshare_env: Settings, email: str, roles: list[str], organisation: str, error: str
) -> None:
    with pytest.raises(ValueError, match=error), session_scope() as session:
        add_person(session, email, roles, organisation=organisation)
    with session_scope() as session:
        assert list_people(session) == []
