"""The "current details" an approver reads in the Temporal UI: Markdown, kept current.

The workflow sets them after every change (`workflow.set_current_details`), so this is a
pure function of the proposal: no I/O, no clock, the same text for the same proposal.
They say what state the proposal is in, who may act now, every message the state accepts
with a payload to paste into the UI's "Send an Update" dialog, and the clauses behind it.
"""

from __future__ import annotations

import json
from typing import Any

from states import rules
from states.intake import Intake
from states.machine import ACCEPTS
from states.messages import MESSAGES, SEGREGATED_ROLES, MessageSpec, Role
from states.proposal import Proposal

# Accepted whatever the state is waiting for (ACCEPTS says in which states).
_ANYTIME = ("suspend", "withdraw", "terminate", "attach_record")

# Stands for the sender in the example payloads: each approver puts their own email.
YOUR_EMAIL = "you@phso.example"

STATE_IN_WORDS: dict[str, str] = {
    "scoping": "being scoped",
    "out_of_scope": "out of scope of the protocol",
    "emergency_referred": "referred as an emergency: call 999 now",
    "screening": "at DPIA screening",
    "dpia": "at the DPIA",
    "ico_prior_consultation": "waiting for the ICO's prior consultation",
    "isa_decision": "deciding whether an agreement is needed",
    "lawful_basis": "settling the lawful basis and advice",
    "security_method": "choosing the secure transfer method",
    "signing": "being signed",
    "active": "active: sharing under a signed agreement",
    "review_due": "due for review",
    "remediation": "in remediation after a review",
    "suspended": "suspended",
    "closing": "closing: retention and destruction to confirm",
    "ended": "ended",
    "approved_without_agreement": "approved without an agreement",
    "withdrawn": "withdrawn",
    "rejected": "rejected",
}

# What happens in each state, in the protocol's words (PROTOCOL.md 2), with its clauses.
STATE_GUIDE: dict[str, tuple[str, tuple[str, ...]]] = {
    "scoping": ("The rules are scoping the intake; nobody needs to act.", ("1.1", "2.1-2.4")),
    "out_of_scope": (
        "The protocol does not apply: the caseworker refers the request as the outcome says.",
        ("1.1", "2.1-2.4"),
    ),
    "emergency_referred": (
        "Imminent risk of harm: call 999 now and refer to Data, Security and Privacy via Helphub.",
        ("4.3",),
    ),
    "screening": (
        "The caseworker answers the DPIA screening questions; the rules recommend; the DPO "
        "confirms, or overrides with a reason.",
        ("6.1", "6.2", "6.3"),
    ),
    "dpia": (
        "The caseworker submits the DPIA; the DPO approves it, asks for changes or rejects "
        "the proposal.",
        ("6.4",),
    ),
    "ico_prior_consultation": (
        "High residual risk after mitigation: the DPO records the ICO's answer before any "
        "processing.",
        ("UK GDPR Art 36",),
    ),
    "isa_decision": (
        "Information Rights confirms, or overrides with a reason, whether an information "
        "sharing agreement is needed.",
        ("3.1", "3.3"),
    ),
    "lawful_basis": (
        "The caseworker proposes the lawful basis; Information Rights names the special "
        "category condition where one is needed; the DPO and Information Rights both advise, "
        "in any order. An objection sends it back to the caseworker.",
        ("4.4", "4.7", "5.3", "7.3"),
    ),
    "security_method": (
        "ICT advises the secure transfer method (8.2 factors in the notes).",
        ("8.1", "8.2"),
    ),
    "signing": (
        "Every party's signatory signs the current draft, named by its SHA-256; a signature "
        "for a stale draft is refused.",
        ("9.1",),
    ),
    "active": (
        "Sharing under the signed agreement; reviews fall due on their dates.",
        ("10.1",),
    ),
    "review_due": ("A reviewer answers the checks due at this review.", ("10.1",)),
    "remediation": (
        "A review check failed: Information Rights records the remediation actions.",
        ("10.1", "4.14"),
    ),
    "suspended": (
        "Sharing is suspended until Information Rights or the DPO resumes or terminates it.",
        ("10.1",),
    ),
    "closing": (
        "The agreement is terminated: Information Rights confirms retention and destruction.",
        ("10.1",),
    ),
    "ended": ("The agreement has ended.", ("10.1",)),
    "approved_without_agreement": (
        "No information sharing agreement is needed: sharing may proceed by the recorded method.",
        ("3.3",),
    ),
    "withdrawn": ("The proposal was withdrawn before it was active.", ("4.14",)),
    "rejected": ("The proposal was rejected.", ("4.14",)),
}


