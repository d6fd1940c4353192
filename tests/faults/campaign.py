"""A fault campaign: many proposals walked to `active` while faults are injected, then
everything they left checked (the state reached, one decision row per timeline event, one
register row per agreement, each email sent exactly once) and the figures printed."""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import select
from temporalio.client import Client, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError

from infoshare.bench import lifecycle
from infoshare.database.models import DecisionRow, NotificationRow, RegisterRow
from infoshare.database.session import session_scope
from infoshare.settings import Settings
from tests.smtp import Inbox, Received
from workflows.starter import Refused, get_status, get_timeline, send_decision, start_proposal

# Fixed, printed at the start of every test: INFOSHARE_FAULT_SEED=N reproduces a run.
SEED = int(os.environ.get("INFOSHARE_FAULT_SEED", "20261125"))
TRANSIENT = (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError, TimeoutError, ConnectionError)
# The refusal the workflow answers while the people directory is unreachable.
RETRY_LATER = "could not be reached"

# What every campaign does and what it must come to, as README.md's "Fault injection"
# states it; the tests assert these exact figures, not "at least one".
PROPOSALS = 10  # walked at once from intake to `active`
MESSAGES = 120  # 12 per proposal (lifecycle.MESSAGE_COUNT)
EMAILS = 160  # 16 per proposal, each reaching the SMTP server once
LOST = 0  # proposals, messages, rows or emails missing or wrong
KILLS = 4  # kill -9 of the worker (kill-worker)
RESTARTS = 2  # Temporal dev server stopped and started again (restart-server)
OUTAGES = 2  # database refusing connections for 3 to 6 s (database-outage)
DUPLICATES = 230  # messages sent twice at once, or the one before again (twice-out-of-order)
REFUSED_OUT_OF_ORDER = 90  # messages sent too early or again too late, refused
WORKERS = 2  # workers sharing the task queue (two-workers)


@dataclass
class Figures:
    name: str
    seed: int
    proposals: int = 0
    messages: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    retries: int = 0  # messages sent again after an error or a lost answer
    duplicates: int = 0  # messages sent twice on purpose
    refused_out_of_order: int = 0
    emails: int = 0
    # the same email (same Message-ID and content) sent again: a crash came between the
    # SMTP server taking it and the outbox row being marked sent
    resent: int = 0
    lost: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    def line(self) -> str:
        faults = ", ".join(f"{n} {kind}" for kind, n in sorted(self.faults.items())) or "none"
        return (
            f"faults[{self.name}] seed {self.seed}: {self.proposals} proposals, "
            f"{self.messages} messages ({self.retries} resent after errors, {self.duplicates} "
            f"duplicates, {self.refused_out_of_order} refused out of order), faults: {faults}; "
            f"{self.emails} emails ({self.resent} resent with the same Message-ID after a "
            "crash between the SMTP server's answer and the outbox commit); "
            f"lost: {len(self.lost)}; "
            f"{time.perf_counter() - self.started:.0f} s"
        )


async def send(
    client: Client, workflow_id: str, message: str, body: dict[str, Any], figures: Figures
) -> dict[str, Any]:
    """Send a message until it is answered: after a lost answer, a dead worker or server,
    the same message again is either applied now or a harmless repeat."""
    delay = 0.2
    for _ in range(200):
        try:
            return await send_decision(client, workflow_id, message, body)
        except Refused as err:
            if RETRY_LATER not in str(err):
                raise
        except TRANSIENT:
            pass
        figures.retries += 1
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, 2.0)
    raise AssertionError(f"{workflow_id}: {message} never got through")


async def patient(call: Callable[[], Awaitable[Any]]) -> Any:
    """A query or start, retried while the server or worker is away."""
    delay = 0.2
    for attempt in range(150):
        try:
            return await call()
        except TRANSIENT:
            if attempt == 149:
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 2.0)


