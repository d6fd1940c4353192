"""Reading a proposal's current details (the Markdown the Temporal UI shows) and checking
them against its `status` query."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import Client

from states.machine import ACCEPTS, TERMINAL
from states.messages import MESSAGES, parse_payload
from tests import people
from workflows.details import STATE_IN_WORDS, YOUR_EMAIL

# What the Temporal UI asks the worker for (the built-in metadata query).
METADATA_QUERY = "__temporal_workflow_metadata"

_BLOCK = re.compile(
    r"^#{3,4} `(?P<message>\w+)` from [^\n]*\n.*?```json\n(?P<json>.*?)```", re.S | re.M
)


async def read_details(client: Client, workflow_id: str) -> str:
    """The current details, as the UI reads them: asked of the worker."""
    metadata = await client.get_workflow_handle(workflow_id).query(
        METADATA_QUERY, result_type=WorkflowMetadata
    )
    details: str = metadata.current_details
    return details


def examples(details: str) -> dict[str, dict[str, Any]]:
    """Every message the details offer, with its example payload."""
    return {m["message"]: json.loads(m["json"]) for m in _BLOCK.finditer(details)}


def example(details: str, message: str, actor: str) -> dict[str, Any]:
    """The example payload of `message` as an approver pastes it: with their own email."""
    payload = examples(details)[message]
    assert payload["actor"] in (YOUR_EMAIL, actor), payload
    return {**payload, "actor": actor}


def mismatches(details: str, status: dict[str, Any]) -> list[str]:
    """How the details disagree with the status; empty when they match."""
    state = status["state"]
    wrong: list[str] = []

    def need(text: str, why: str) -> None:
        if text not in details:
            wrong.append(f"{why}: {text!r} missing")

    need(f"**State:** `{state}` — {STATE_IN_WORDS[state]}.", "state")
    for wait in status["awaiting"]:
        need(f"- **{' or '.join(wait['roles'])}**: `{wait['message']}`", "who may act")
        for party in wait.get("parties", []):
            need(party, "party still to sign")
        if "review_number" in wait:
            need(f"review {wait['review_number']}", "review due")
    offered = examples(details)
    for message, payload in offered.items():
        if message not in ACCEPTS[state]:
            wrong.append(f"offers {message}, which {state} does not accept")
        try:
            parse_payload(message, payload)
        except ValueError as err:
            wrong.append(f"the example for {message} does not fit: {err}")
    for wait in status["awaiting"]:
        if wait["message"] not in offered:
            wrong.append(f"no example payload for the awaited {wait['message']}")
    if status["agreement"]:
        agreement = status["agreement"]
        need(f"version {agreement['version']}, sha256 `{agreement['sha256']}`", "agreement")
        for signature in agreement["signed_by"]:
            need(f"{signature['party']} ({signature['name']}", "signature")
    if status["next_review_due"]:
        label = "Review due since" if state == "review_due" else "Next review due"
        need(f"**{label}:** {status['next_review_due']}", "next review")
    elif "**Next review due:**" in details or "**Review due since:**" in details:
        wrong.append("a next review date the status does not have")
    if state in TERMINAL:
        need(f"**Outcome:** {status['outcome']}", "outcome")
    for message in MESSAGES:
        if message not in ACCEPTS[state] and f"`{message}` from" in details:
            wrong.append(f"{message} is offered but not accepted in {state}")
    return wrong


async def details_matching(
    client: Client, workflow_id: str, status: dict[str, Any], timeout: float = 10.0
) -> str:
    """Poll the current details until they match `status` (the workflow sets them once it
    has recorded the step, a moment after the status changes); returns them."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        details = await read_details(client, workflow_id)
        wrong = mismatches(details, status)
        if not wrong:
            return details
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(
                f"current details do not match the status: {wrong}\n{details}\n{status}"
            )
        await asyncio.sleep(0.05)


# Who answers each role in the walks (tests/people.py).
ACTING: dict[str, str] = {
    "caseworker": people.CASEWORKER,
    "dpo": people.DPO,
    "information_rights": people.INFORMATION_RIGHTS,
    "ict": people.ICT,
    "reviewer": people.REVIEWER,
}
SIGNATORIES: dict[str, str] = {"PHSO": people.SIGNATORY_PHSO, "LGSCO": people.SIGNATORY_LGSCO}


def next_step(status: dict[str, Any], details: str) -> tuple[str, str, dict[str, Any]]:
    """The first message the proposal waits for, sent the way an approver does it from
    the UI: the example payload of the current details, with their own email."""
    wait = status["awaiting"][0]
    message = wait["message"]
    actor = SIGNATORIES[wait["parties"][0]] if message == "sign" else ACTING[wait["roles"][0]]
    return message, actor, example(details, message, actor)
