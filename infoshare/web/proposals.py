"""Reading proposals from Temporal for the pages: visibility lists and the status query.

One client per application, connected on first use (so the register, which needs only the
database, works while Temporal is down); a failure to connect or an unanswered query is a
`TemporalUnavailable` the pages show as 503, never a 500.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from temporalio.client import (
    Client,
    WorkflowExecution,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
)
from temporalio.service import RPCError, RPCStatusCode

from infoshare.codec.pseudonym import caseworker_ref
from infoshare.settings import Settings
from states.intake import Intake
from workflows.search_attributes import (
    ISP_AWAITING,
    ISP_CASEWORKER,
    ISP_NEXT_REVIEW,
    ISP_PARTNERS,
    ISP_STATE,
)

RPC_TIMEOUT = timedelta(seconds=10)
WORKFLOW_ID = re.compile(r"^isp-[a-z0-9]{1,60}$")


class TemporalUnavailable(Exception):
    """Temporal cannot be reached, or did not answer in time."""


class UnknownProposal(Exception):
    """No proposal with that workflow id."""


class Temporal:
    """The application's Temporal client, connected lazily and once."""

    def __init__(self, settings: Settings, page_key: bytes, client: Client | None = None) -> None:
        self.settings = settings
        self.page_key = page_key
        self._client = client
        self._lock = asyncio.Lock()

    async def client(self) -> Client:
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                from infoshare.runtime.temporal import TemporalUnreachable, connect_in_time

                try:
                    self._client = await connect_in_time(self.settings)
                except TemporalUnreachable as err:
                    raise TemporalUnavailable(str(err)) from None
            return self._client


def _unavailable(err: RPCError) -> TemporalUnavailable:
    return TemporalUnavailable(f"Temporal did not answer: {err.message or err.status.name}")


# ----- one proposal ---------------------------------------------------------------------