async def walk(
    client: Client,
    settings: Settings,
    figures: Figures,
    rng: random.Random,
    *,
    twice_and_out_of_order: bool = False,
    hold_last: asyncio.Event | None = None,
) -> str:
    """Start a proposal and walk it to `active` with the real messages; with
    `twice_and_out_of_order`, also send the next message too early (refused), send each
    message twice at once (an Update and a Signal) and repeat the one before it. With
    `hold_last`, the last message waits for it: the proposal is still open until then."""
    workflow_id: str = await patient(lambda: start_proposal(client, lifecycle.intake(), settings))
    figures.proposals += 1
    await asyncio.sleep(rng.uniform(0, 0.5))
    sha256 = ""
    previous: tuple[str, dict[str, Any]] | None = None
    status: dict[str, Any] = {}
    for index in range(lifecycle.MESSAGE_COUNT):
        while index >= len(lifecycle.STEPS) and not sha256:
            # a repeat is answered at once: the draft may still be in the making
            status = await patient(lambda: get_status(client, workflow_id))
            sha256 = (status["agreement"] or {}).get("sha256", "")
            await asyncio.sleep(0 if sha256 else 0.1)
        if hold_last is not None and index == lifecycle.MESSAGE_COUNT - 1:
            await hold_last.wait()
        plan = lifecycle.messages(sha256)
        name, body = plan[index]
        figures.messages += 1
        if twice_and_out_of_order and index + 1 < len(plan):
            early, early_body = plan[index + 1]
            if (early, early_body) != (name, body) and not _may_come_first(name, early):
                try:
                    await send_decision(client, workflow_id, early, early_body)
                except Refused:
                    figures.refused_out_of_order += 1
                else:
                    figures.lost.append(f"{workflow_id}: {early} accepted before {name}")
        if twice_and_out_of_order:
            handle = client.get_workflow_handle(workflow_id)
            figures.duplicates += 1
            results = await asyncio.gather(
                send(client, workflow_id, name, body, figures),
                patient(partial(handle.signal, name, body)),
            )
            status = results[0]
            if previous is not None:
                # the one before again: a harmless repeat in the state visit just left,
                # refused (changing nothing) once the proposal has moved further on
                figures.duplicates += 1
                try:
                    status = await send(client, workflow_id, *previous, figures)
                except Refused:
                    figures.refused_out_of_order += 1
        else:
            status = await send(client, workflow_id, name, body, figures)
        previous = (name, body)
        if status["agreement"]:
            sha256 = status["agreement"]["sha256"]
    return workflow_id


def _may_come_first(message: str, early: str) -> bool:
    """Messages the protocol takes in either order (early would be accepted)."""
    either = ({"propose_lawful_basis", "special_category_condition", "advice"}, {"sign"})
    return any(message in group and early in group for group in either)


async def check(
    client: Client,
    workflow_ids: list[str],
    figures: Figures,
    inbox: Inbox,
    mail_from: str,
    *,
    resend_after_crash: bool = False,
    state: str = "active",
) -> None:
    """Everything each proposal left, against its history; failures go to `figures.lost`.
    Each email must reach the SMTP server exactly once; with `resend_after_crash` (the
    faults kill a sender between SMTP and its commit) an identical second copy is counted
    in `figures.resent` instead."""
    from activities.mail import message_id

    for workflow_id in workflow_ids:
        status = await patient(partial(get_status, client, workflow_id))
        if status["state"] != state:
            figures.lost.append(f"{workflow_id}: in {status['state']}, not {state}")
        timeline = await patient(partial(get_timeline, client, workflow_id))
        events = [(e["seq"], e["message"], e["accepted"]) for e in timeline]
        with session_scope() as session:
            rows = session.scalars(
                select(DecisionRow)
                .where(DecisionRow.proposal_id == workflow_id)
                .order_by(DecisionRow.seq)
            ).all()
            decided = [(r.seq, r.message, r.accepted) for r in rows]
            register = session.scalars(
                select(RegisterRow).where(RegisterRow.proposal_id == workflow_id)
            ).all()
            notes = session.scalars(
                select(NotificationRow).where(NotificationRow.proposal_id == workflow_id)
            ).all()
            expected_ids = [message_id(n.proposal_id, n.key, n.recipient, mail_from) for n in notes]
            unsent = [n.recipient for n in notes if n.sent_at is None]
        if decided != events:
            figures.lost.append(
                f"{workflow_id}: decision log {len(decided)} rows, timeline {len(events)} events"
            )
        accepted = Counter(m for _, m, ok in events if ok and m in lifecycle.MESSAGE_NAMES)
        if accepted != lifecycle.MESSAGE_NAMES:
            figures.lost.append(f"{workflow_id}: accepted {dict(accepted)}")
        if len(register) != 1 or register[0].sha256 != status["agreement"]["sha256"]:
            figures.lost.append(f"{workflow_id}: {len(register)} register rows")
        if not notes or unsent:
            figures.lost.append(f"{workflow_id}: {len(notes)} emails queued, unsent: {unsent}")
        received: dict[str, list[Received]] = {}
        for mail in inbox.received:
            received.setdefault(str(mail.message["Message-ID"]), []).append(mail)
        for wanted in expected_ids:
            copies = received.get(wanted, [])
            same = len({(c.to, c.subject, c.body) for c in copies}) == 1
            if len(copies) == 1 or (resend_after_crash and len(copies) == 2 and same):
                figures.resent += len(copies) - 1
            else:
                figures.lost.append(f"{workflow_id}: email {wanted} received {len(copies)}x")
        figures.emails += len(expected_ids)