def current_details(proposal: Proposal) -> str:
    """The Markdown the Temporal UI shows under "Current Details"."""
    status = proposal.status()
    state = proposal.state
    guide, state_clauses = STATE_GUIDE[state]
    lines = [
        f"## {proposal.intake.title}",
        f"**State:** `{state}` — {STATE_IN_WORDS[state]}. {guide} "
        f"(clauses {', '.join(state_clauses)})",
        f"**Parties:** {', '.join(proposal.parties)} · "
        f"**Caseworker:** {proposal.intake.caseworker}",
    ]
    lines += _agreement_lines(proposal, status)
    if proposal.terminal:
        lines.append(f"**Outcome:** {status['outcome']}")
        lines.append("The proposal has ended: no message is accepted.")
        return "\n\n".join(lines + _recommendation_lines(status))

    awaiting: list[dict[str, Any]] = status["awaiting"]
    lines.append("### Who may act now")
    if awaiting:
        lines.append("\n".join(f"- {_who(proposal, wait)}" for wait in awaiting))
    else:
        lines.append(_nothing_awaited(proposal, status))

    awaited = [wait["message"] for wait in awaiting]
    for wait in awaiting:
        lines.append(_message_block(proposal, status, MESSAGES[wait["message"]], wait))
    others = [m for m in ACCEPTS[state] if m in _ANYTIME and m not in awaited]
    if proposal.data.launched_at is not None and "withdraw" in others:
        others.remove("withdraw")  # an agreement in force is terminated, not withdrawn
    if others:
        lines.append("### Also accepted now")
        lines += [_message_block(proposal, status, MESSAGES[m], None) for m in others]
    lines.append(
        "To send one: **More Actions → Send an Update**, pick the message, paste its payload "
        f"with your own email as `actor` (in place of {YOUR_EMAIL}), Submit. A payload that "
        "does not fit, a sender without the role or a message out of turn is refused with "
        "the reason, and nothing changes."
    )
    return "\n\n".join(lines + _recommendation_lines(status))


def intake_details(intake: Intake) -> str:
    """The UI's static "Details" of a proposal: what the caseworker proposed (the purpose,
    free text, stays in the workflow's input)."""

    def words(value: object) -> str:
        return str(value).replace("_", " ")

    recipients = "; ".join(
        f"{r.name} ({words(r.kind)}, {words(r.location)})" for r in intake.recipients
    )
    special = ", ".join(words(c) for c in intake.special_categories) or "none"
    law = words(intake.specified_in_law) if intake.specified_in_law else "no"
    return "\n".join(
        [
            f"- **Proposed by:** {intake.caseworker}",
            f"- **Recipients:** {recipients}",
            f"- **Request:** {words(intake.request_type)}, {words(intake.frequency)}, "
            f"about {intake.volume} records",
            f"- **Personal data:** {'yes' if intake.personal_data else 'no'}; special "
            f"categories: {special}; criminal offence data: "
            f"{'yes' if intake.criminal_offence_data else 'no'}",
            f"- **Expected or specified in law:** {law}",
            "",
            "What it waits for, and how to act, is under **Current Details**.",
        ]
    )


# ----- the parts -----------------------------------------------------------------------


def _agreement_lines(proposal: Proposal, status: dict[str, Any]) -> list[str]:
    lines = []
    agreement = status["agreement"]
    if agreement:
        signed = ", ".join(
            f"{s['party']} ({s['name']}, {s['actor']})" for s in agreement["signed_by"]
        )
        lines.append(
            f"**Agreement:** version {agreement['version']}, sha256 `{agreement['sha256']}`; "
            f"signed by {signed or 'nobody yet'}"
        )
    if status["next_review_due"]:
        due = status["review_number"] + 1
        label = "Review due since" if proposal.state == "review_due" else "Next review due"
        lines.append(
            f"**{label}:** {status['next_review_due']} "
            f"(review {due}, {rules.review_label(due)}; clause 10.1)"
        )
    return lines


