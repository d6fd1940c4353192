"""The lawful basis and advice (states/proposal/lawful_basis.py; PROTOCOL.md 2.6)."""

from __future__ import annotations

import pytest

from tests import people
from tests.factories import LAWFUL_BASIS, SPECIAL_CONDITION
from tests.states.proposal.helpers import reached


def test_advice_before_a_lawful_basis_is_refused() -> None:
    walk = reached("lawful_basis")
    for role in ("dpo", "information_rights"):
        actor = people.DPO if role == "dpo" else people.INFORMATION_RIGHTS
        text = walk.refused("advice", actor, role=role, outcome="support", notes="fine")
        assert "no lawful basis to advise on yet" in text
        assert "propose_lawful_basis" in text


@pytest.mark.parametrize("objector", ["dpo", "information_rights"])
def test_an_objection_clears_the_basis_and_both_advices(objector: str) -> None:
    walk = reached("lawful_basis")
    walk.propose()
    supporter = "information_rights" if objector == "dpo" else "dpo"
    assert walk.advise(supporter)
    assert set(walk.p.data.advice) == {supporter}
    assert walk.advise(objector, "object")
    d = walk.p.data
    assert d.lawful_basis is None
    assert d.advice == {}
    assert walk.state == "lawful_basis"
    assert walk.p.awaiting()[0]["message"] == "propose_lawful_basis"
    objection = [e for e in d.timeline if e.message == "advice_objection"]
    assert objection and objection[-1].clauses == ["4.7"]
    # and round again: both advices are needed anew
    walk.propose()
    walk.send("special_category_condition", people.INFORMATION_RIGHTS, **SPECIAL_CONDITION)
    walk.advise("dpo")
    assert walk.state == "lawful_basis"
    walk.advise("information_rights")
    assert walk.state == "security_method"


def test_changing_the_proposed_basis_drops_earlier_advice() -> None:
    walk = reached("lawful_basis")
    walk.propose()
    walk.advise("dpo")
    walk.propose(justification="a better justification")
    assert walk.p.data.advice == {}


def test_lawful_basis_waits_for_all_three_in_any_order() -> None:
    walk = reached("lawful_basis")
    walk.send("special_category_condition", people.INFORMATION_RIGHTS, **SPECIAL_CONDITION)
    walk.propose()
    walk.advise("information_rights")
    assert walk.state == "lawful_basis"
    assert [w["message"] for w in walk.p.awaiting()] == ["advice"]
    assert walk.p.awaiting()[0]["roles"] == ["dpo"]
    walk.advise("dpo")
    assert walk.state == "security_method"


def test_lawful_basis_checks_minimisation_and_safety() -> None:
    walk = reached("lawful_basis")
    text = walk.refused(
        "propose_lawful_basis",
        people.CASEWORKER,
        **{**LAWFUL_BASIS, "minimisation": {**LAWFUL_BASIS["minimisation"], "timely": False}},
    )
    assert "minimisation.timely must be true" in text
    text = walk.refused(
        "propose_lawful_basis", people.CASEWORKER, **{**LAWFUL_BASIS, "safety_considered": False}
    )
    assert "safety_considered must be true" in text
