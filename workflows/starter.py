"""Starting a proposal and sending it messages: what the CLI and the web form call."""

from __future__ import annotations

import secrets
from typing import Any

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from infoshare.codec.pseudonym import caseworker_ref
from infoshare.settings import Settings, get_settings
from states.intake import Intake
from states.limits import LimitError, check_payload_limits
from states.messages import MESSAGES
from workflows.details import intake_details
from workflows.search_attributes import ISP_CASEWORKER, ISP_PARTNERS, ISP_STATE
from workflows.sharing_proposal import SharingProposal

_SLUG_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no look-alikes: easy to read aloud


class Refused(Exception):
    """The workflow refused a message; the text says exactly what is wrong."""


class NotFound(Exception):
    """No proposal with that workflow id."""


def new_workflow_id() -> str:
    return "isp-" + "".join(secrets.choice(_SLUG_ALPHABET) for _ in range(10))


async def start_proposal(client: Client, intake: Intake, settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    workflow_id = new_workflow_id()
    await client.start_workflow(
        SharingProposal.run,
        intake,
        id=workflow_id,
        task_queue=settings.task_queue,
        search_attributes=TypedSearchAttributes(
            [
                SearchAttributePair(ISP_STATE, "scoping"),
                # a pseudonym, never the address: search attributes are stored in clear
                SearchAttributePair(ISP_CASEWORKER, caseworker_ref(str(intake.caseworker))),
                SearchAttributePair(ISP_PARTNERS, [r.name for r in intake.recipients]),
            ]
        ),
        static_summary=f"{intake.title} — with {', '.join(r.name for r in intake.recipients)}",
        static_details=intake_details(intake),
    )
    return workflow_id


async def send_decision(
    client: Client, workflow_id: str, message: str, payload: dict[str, Any]
) -> dict[str, Any]:
    """Send `message` as an Update; returns the new status or raises Refused / NotFound."""
    if message not in MESSAGES:
        raise Refused(f"unknown message {message!r}; known: {', '.join(sorted(MESSAGES))}")
    try:
        # The workflow refuses it too, but an Update over Temporal's payload limit would
        # fail its workflow task instead (the refusal repeats the request): never send one.
        check_payload_limits(payload)
    except LimitError as err:
        raise Refused(f"{message}: {err}") from None
    handle = client.get_workflow_handle(workflow_id)
    try:
        result: dict[str, Any] = await handle.execute_update(message, payload, result_type=dict)
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        if isinstance(cause, ApplicationError):
            raise Refused(cause.message) from None
        raise Refused(str(cause or err)) from None
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise NotFound(f"no running proposal {workflow_id!r}: {err.message}") from None
        raise
    return result


async def get_status(client: Client, workflow_id: str) -> dict[str, Any]:
    try:
        result: dict[str, Any] = await client.get_workflow_handle(workflow_id).query(
            "status", result_type=dict
        )
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise NotFound(f"no proposal {workflow_id!r}") from None
        raise
    return result


async def get_timeline(client: Client, workflow_id: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = await client.get_workflow_handle(workflow_id).query(
        "timeline", result_type=list
    )
    return result
