"""The "current details" an approver reads in the Temporal UI: Markdown, kept current."""

from __future__ import annotations

import json

from states import rules
from states.machine import TERMINAL
from states.messages import MESSAGES
from states.proposal import Proposal

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


def current_details(proposal: Proposal) -> str:
    status = proposal.status()
    lines = [
        f"## {proposal.intake.title}",
        f"**State:** `{proposal.state}` — {STATE_IN_WORDS[proposal.state]}",
        f"**Parties:** {', '.join(proposal.parties)}",
    ]
    if status["next_review_due"]:
        lines.append(f"**Next review due:** {status['next_review_due']}")
    if status["agreement"]:
        a = status["agreement"]
        lines.append(f"**Agreement:** version {a['version']}, sha256 `{a['sha256']}`")
    if proposal.state in TERMINAL:
        lines.append(f"**Outcome:** {status['outcome']}")
        return "\n\n".join(lines)
    awaiting = status["awaiting"]
    if not awaiting:
        lines.append("Nothing waits for a person now.")
    for wait in awaiting:
        spec = MESSAGES[wait["message"]]
        example = {"actor": "you@phso.example", **spec.example}
        if wait["message"] == "sign" and status["agreement"]:
            example["document_sha256"] = status["agreement"]["sha256"]
            example["party"] = (wait.get("parties") or ["PHSO"])[0]
        if wait["message"] == "submit_review":
            number = wait["review_number"]
            example["review_number"] = number
            example["answers"] = dict.fromkeys(rules.checks_due(number), True)
            if "needs_refresh" in example["answers"]:
                example["answers"]["needs_refresh"] = False
        if wait["message"] == "advice":
            example["role"] = wait["roles"][0]
        lines.append(
            f"### Waiting for `{wait['message']}` from {' or '.join(wait['roles'])}\n"
            f"{spec.description} (clauses {', '.join(spec.clauses)})\n\n"
            "Send it as an Update (More Actions → Send an Update), payload:\n\n"
            f"```json\n{json.dumps(example, indent=2)}\n```"
        )
    return "\n\n".join(lines)
