"""Scoping, clause by clause (states/rules/scoping.py): PROTOCOL.md 2.2 (protocol 1.1,
2.1-2.4, 4.3)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from states import rules
from tests.factories import make_intake
from tests.states.rules.helpers import PUBLIC_LGSCO, recipient

SCOPE_IN = ("1.1", "2.1", "2.2", "2.3", "2.4")


def test_contract_example_intake_is_in_scope() -> None:
    """1.1, 2.1-2.4: every test passes, in scope (PROTOCOL.md 2.2)."""
    d = rules.scope(make_intake())
    assert d.decision == "scope"
    assert d.value == "in_scope"
    assert d.clauses == SCOPE_IN
    assert len(d.reasons) == 1


@pytest.mark.parametrize("location", ["england", "wales", "scotland", "northern_ireland"])
def test_1_1_every_uk_nation_is_in_scope(location: str) -> None:
    d = rules.scope(make_intake(recipients=[recipient("Partner", location=location)]))
    assert d.value == "in_scope"
    assert d.clauses == SCOPE_IN


def test_3_3_example_999_call_imminent_risk_is_emergency_referred() -> None:
    d = rules.scope(make_intake(imminent_risk_of_harm=True))
    assert d.value == "emergency_referred"
    assert d.clauses == ("4.3",)
    assert len(d.reasons) == 1
    assert "call 999 now" in d.reasons[0]
    assert "Data, Security and Privacy" in d.reasons[0]
    assert "Helphub" in d.reasons[0]


@pytest.mark.parametrize(
    "overrides",
    [
        {"recipients": [recipient("Smith & Co Solicitors", "agent_of_private_party")]},
        {"recipients": [recipient("Bureau", location="outside_uk")]},
        {"personal_data": False},
        {"request_type": "financial_information"},
        {"anonymised": True},
        {"request_type": "subject_access_request"},
        {"request_type": "foi_request"},
    ],
    ids=["private", "outside_uk", "not_personal", "financial", "anonymised", "sar", "foi"],
)
def test_order_imminent_risk_wins_over_every_out_of_scope_test(overrides: dict[str, Any]) -> None:
    """4.3 comes first in PROTOCOL.md 2.2's order."""
    d = rules.scope(make_intake(imminent_risk_of_harm=True, **overrides))
    assert d.value == "emergency_referred"
    assert d.clauses == ("4.3",)


@pytest.mark.parametrize(
    ("kind", "name", "words"),
    [
        ("private_individual", "Ms Jones", "a private individual"),
        ("private_firm", "Acme Ltd", "a private firm"),
        ("agent_of_private_party", "Smith & Co Solicitors", "solicitors"),
    ],
)
def test_2_1_private_recipients_are_out_of_scope(kind: str, name: str, words: str) -> None:
    d = rules.scope(make_intake(recipients=[recipient(name, kind)]))
    assert d.value == "out_of_scope"
    assert d.clauses == ("2.1",)
    assert len(d.reasons) == 1
    assert d.reasons[0].startswith(f"2.1 recipient {name} is ")
    assert words in d.reasons[0]


def test_2_1_one_private_recipient_among_public_bodies_is_enough() -> None:
    d = rules.scope(make_intake(recipients=[PUBLIC_LGSCO, recipient("Acme Ltd", "private_firm")]))
    assert d.value == "out_of_scope"
    assert d.clauses == ("2.1",)
    assert len(d.reasons) == 1
    assert "Acme Ltd" in d.reasons[0]
    assert "LGSCO" not in d.reasons[0]


def test_2_1_names_every_private_recipient() -> None:
    d = rules.scope(
        make_intake(
            recipients=[
                recipient("Acme Ltd", "private_firm"),
                recipient("Ms Jones", "private_individual"),
            ]
        )
    )
    assert d.clauses == ("2.1",)
    assert [r.split(" is ")[0] for r in d.reasons] == [
        "2.1 recipient Acme Ltd",
        "2.1 recipient Ms Jones",
    ]


def test_order_private_recipient_2_1_wins_over_outside_uk_1_1() -> None:
    same = rules.scope(
        make_intake(recipients=[recipient("Acme GmbH", "private_firm", "outside_uk")])
    )
    assert (same.value, same.clauses) == ("out_of_scope", ("2.1",))
    split = rules.scope(
        make_intake(
            recipients=[
                recipient("Bureau", location="outside_uk"),
                recipient("Acme Ltd", "private_firm"),
            ]
        )
    )
    assert (split.value, split.clauses) == ("out_of_scope", ("2.1",))


