"""The lawful basis and advice (PROTOCOL.md 2.6; protocol 4.4-4.13, 5.3, 7.3): the
caseworker proposes the basis, Information Rights names the special category condition
when one is needed, and the DPO and Information Rights advise (4.7)."""

from __future__ import annotations

from datetime import datetime

from states import rules
from states.messages import Advice, ProposeLawfulBasis, SpecialCategoryCondition
from states.proposal.base import ProposalBase, Refusal
from states.proposal.data import AdviceGiven
from states.proposal.security import enter_security_method

ADVISERS = ("dpo", "information_rights")


def check_propose_lawful_basis(proposal: ProposalBase, p: ProposeLawfulBasis) -> None:
    problems = rules.check_lawful_basis(p)
    if problems:
        raise Refusal("propose_lawful_basis: " + "; ".join(problems))


def on_propose_lawful_basis(proposal: ProposalBase, p: ProposeLawfulBasis, now: datetime) -> None:
    proposed = p.model_dump(mode="json", exclude={"actor"})
    if proposal.data.lawful_basis != proposed:
        proposal.data.advice = {}  # advice was given on another proposal
    proposal.data.lawful_basis = proposed
    proposal.recommend(rules.lawful_basis_notes(p), now)
    maybe_agree_lawful_basis(proposal, now)


def check_special_category_condition(proposal: ProposalBase, p: SpecialCategoryCondition) -> None:
    problems = rules.check_special_category_condition(proposal.intake, p)
    if problems:
        raise Refusal("special_category_condition: " + "; ".join(problems))


def on_special_category_condition(
    proposal: ProposalBase, p: SpecialCategoryCondition, now: datetime
) -> None:
    proposal.data.special_category_condition = p.model_dump(mode="json", exclude={"actor"})
    maybe_agree_lawful_basis(proposal, now)


def check_advice(proposal: ProposalBase, p: Advice) -> None:
    if proposal.data.lawful_basis is None:
        raise Refusal(
            "advice: there is no lawful basis to advise on yet; the caseworker sends "
            "propose_lawful_basis first"
        )


def on_advice(proposal: ProposalBase, p: Advice, now: datetime) -> None:
    if p.outcome == "object":
        proposal.data.lawful_basis = None
        proposal.data.advice = {}
        proposal.system_event(
            now,
            "advice_objection",
            f"{p.role} objects: the proposal goes back to the caseworker to propose "
            "a lawful basis again",
            ["4.7"],
        )
        return
    proposal.data.advice[p.role] = AdviceGiven(actor=str(p.actor), outcome=p.outcome, notes=p.notes)
    maybe_agree_lawful_basis(proposal, now)


def maybe_agree_lawful_basis(proposal: ProposalBase, now: datetime) -> None:
    """Once the basis is proposed, both advisers support it and any condition needed is
    named, the lawful basis is agreed and the transfer method comes next."""
    d = proposal.data
    ready = (
        d.lawful_basis is not None
        and all(d.advice.get(r) and d.advice[r].outcome == "support" for r in ADVISERS)
        and (
            d.special_category_condition is not None
            or not rules.special_category_condition_needed(proposal.intake)
        )
    )
    if not ready:
        return
    proposal.fire("agree_lawful_basis", now)
    enter_security_method(proposal, now)
