"""The protocol's automatic decisions (PROTOCOL.md 2.2, 2.3, 2.5-2.7, 2.9).

Every rule is a small pure function: no I/O, no clock, no randomness, so it runs unchanged
inside the Temporal workflow sandbox and replays identically. Each returns a `Decision`
whose `clauses` cite the protocol (v1.2) or the law it rests on and whose `reasons` are
short sentences a person reads in the timeline, e.g. ``isa_required = True: 3.1 regular
sharing``. Checks on people's messages return a list of problems instead: each one a
sentence saying what to change, citing its clause; an empty list means the message is fine.

One module per section: `scoping` (2.2), `screening` (2.3), `agreement_decision` (2.5),
`lawful_basis` (2.6), `security` (2.7), `reviews` (2.9).
"""

from states.rules.agreement_decision import isa_triggers, recommend_isa
from states.rules.lawful_basis import (
    check_lawful_basis,
    check_special_category_condition,
    lawful_basis_notes,
    special_category_condition_needed,
)
from states.rules.reviews import (
    add_months,
    check_review_answers,
    checks_due,
    review_due_at,
    review_label,
    review_offset_months,
    review_outcome,
    review_schedule_text,
)
from states.rules.scoping import SCOPE_CLAUSES, scope
from states.rules.screening import ICO_LIST, WP248, recommend_dpia
from states.rules.security import recommend_security

__all__ = [
    "ICO_LIST",
    "SCOPE_CLAUSES",
    "WP248",
    "add_months",
    "check_lawful_basis",
    "check_review_answers",
    "check_special_category_condition",
    "checks_due",
    "isa_triggers",
    "lawful_basis_notes",
    "recommend_dpia",
    "recommend_isa",
    "recommend_security",
    "review_due_at",
    "review_label",
    "review_offset_months",
    "review_outcome",
    "review_schedule_text",
    "scope",
    "special_category_condition_needed",
]