def test_1_1_recipient_outside_uk_is_out_of_scope() -> None:
    d = rules.scope(
        make_intake(recipients=[PUBLIC_LGSCO, recipient("Irish Ombudsman", location="outside_uk")])
    )
    assert d.value == "out_of_scope"
    assert d.clauses == ("1.1",)
    assert len(d.reasons) == 1
    assert "Irish Ombudsman" in d.reasons[0]
    assert "outside Great Britain and Northern Ireland" in d.reasons[0]


def test_order_outside_uk_1_1_wins_over_not_personal_data_2_2() -> None:
    d = rules.scope(
        make_intake(recipients=[recipient("Bureau", location="outside_uk")], personal_data=False)
    )
    assert d.clauses == ("1.1",)


def test_2_2_not_personal_data_is_out_of_scope_refer_to_information_rights() -> None:
    d = rules.scope(make_intake(personal_data=False))
    assert d.value == "out_of_scope"
    assert d.clauses == ("2.2",)
    assert len(d.reasons) == 1
    assert "not personal data" in d.reasons[0]
    assert "Information Rights" in d.reasons[0]


def test_2_2_financial_information_is_out_of_scope_refer_to_information_rights() -> None:
    d = rules.scope(make_intake(request_type="financial_information"))
    assert d.value == "out_of_scope"
    assert d.clauses == ("2.2",)
    assert len(d.reasons) == 1
    assert "financial" in d.reasons[0]
    assert "Information Rights" in d.reasons[0]


def test_2_2_not_personal_and_financial_gives_both_reasons() -> None:
    d = rules.scope(make_intake(personal_data=False, request_type="financial_information"))
    assert d.clauses == ("2.2",)
    assert len(d.reasons) == 2


def test_order_not_personal_data_2_2_wins_over_anonymised_2_3() -> None:
    d = rules.scope(make_intake(personal_data=False, anonymised=True))
    assert (d.value, d.clauses) == ("out_of_scope", ("2.2",))


def test_2_3_anonymised_is_out_of_scope() -> None:
    d = rules.scope(make_intake(anonymised=True))
    assert d.value == "out_of_scope"
    assert d.clauses == ("2.3",)
    assert "anonymised" in d.reasons[0]


def test_order_anonymised_2_3_wins_over_subject_access_2_4() -> None:
    d = rules.scope(make_intake(anonymised=True, request_type="subject_access_request"))
    assert d.clauses == ("2.3",)


@pytest.mark.parametrize(
    ("request_type", "words"),
    [
        ("subject_access_request", "subject access request"),
        ("foi_request", "freedom of information request"),
        ("material_evidence_to_complainant", "material evidence to a complainant"),
    ],
)
def test_2_4_information_rights_requests_are_out_of_scope(request_type: str, words: str) -> None:
    d = rules.scope(make_intake(request_type=request_type))
    assert d.value == "out_of_scope"
    assert d.clauses == ("2.4",)
    assert len(d.reasons) == 1
    assert words in d.reasons[0]
    assert "refer to Information Rights" in d.reasons[0]


@given(
    imminent=st.booleans(),
    kind=st.sampled_from(
        ["public_body", "private_individual", "private_firm", "agent_of_private_party"]
    ),
    location=st.sampled_from(["england", "wales", "scotland", "northern_ireland", "outside_uk"]),
    personal=st.booleans(),
    anonymised=st.booleans(),
    request_type=st.sampled_from(
        [
            "proactive_share",
            "subject_access_request",
            "foi_request",
            "material_evidence_to_complainant",
            "financial_information",
        ]
    ),
)
def test_scope_follows_the_2_2_order(
    imminent: bool, kind: str, location: str, personal: bool, anonymised: bool, request_type: str
) -> None:
    d = rules.scope(
        make_intake(
            imminent_risk_of_harm=imminent,
            recipients=[recipient("Partner", kind, location)],
            personal_data=personal,
            anonymised=anonymised,
            request_type=request_type,
        )
    )
    # An independent statement of PROTOCOL.md 2.2.
    tests = [
        (imminent, "emergency_referred", ("4.3",)),
        (kind != "public_body", "out_of_scope", ("2.1",)),
        (location == "outside_uk", "out_of_scope", ("1.1",)),
        (not personal or request_type == "financial_information", "out_of_scope", ("2.2",)),
        (anonymised, "out_of_scope", ("2.3",)),
        (request_type != "proactive_share", "out_of_scope", ("2.4",)),
        (True, "in_scope", SCOPE_IN),
    ]
    expected = next((value, clauses) for hit, value, clauses in tests if hit)
    assert (d.value, d.clauses) == expected
    assert d.reasons
