"""The messages people send (CONTRACT.md "Messages"): who may send them and their payloads.

Every payload is one JSON object with `actor` (an email in the people directory). Payload
models forbid unknown fields so that a typo is refused instead of silently ignored.

`catalogue` holds every message in the protocol's order and reads payloads; `common` the
roles and the base payload; the other modules one protocol section each: `screening`
(PROTOCOL.md 2.3), `dpia` (2.4), `agreement_decision` (2.5), `lawful_basis` (2.6),
`security` (2.7), `signing` (2.8), `reviews` (2.9), `records` (4.14), `ending` (10.1).
"""

from states.messages.agreement_decision import IsaDecision
from states.messages.catalogue import (
    MESSAGES,
    PayloadError,
    describe_validation_error,
    example_payload,
    parse_payload,
)
from states.messages.common import (
    SEGREGATED_ROLES,
    MessageSpec,
    Payload,
    Reason,
    Role,
    Sha256,
    ShortText,
    Uri,
)
from states.messages.dpia import DpiaDecision, IcoConsultationOutcome, SubmitDpia
from states.messages.ending import ConfirmDestruction
from states.messages.lawful_basis import (
    Advice,
    LawfulBasis,
    Minimisation,
    ProposeLawfulBasis,
    SpecialCategoryCondition,
)
from states.messages.records import AttachRecord
from states.messages.reviews import REVIEW_CHECKS, RemediationComplete, SubmitReview
from states.messages.screening import SCREENING_CRITERIA, ScreeningDecision, SubmitScreening
from states.messages.security import SecurityAdvice
from states.messages.signing import Sign

__all__ = [
    "MESSAGES",
    "REVIEW_CHECKS",
    "SCREENING_CRITERIA",
    "SEGREGATED_ROLES",
    "Advice",
    "AttachRecord",
    "ConfirmDestruction",
    "DpiaDecision",
    "IcoConsultationOutcome",
    "IsaDecision",
    "LawfulBasis",
    "MessageSpec",
    "Minimisation",
    "Payload",
    "PayloadError",
    "ProposeLawfulBasis",
    "Reason",
    "RemediationComplete",
    "Role",
    "ScreeningDecision",
    "SecurityAdvice",
    "Sha256",
    "ShortText",
    "Sign",
    "SpecialCategoryCondition",
    "SubmitDpia",
    "SubmitReview",
    "SubmitScreening",
    "Uri",
    "describe_validation_error",
    "example_payload",
    "parse_payload",
]