async def proposal_status(
    temporal: Temporal, workflow_id: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The `status` and `timeline` queries of a proposal."""
    if not WORKFLOW_ID.match(workflow_id):
        raise UnknownProposal(
            f"{workflow_id!r} is not a proposal id (they look like isp-abc234defg)"
        )
    client = await temporal.client()
    handle = client.get_workflow_handle(workflow_id)
    try:
        status: dict[str, Any] = await handle.query(
            "status", result_type=dict, rpc_timeout=RPC_TIMEOUT
        )
        timeline: list[dict[str, Any]] = await handle.query(
            "timeline", result_type=list, rpc_timeout=RPC_TIMEOUT
        )
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise UnknownProposal(f"there is no proposal {workflow_id}") from None
        raise _unavailable(err) from None
    except (WorkflowQueryFailedError, WorkflowQueryRejectedError) as err:
        # E.g. a workflow task failing until a fix is deployed: the worker cannot answer.
        raise TemporalUnavailable(
            f"the proposal {workflow_id} cannot be read just now ({err})"
        ) from None
    return status, timeline


async def start(temporal: Temporal, intake: Intake) -> str:
    """Start a proposal (workflows.starter); its workflow id."""
    from workflows.starter import start_proposal

    client = await temporal.client()
    try:
        return await start_proposal(client, intake, temporal.settings)
    except RPCError as err:
        raise _unavailable(err) from None


# ----- lists ------------------------------------------------------------------------------


def quote(value: str) -> str:
    """A visibility query string literal (a quote inside is doubled, as in SQL)."""
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class Filters:
    state: str | None = None
    awaiting: str | None = None
    partner: str | None = None
    caseworker: str | None = None

    def query(self, workflow_type: str = "SharingProposal") -> str:
        parts = [f"WorkflowType = {quote(workflow_type)}"]
        if self.state:
            parts.append(f"{ISP_STATE.name} = {quote(self.state)}")
        if self.awaiting:
            parts.append(f"{ISP_AWAITING.name} = {quote(self.awaiting)}")
        if self.partner:
            parts.append(f"{ISP_PARTNERS.name} = {quote(self.partner)}")
        if self.caseworker:
            # the search attribute holds a pseudonym of the address (codec.pseudonym)
            parts.append(f"{ISP_CASEWORKER.name} = {quote(caseworker_ref(self.caseworker))}")
        return " AND ".join(parts)


@dataclass(frozen=True)
class Row:
    workflow_id: str
    state: str
    awaiting: list[str]
    partners: list[str]
    caseworker: str
    started: datetime
    next_review: datetime | None
    title: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "workflow_id": self.workflow_id,
            "title": self.title,
            "state": self.state,
            "awaiting": self.awaiting,
            "partners": self.partners,
            "caseworker": self.caseworker,
            "started": self.started.isoformat(),
            "next_review": self.next_review.isoformat() if self.next_review else None,
        }


@dataclass
class Page:
    rows: list[Row] = field(default_factory=list)
    next_token: str | None = None


class BadPageToken(ValueError):
    pass


def _signature(key: bytes, query: str, token: bytes) -> str:
    digest = hmac.new(key, query.encode() + b"\0" + token, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def encode_token(key: bytes, query: str, token: bytes | None) -> str | None:
    """Temporal's next-page token, signed for this query: a forged or stale token is
    refused here rather than sent to the server (which answers it with retried errors)."""
    if not token:
        return None
    body = base64.urlsafe_b64encode(token).decode().rstrip("=")
    return f"{body}.{_signature(key, query, token)}"


def decode_token(key: bytes, query: str, text: str | None) -> bytes | None:
    if not text:
        return None
    body, _, signature = text.partition(".")
    try:
        token = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        token = b""
    if not token or not hmac.compare_digest(signature, _signature(key, query, token)):
        raise BadPageToken(
            "the page token is not valid for this list: follow the \u201cnext page\u201d "
            "link, or start from the first page"
        )
    return token


def _row(execution: WorkflowExecution) -> Row:
    attrs = execution.typed_search_attributes
    return Row(
        workflow_id=execution.id,
        state=attrs.get(ISP_STATE) or "",
        awaiting=sorted(attrs.get(ISP_AWAITING) or []),
        partners=list(attrs.get(ISP_PARTNERS) or []),
        caseworker="",  # IspCaseworker is a pseudonym: the address comes from the database
        started=execution.start_time,
        next_review=attrs.get(ISP_NEXT_REVIEW),
    )


async def list_proposals(
    temporal: Temporal, filters: Filters, page_size: int, page_token: str | None
) -> Page:
    """One page of proposals (newest first), from Temporal's visibility store."""
    query = filters.query()
    token = decode_token(temporal.page_key, query, page_token)
    client = await temporal.client()
    iterator = client.list_workflows(
        query, page_size=page_size, next_page_token=token, rpc_timeout=RPC_TIMEOUT
    )
    try:
        await iterator.fetch_next_page(page_size=page_size)
    except RPCError as err:
        if err.status == RPCStatusCode.INVALID_ARGUMENT and token is not None:
            raise BadPageToken(
                "the page token is not valid (any more): start from the first page"
            ) from None
        raise _unavailable(err) from None
    rows = [_row(execution) for execution in iterator.current_page or []]
    recorded = await asyncio.to_thread(_recorded, [r.workflow_id for r in rows])
    rows = [
        replace(r, title=title, caseworker=caseworker)
        for r in rows
        for title, caseworker in [recorded.get(r.workflow_id, ("", ""))]
    ]
    return Page(rows, encode_token(temporal.page_key, query, iterator.next_page_token))


def _recorded(ids: list[str]) -> dict[str, tuple[str, str]]:
    """The proposals' titles and caseworkers, from the database the workflow records in
    (if it can)."""
    if not ids:
        return {}
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from infoshare.database.models import ProposalRow
    from infoshare.database.session import session_scope

    try:
        with session_scope() as session:
            rows = session.execute(
                select(ProposalRow.proposal_id, ProposalRow.title, ProposalRow.caseworker).where(
                    ProposalRow.proposal_id.in_(ids)
                )
            )
            return {proposal_id: (title, caseworker) for proposal_id, title, caseworker in rows}
    except SQLAlchemyError:
        return {}


async def readiness_problems(temporal: Temporal) -> dict[str, str]:
    """What keeps the web form from serving: Temporal or the database not answering."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from infoshare.database.session import session_scope

    problems: dict[str, str] = {}
    try:
        client = await temporal.client()
        if not await client.service_client.check_health(timeout=timedelta(seconds=2)):
            problems["temporal"] = "the Temporal frontend reports it is not serving"
    except TemporalUnavailable as err:
        problems["temporal"] = str(err)
    except RPCError as err:
        problems["temporal"] = _unavailable(err).args[0]

    def ping() -> None:
        with session_scope() as session:
            session.execute(text("SELECT 1"))

    try:
        await asyncio.to_thread(ping)
    except SQLAlchemyError as err:
        problems["database"] = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
    return problems
