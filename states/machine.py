"""The lifecycle of a sharing proposal as a `transitions` state machine (PROTOCOL.md 2).

States are exactly those of CONTRACT.md. Events are named in the protocol's words; which
event fires is decided by the rules (`states.rules`) and by `states.proposal`, never here.
`ACCEPTS` lists the messages each state accepts: a message not listed is refused.
"""

from __future__ import annotations

from typing import Any

from transitions import Machine

STATES: tuple[str, ...] = (
    "scoping",
    "out_of_scope",
    "emergency_referred",
    "screening",
    "dpia",
    "ico_prior_consultation",
    "isa_decision",
    "lawful_basis",
    "security_method",
    "signing",
    "active",
    "review_due",
    "remediation",
    "suspended",
    "closing",
    "ended",
    "approved_without_agreement",
    "withdrawn",
    "rejected",
)

TERMINAL: frozenset[str] = frozenset(
    {
        "out_of_scope",
        "emergency_referred",
        "ended",
        "approved_without_agreement",
        "withdrawn",
        "rejected",
    }
)

# Before the agreement is in force: a proposal may still be withdrawn or rejected here.
PRE_ACTIVE: tuple[str, ...] = (
    "screening",
    "dpia",
    "ico_prior_consultation",
    "isa_decision",
    "lawful_basis",
    "security_method",
    "signing",
)

# While an agreement is in force: it may be suspended or terminated.
IN_FORCE: tuple[str, ...] = ("active", "review_due", "remediation", "suspended")

TRANSITIONS: list[dict[str, Any]] = [
    # 2.2 scoping, automatic
    {"trigger": "refer_emergency", "source": "scoping", "dest": "emergency_referred"},
    {"trigger": "rule_out_of_scope", "source": "scoping", "dest": "out_of_scope"},
    {"trigger": "scope_in", "source": "scoping", "dest": "screening"},
    # 2.3 DPIA screening, confirmed by the DPO
    {"trigger": "require_dpia", "source": "screening", "dest": "dpia"},
    {"trigger": "skip_dpia", "source": "screening", "dest": "isa_decision"},
    # 2.4 DPIA, and ICO prior consultation for high residual risk
    {"trigger": "approve_dpia", "source": "dpia", "dest": "isa_decision"},
    {"trigger": "consult_ico", "source": "dpia", "dest": "ico_prior_consultation"},
    {"trigger": "ico_allows", "source": "ico_prior_consultation", "dest": "isa_decision"},
    # 2.5 need for an agreement
    {"trigger": "settle_isa_need", "source": "isa_decision", "dest": "lawful_basis"},
    # 2.6 lawful basis and advice
    {"trigger": "agree_lawful_basis", "source": "lawful_basis", "dest": "security_method"},
    # 2.7 security method, then 2.8 signing or no agreement
    {"trigger": "draft_agreement", "source": "security_method", "dest": "signing"},
    {
        "trigger": "approve_without_agreement",
        "source": "security_method",
        "dest": "approved_without_agreement",
    },
    {"trigger": "all_signed", "source": "signing", "dest": "active"},
    # 2.9 reviews
    {"trigger": "review_falls_due", "source": "active", "dest": "review_due"},
    {"trigger": "pass_review", "source": "review_due", "dest": "active"},
    {"trigger": "fail_review", "source": "review_due", "dest": "remediation"},
    {"trigger": "refresh_agreement", "source": ["review_due", "remediation"], "dest": "signing"},
    {"trigger": "remediate", "source": "remediation", "dest": "active"},
    {"trigger": "suspend", "source": ["active", "review_due", "remediation"], "dest": "suspended"},
    {"trigger": "resume_sharing", "source": "suspended", "dest": "active"},
    {"trigger": "resume_remediation", "source": "suspended", "dest": "remediation"},
    {"trigger": "terminate", "source": [*IN_FORCE, "signing"], "dest": "closing"},
    {"trigger": "confirm_destruction", "source": "closing", "dest": "ended"},
    # withdrawn / rejected: reachable from every pre-active state
    {"trigger": "withdraw", "source": list(PRE_ACTIVE), "dest": "withdrawn"},
    {"trigger": "reject", "source": list(PRE_ACTIVE), "dest": "rejected"},
]

# The messages each state accepts (CONTRACT.md "Messages"). Anything else is refused.
_ANY_OPEN = ("attach_record", "release_records")
ACCEPTS: dict[str, tuple[str, ...]] = {
    "scoping": (),
    "screening": ("submit_screening", "screening_decision", "withdraw", "terminate", *_ANY_OPEN),
    "dpia": ("submit_dpia", "dpia_decision", "withdraw", "terminate", *_ANY_OPEN),
    "ico_prior_consultation": ("ico_consultation_outcome", "withdraw", "terminate", *_ANY_OPEN),
    "isa_decision": ("isa_decision", "withdraw", "terminate", *_ANY_OPEN),
    "lawful_basis": (
        "propose_lawful_basis",
        "special_category_condition",
        "advice",
        "withdraw",
        "terminate",
        *_ANY_OPEN,
    ),
    "security_method": ("security_advice", "withdraw", "terminate", *_ANY_OPEN),
    "signing": ("sign", "withdraw", "terminate", *_ANY_OPEN),
    "active": ("suspend", "terminate", *_ANY_OPEN),
    "review_due": ("submit_review", "suspend", "terminate", *_ANY_OPEN),
    "remediation": ("remediation_complete", "suspend", "terminate", *_ANY_OPEN),
    "suspended": ("resume", "terminate", *_ANY_OPEN),
    "closing": ("confirm_destruction", "release_records"),
    **{state: () for state in TERMINAL},
}


# One machine for every proposal: each proposal's `Lifecycle` is passed to its events as
# the model. A machine per proposal would cost ~56 kB each in a worker caching thousands.
_MACHINE = Machine(
    model=None,
    states=list(STATES),
    transitions=TRANSITIONS,
    initial="scoping",
    auto_transitions=False,
    ignore_invalid_triggers=False,
)


class Lifecycle:
    """The model the machine drives: only its `state`. Everything else lives in
    `states.proposal.Proposal`, so the machine stays a pure table of what may follow what."""

    __slots__ = ("state",)

    def __init__(self, initial: str = "scoping") -> None:
        if initial not in STATES:
            raise ValueError(f"unknown state {initial!r}")
        self.state = initial

    def fire(self, event: str) -> str:
        """Fire `event`; raises `transitions.MachineError` if the state does not allow it."""
        if event not in _MACHINE.events:
            raise ValueError(f"unknown event {event!r}")
        _MACHINE.events[event].trigger(self)
        return self.state

    def events(self) -> list[str]:
        """The events that may fire from the current state."""
        return sorted(_MACHINE.get_triggers(self.state))


def build_definition_machine() -> Machine:
    """A model-less machine with the whole table, for drawing and for property tests."""
    return Machine(
        model=None,
        states=list(STATES),
        transitions=TRANSITIONS,
        initial="scoping",
        auto_transitions=False,
    )


def successors(state: str) -> set[str]:
    """States directly reachable from `state` by any event."""
    result: set[str] = set()
    for t in TRANSITIONS:
        sources = t["source"] if isinstance(t["source"], list) else [t["source"]]
        if state in sources:
            result.add(t["dest"])
    return result