def _nothing_awaited(proposal: Proposal, status: dict[str, Any]) -> str:
    if proposal.state == "signing":
        return "Nobody yet: the draft agreement is being prepared."
    if proposal.state == "active":
        return (
            "Nobody needs to act: the next review falls due on its date. The messages below "
            "are accepted at any time."
        )
    return "Nobody needs to act now."


def _who(proposal: Proposal, wait: dict[str, Any]) -> str:
    """``dpo: screening_decision — any DPO except the proposing caseworker (...)``."""
    roles: list[str] = wait["roles"]
    people: list[str] = []
    caseworker = str(proposal.intake.caseworker)
    if "caseworker" in roles:
        people.append(f"the proposing caseworker is {caseworker}")
    if any(r in {s.value for s in SEGREGATED_ROLES} for r in roles):
        people.append(
            f"anyone with the role but {caseworker}, who proposed it: segregation of duties"
        )
    if wait["message"] == "sign":
        people.append("a signatory of each party still to sign: " + ", ".join(wait["parties"]))
    if wait["message"] == "submit_review":
        number = wait["review_number"]
        people.append(f"review {number}, {rules.review_label(number)}")
    if wait["message"] == "advice":
        given = proposal.data.advice
        if given:
            people.append(
                "advice already given by "
                + ", ".join(f"{r} ({a.actor})" for r, a in sorted(given.items()))
            )
    who = f"**{' or '.join(roles)}**: `{wait['message']}`"
    return who + (f" ({'; '.join(people)})" if people else "")


def _message_block(
    proposal: Proposal, status: dict[str, Any], spec: MessageSpec, wait: dict[str, Any] | None
) -> str:
    roles = wait["roles"] if wait else [r.value for r in spec.roles]
    level = "###" if wait else "####"
    head = f"{level} `{spec.name}` from {' or '.join(roles)}"
    text = f"{spec.description} (clauses {', '.join(spec.clauses)})"
    basis = _recommendation_for(spec.name, status)
    if basis:
        text += f"\n\nThe rules recommend {basis}"
    example = json.dumps(example_payload(proposal, spec.name, wait), indent=2)
    return f"{head}\n\n{text}\n\n```json\n{example}\n```"


def example_payload(
    proposal: Proposal, message: str, wait: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A payload for `message` that fits this proposal now (the right review, draft,
    party, role, and the recommended answer), with YOUR_EMAIL as the sender."""
    spec = MESSAGES[message]
    d = proposal.data
    actor = str(proposal.intake.caseworker) if spec.roles == (Role.caseworker,) else YOUR_EMAIL
    example: dict[str, Any] = {"actor": actor, **spec.example}
    if message == "sign" and d.agreement is not None:
        unsigned = proposal.unsigned_parties() or proposal.parties
        example["document_sha256"] = d.agreement.sha256
        example["party"] = unsigned[0]
    elif message == "submit_review":
        number = wait["review_number"] if wait else d.review_number + 1
        answers = dict.fromkeys(rules.checks_due(number), True)
        if "needs_refresh" in answers:
            answers["needs_refresh"] = False
        example["review_number"] = number
        example["answers"] = answers
    elif message == "advice" and wait:
        example["role"] = wait["roles"][0]
    elif message in ("screening_decision", "isa_decision"):
        key = "dpia_required" if message == "screening_decision" else "isa_required"
        recommendation = d.recommendations.get(key)
        if recommendation is not None:
            example[key] = recommendation.value
            example["reason"] = "agree with the recommendation"
    return example


def _recommendation_for(message: str, status: dict[str, Any]) -> str | None:
    key = {"screening_decision": "dpia_required", "isa_decision": "isa_required"}.get(message)
    for r in status["recommendations"]:
        if r["decision"] == key:
            return _explain(r)
    return None


def _explain(r: dict[str, Any]) -> str:
    why = "; ".join(r["reasons"]) or "no reason recorded"
    clauses = ", ".join(r["clauses"])
    text = f"`{r['decision']}` = `{json.dumps(r['value'])}`: {why} (clauses {clauses})"
    if r["confirmed_by"]:
        text += f"; decided `{json.dumps(r['confirmed_value'])}` by {r['confirmed_by']}"
    return text


def _recommendation_lines(status: dict[str, Any]) -> list[str]:
    if not status["recommendations"]:
        return []
    found = "\n".join(f"- {_explain(r)}" for r in status["recommendations"])
    return ["### What the rules found", found]
