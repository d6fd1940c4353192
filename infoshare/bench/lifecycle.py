"""One full lifecycle, intake to `active`, as people drive it: every decision is the real
message, sent as the CLI sends it (an Update); the bare engine gets the same messages.

Each message's latency runs from sending it until the `status` query shows its effect.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.service import RPCError

from infoshare.bench import bare
from infoshare.settings import Settings
from states.intake import Intake
from states.messages import MESSAGES

INTAKE_FILE = Path(__file__).resolve().parents[1] / "examples" / "intake.json"
SIGNATORIES = (("PHSO", "director@phso.example"), ("LGSCO", "chief@lgsco.example"))

# The walkthrough of the README: (message, sender, payload beyond the example's).
STEPS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("submit_screening", "casey@phso.example", {}),
    ("screening_decision", "dpo@phso.example", {}),
    ("submit_dpia", "casey@phso.example", {}),
    ("dpia_decision", "dpo@phso.example", {}),
    ("isa_decision", "ir@phso.example", {}),
    ("propose_lawful_basis", "casey@phso.example", {}),
    ("special_category_condition", "ir@phso.example", {}),
    ("advice", "dpo@phso.example", {"role": "dpo"}),
    ("advice", "ir@phso.example", {"role": "information_rights", "notes": "agreed"}),
    ("security_advice", "ict@phso.example", {}),
)
MESSAGE_COUNT = len(STEPS) + len(SIGNATORIES)
# each message name and how many times a lifecycle sends it
MESSAGE_NAMES = Counter([name for name, _, _ in STEPS] + ["sign"] * len(SIGNATORIES))


def intake() -> Intake:
    return Intake.model_validate_json(INTAKE_FILE.read_text())


def payload(message: str, actor: str, **extra: Any) -> dict[str, Any]:
    return {**MESSAGES[message].example, "actor": actor, **extra}


def messages(sha256: str) -> list[tuple[str, dict[str, Any]]]:
    """Every message of the lifecycle; the signatures name the draft's SHA-256."""
    out = [(name, payload(name, actor, **extra)) for name, actor, extra in STEPS]
    for party, actor in SIGNATORIES:
        out.append(
            (
                "sign",
                payload(
                    "sign",
                    actor,
                    party=party,
                    name=f"Signatory of {party}",
                    job_title="Director",
                    document_sha256=sha256,
                ),
            )
        )
    return out


# What the workflow answers when the directory look-up did not finish in time: the
# sender is told to send the message again, and a person (and this benchmark) does.
RETRY_LATER = "could not be reached"


@dataclass
class Outcome:
    workflow_id: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    # messages refused with "send the message again shortly" and sent again
    resent: int = 0
    # status queries the worker did not answer in time (asked again)
    query_timeouts: int = 0


async def _until(check: Callable[[], Any], seen: Callable[[Any], bool], outcome: Outcome) -> None:
    """Poll `check()` until `seen(result)`: the effect is visible to a query. A query the
    worker did not answer in time is asked again (and counted), as a person would."""
    delay = 0.005
    while True:
        try:
            if seen(await check()):
                return
        except RPCError as err:
            if "Timeout" not in err.message and "deadline" not in err.message:
                raise
            outcome.query_timeouts += 1
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.1)


async def ours(client: Client, settings: Settings, the_intake: Intake) -> Outcome:
    """Start a proposal as the CLI does and walk it to `active`."""
    from workflows.starter import Refused, get_status, send_decision, start_proposal

    started = time.perf_counter()
    workflow_id = await start_proposal(client, the_intake, settings)
    outcome = Outcome(workflow_id, 0.0)
    sha256 = ""
    for index in range(MESSAGE_COUNT):
        name, body = messages(sha256)[index]
        sent = time.perf_counter()
        while True:
            try:
                result = await send_decision(client, workflow_id, name, body)
                break
            except Refused as refusal:
                if RETRY_LATER not in str(refusal):
                    raise
                outcome.resent += 1

        def same(status: dict[str, Any], result: dict[str, Any] = result) -> bool:
            return bool(
                status["state"] == result["state"] and status["awaiting"] == result["awaiting"]
            )

        await _until(lambda: get_status(client, workflow_id), same, outcome)
        outcome.latencies.append(time.perf_counter() - sent)
        if result["agreement"]:
            sha256 = result["agreement"]["sha256"]
    if result["state"] != "active":
        raise RuntimeError(f"{workflow_id} ended the lifecycle in {result['state']}, not active")
    outcome.seconds = time.perf_counter() - started
    return outcome


async def bare_lifecycle(
    client: Client, task_queue: str, plan: list[int], workflow_id: str, via: str = "update"
) -> Outcome:
    """The same messages to the bare engine, by Update (as ours) or by Signal."""
    started = time.perf_counter()
    handle = await client.start_workflow(bare.WORKFLOW, plan, id=workflow_id, task_queue=task_queue)
    outcome = Outcome(workflow_id, 0.0)
    for number, (_, body) in enumerate(messages("0" * 64), start=1):
        sent = time.perf_counter()
        if via == "signal":
            await handle.signal(bare.MESSAGE, body)
        else:
            await handle.execute_update(bare.MESSAGE, body, result_type=int)

        def seen(done: int, number: int = number) -> bool:
            return done >= number

        await _until(lambda: handle.query("status", result_type=int), seen, outcome)
        outcome.latencies.append(time.perf_counter() - sent)
    await handle.result()
    outcome.seconds = time.perf_counter() - started
    return outcome
