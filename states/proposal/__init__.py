"""A sharing proposal and the protocol applied to it, one module per protocol section.

- `core`: checking and applying a message, and the table of every message's handler;
- `scoping` (2.2, 2.3), `dpia` (2.4), `agreement_decision` (2.5), `lawful_basis` (2.6),
  `security` (2.7), `signing` (2.8), `reviews` (2.9), `records` (4.14), `ending` (10.1):
  what each message means in its section;
- `status` and `chasing` (2.9 overdue): what the proposal shows, and whom it chases;
- `data`: the models carried in workflow histories; `base`: the lifecycle and timeline.

Section numbers are PROTOCOL.md's; clause numbers in the modules are the protocol's (v1.2).
"""

from states.proposal.base import SYSTEM_ACTOR, Refusal
from states.proposal.core import CHECKS, HANDLERS, MAX_REFUSAL_CHARS, Proposal, message_digest
from states.proposal.data import (
    AdviceGiven,
    Agreement,
    ProposalData,
    Recommendation,
    Record,
    Signature,
)

__all__ = [
    "CHECKS",
    "HANDLERS",
    "MAX_REFUSAL_CHARS",
    "SYSTEM_ACTOR",
    "AdviceGiven",
    "Agreement",
    "Proposal",
    "ProposalData",
    "Recommendation",
    "Record",
    "Refusal",
    "Signature",
    "message_digest",
]
