"""Rebuild a proposal's decision trail from its history events alone.

The sources, all in the history:
- Signals and accepted Updates: every message that reached the workflow, with its
  sender, time and payload; an Update's completion says accepted or refused and why.
  (An Update refused by its validator leaves nothing in the history, by design.)
- `record_step` inputs: the workflow's own timeline, numbered: each message accepted or
  refused, each automatic decision with its clauses, each change of state.
- `draft_agreement` results: each version of the agreement and its SHA-256.
- `lookup_person` results: the roles the sender held when the message was checked.
- everything else (notifications, timers, search attributes, activities and events this
  code does not know) is kept as "other", so a newer workflow still reads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.api.enums.v1 import EventType
from temporalio.api.failure.v1 import Failure
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter

from infoshare.audit.history import previous_run_id, run_id
from infoshare.audit.model import (
    AgreementVersion,
    Decision,
    Finding,
    MessageReceived,
    OtherEvent,
    Review,
    RunInfo,
    Severity,
    Signature,
    Trail,
    Via,
    Where,
)
from states.types import AgreementDraft, StepRecord

Handler = Callable[[HistoryEvent, Where, datetime], Awaitable[None]]
SYSTEM_ACTOR = "infoshare"
# Bookkeeping that says nothing about decisions.
_SILENT = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
}
_ENDINGS = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: "completed",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: "continued as new",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: "failed",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: "terminated",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: "canceled",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT: "timed out",
}
_REVIEW_VALUE = re.compile(r"^review = '?([^':]+)'?:")


def event_name(event: HistoryEvent) -> str:
    """`ACTIVITY_TASK_SCHEDULED` -> `activity task scheduled`."""
    name = EventType.Name(event.event_type).removeprefix("EVENT_TYPE_")
    return name.lower().replace("_", " ")


def _time(event: HistoryEvent) -> datetime:
    return event.event_time.ToDatetime(tzinfo=UTC)


def _duration(total: int) -> str:
    """`2678400` -> `31d`; `5400` -> `1h30m`."""
    days, rest = divmod(int(total), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    units = ((days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s"))
    return "".join(f"{n}{unit}" for n, unit in units if n) or "0s"


def _compact(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass
class _Activity:
    name: str
    where: Where
    at: datetime
    input: list[Any]


@dataclass
class _Message:
    entry: MessageReceived
    failed: bool | None = None  # an Update's outcome: True refused, False accepted


@dataclass
class _Builder:
    converter: DataConverter
    trail: Trail
    timeline: dict[int, Decision] = field(default_factory=dict)
    messages: list[_Message] = field(default_factory=list)
    updates: dict[str, _Message] = field(default_factory=dict)
    lookups: list[tuple[Where, str, list[str] | None]] = field(default_factory=list)
    last_step: StepRecord | None = None
    result: Any = None
    undecodable: int = 0
    # the run being read
    run: RunInfo | None = None
    activities: dict[int, _Activity] = field(default_factory=dict)
    timers: dict[int, OtherEvent] = field(default_factory=dict)
    # record_step activities not completed (yet): (run, event id) -> the seqs they carry
    unrecorded: dict[tuple[int, int], list[int]] = field(default_factory=dict)

    def find(self, severity: Severity, text: str) -> None:
        self.trail.findings.append(Finding(source="history", severity=severity, text=text))

    async def decode(self, payloads: Payloads | Sequence[Payload]) -> list[Any]:
        items = list(payloads.payloads if isinstance(payloads, Payloads) else payloads)
        if not items:
            return []
        try:
            return await self.converter.decode(items)
        except Exception as err:
            self.undecodable += 1
            return [f"<payload not decodable: {type(err).__name__}>"] * len(items)

    async def failure_text(self, failure: Failure) -> str:
        copy = Failure()
        copy.CopyFrom(failure)
        try:
            return str(await self.converter.decode_failure(copy))
        except Exception:
            return failure.message

    def other(
        self, where: Where, at: datetime, kind: str, name: str, detail: str = "", data: Any = None
    ) -> None:
        self.trail.other.append(
            OtherEvent(at=at, kind=kind, name=name, detail=detail, data=data, where=where)
        )

    # ----- one run ------------------------------------------------------------------------

    async def read_run(self, number: int, history: WorkflowHistory) -> None:
        events = list(history.events)
        self.run = RunInfo(
            number=number,
            run_id=run_id(history),
            started_at=_time(events[0]),
            events=len(events),
            continued_from=previous_run_id(history),
        )
        self.trail.runs.append(self.run)
        self.activities.clear()
        self.timers.clear()
        handlers = self.handlers()
        for event in events:
            if event.event_type in _SILENT:
                continue
            where = Where(run=number, event_id=event.event_id)
            handler = handlers.get(event.event_type)
            if handler is not None:
                await handler(event, where, _time(event))
            elif event.event_type in _ENDINGS:
                await self.read_end(event, self.run)
            else:
                self.other(where, _time(event), "event", event_name(event))

    def handlers(self) -> dict[int, Handler]:
        activity_ends: dict[int, Handler] = dict.fromkeys(
            (
                EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
                EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
                EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
                EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
            ),
            self.read_activity_end,
        )
        return {
            EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: self.read_start,
            EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: self.read_signal,
            EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: self.read_update_accepted,
            EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED: self.read_update_completed,
            EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: self.read_activity_scheduled,
            **activity_ends,
            EventType.EVENT_TYPE_TIMER_STARTED: self.read_timer_started,
            EventType.EVENT_TYPE_TIMER_FIRED: self.read_timer_end,
            EventType.EVENT_TYPE_TIMER_CANCELED: self.read_timer_end,
            EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: self.read_search_attributes,
            EventType.EVENT_TYPE_MARKER_RECORDED: self.read_marker,
            EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED: self.read_task_failed,
        }

    async def read_signal(self, event: HistoryEvent, where: Where, at: datetime) -> None:
        attrs = event.workflow_execution_signaled_event_attributes
        args = await self.decode(attrs.input)
        self.add_message(where, at, "signal", attrs.signal_name, args, attrs.identity, "")

    async def read_update_accepted(self, event: HistoryEvent, where: Where, at: datetime) -> None:
        request = event.workflow_execution_update_accepted_event_attributes.accepted_request
        args = await self.decode(request.input.args)
        meta = request.meta
        self.add_message(
            where, at, "update", request.input.name, args, meta.identity, meta.update_id
        )

    async def read_activity_scheduled(
        self, event: HistoryEvent, where: Where, at: datetime
    ) -> None:
        attrs = event.activity_task_scheduled_event_attributes
        activity = _Activity(attrs.activity_type.name, where, at, await self.decode(attrs.input))
        self.activities[event.event_id] = activity
        self.on_scheduled(activity)

    async def read_timer_started(self, event: HistoryEvent, where: Where, at: datetime) -> None:
        attrs = event.timer_started_event_attributes
        timer = OtherEvent(
            at=at,
            kind="timer",
            name=f"timer {attrs.timer_id}",
            detail=f"{_duration(attrs.start_to_fire_timeout.seconds)}, not fired",
            where=where,
        )
        self.timers[event.event_id] = timer
        self.trail.other.append(timer)

    async def read_timer_end(self, event: HistoryEvent, where: Where, at: datetime) -> None:
        fired = event.event_type == EventType.EVENT_TYPE_TIMER_FIRED
        started_id = (
            event.timer_fired_event_attributes.started_event_id
            if fired
            else event.timer_canceled_event_attributes.started_event_id
        )
        timer = self.timers.get(started_id)
        if timer is not None:
            what = "fired" if fired else "canceled"
            timer.detail = timer.detail.replace("not fired", f"{what} {at.isoformat()}")

    async def read_search_attributes(self, event: HistoryEvent, where: Where, at: datetime) -> None:
        fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes
        values = {k: _search_attribute(v) for k, v in fields.indexed_fields.items()}
        detail = ", ".join(f"{k}={_compact(v, 80)}" for k, v in sorted(values.items()))
        self.other(where, at, "search_attributes", "search attributes", detail, values)

    async def read_marker(self, event: HistoryEvent, where: Where, at: datetime) -> None:
        attrs = event.marker_recorded_event_attributes
        details = {k: await self.decode(v) for k, v in attrs.details.items()}
        self.other(where, at, "marker", attrs.marker_name, _compact(details), details)

    async def read_task_failed(self, event: HistoryEvent, where: Where, at: datetime) -> None:
        text = await self.failure_text(event.workflow_task_failed_event_attributes.failure)
        self.other(where, at, "event", "workflow task failed", text)
        self.find(
            "warning",
            f"run {where.run}, event {where.event_id}: a workflow task failed ({text}); "
            "the workflow retried it",
        )

    async def read_start(self, event: HistoryEvent, where: Where, at: datetime) -> None:
        number = where.run
        attrs = event.workflow_execution_started_event_attributes
        self.trail.workflow_type = attrs.workflow_type.name
        args = await self.decode(attrs.input)
        intake = args[0] if args and isinstance(args[0], dict) else {}
        carried = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
        if number == 1 or not self.trail.title:
            self.trail.title = str(intake.get("title", ""))
            self.trail.caseworker = str(intake.get("caseworker", ""))
            recipients = intake.get("recipients") or []
            self.trail.parties = ["PHSO", *(str(r.get("name", "")) for r in recipients)]
            started = carried.get("started_at")
            self.trail.started_at = (
                datetime.fromisoformat(started) if isinstance(started, str) else _time(event)
            )

    def add_message(
        self,
        where: Where,
        at: datetime,
        via: Via,
        name: str,
        args: list[Any],
        identity: str,
        update_id: str,
    ) -> None:
        payload = args[0] if len(args) == 1 else args
        actor = payload.get("actor") if isinstance(payload, dict) else None
        message = _Message(
            MessageReceived(
                at=at,
                via=via,
                message=name,
                actor=actor if isinstance(actor, str) else "unknown",
                outcome="pending",
                payload=payload,
                client=identity,
                update_id=update_id,
                where=where,
            )
        )
        self.messages.append(message)
        if update_id:
            self.updates[update_id] = message

    async def read_update_completed(self, event: HistoryEvent, where: Where, at: datetime) -> None:
        attrs = event.workflow_execution_update_completed_event_attributes
        message = self.updates.get(attrs.meta.update_id)
        if message is None:
            return
        if attrs.outcome.HasField("failure"):
            message.failed = True
            message.entry.outcome = "refused"
            message.entry.reason = await self.failure_text(attrs.outcome.failure)
        else:
            message.failed = False

    def on_scheduled(self, activity: _Activity) -> None:
        if activity.name == "record_step" and activity.input:
            # The timeline is final when the workflow hands it over: read it from the input.
            try:
                step = StepRecord.model_validate(activity.input[0])
            except ValidationError as err:
                self.find(
                    "warning",
                    f"run {activity.where.run}, event {activity.where.event_id}: a "
                    f"record_step input this code cannot read ({err.error_count()} problems)",
                )
                return
            self.last_step = step
            self.unrecorded[(activity.where.run, activity.where.event_id)] = [
                e.seq for e in step.events
            ]
            for event in step.events:
                decision = Decision(**event.model_dump(), where=activity.where)
                known = self.timeline.get(event.seq)
                if known is not None and known.model_dump(exclude={"where"}) != decision.model_dump(
                    exclude={"where"}
                ):
                    self.find(
                        "mismatch",
                        f"timeline event {event.seq} was recorded twice with different "
                        f"content (run {known.where.run} event {known.where.event_id}, run "
                        f"{activity.where.run} event {activity.where.event_id})",
                    )
                self.timeline.setdefault(event.seq, decision)
        elif activity.name == "lookup_person" and activity.input:
            self.lookups.append((activity.where, str(activity.input[0]), None))

    async def read_activity_end(self, event: HistoryEvent, where: Where, at: datetime) -> None:
        kind = event.event_type
        activities = self.activities
        if kind == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            attrs = event.activity_task_completed_event_attributes
            activity = activities.get(attrs.scheduled_event_id)
            if activity is None:
                return
            result = await self.decode(attrs.result)
            value = result[0] if result else None
            await self.on_completed(activity, value, at)
            return
        if kind == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
            f_attrs = event.activity_task_failed_event_attributes
            activity = activities.get(f_attrs.scheduled_event_id)
            outcome = "failed: " + await self.failure_text(f_attrs.failure)
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
            t_attrs = event.activity_task_timed_out_event_attributes
            activity = activities.get(t_attrs.scheduled_event_id)
            outcome = "timed out: " + await self.failure_text(t_attrs.failure)
        else:
            c_attrs = event.activity_task_canceled_event_attributes
            activity = activities.get(c_attrs.scheduled_event_id)
            outcome = "canceled"
        if activity is not None:
            self.other(
                activity.where,
                activity.at,
                "activity",
                activity.name,
                outcome,
                {"input": activity.input},
            )

    async def on_completed(self, activity: _Activity, value: Any, at: datetime) -> None:
        where = activity.where
        if activity.name == "record_step":
            self.unrecorded.pop((where.run, where.event_id), None)
            # since workflow v3 the step's notifications travel with it
            step = activity.input[0] if activity.input else None
            requests = step.get("notifications") if isinstance(step, dict) else None
            for request in requests or []:
                self.notified(where, activity.at, request)
            return
        if activity.name == "lookup_person":
            roles = list(value.get("roles", [])) if isinstance(value, dict) else None
            for i, (w, email, _) in enumerate(self.lookups):
                if w == where:
                    self.lookups[i] = (w, email, roles if roles is not None else [])
            return
        if activity.name == "draft_agreement":
            try:
                draft = AgreementDraft.model_validate(value)
            except ValidationError:
                self.other(where, activity.at, "activity", activity.name, "completed", value)
                return
            self.trail.agreements.append(
                AgreementVersion(
                    version=draft.version,
                    sha256=draft.sha256,
                    uri=draft.uri,
                    drafted_at=at,
                    where=where,
                )
            )
            return
        if activity.name == "queue_notifications" and activity.input:
            self.notified(where, activity.at, activity.input[0])
            return
        if activity.name == "load_policy":
            self.other(where, activity.at, "activity", "policy", _compact(value), value)
            return
        # An activity this version of the trail does not know: shown as it is.
        self.other(
            where,
            activity.at,
            "activity",
            activity.name,
            "completed" + (f": {_compact(value)}" if value is not None else ""),
            {"input": activity.input, "result": value},
        )

    def notified(self, where: Where, at: datetime, request: Any) -> None:
        request = request if isinstance(request, dict) else {}
        awaiting = request.get("awaiting") or {}
        detail = "; ".join(
            f"{message} ({', '.join(roles)})" for message, roles in sorted(awaiting.items())
        )
        self.other(where, at, "notification", "notified", detail, request)

    async def read_end(self, event: HistoryEvent, info: RunInfo) -> None:
        kind = event.event_type
        info.ended = _ENDINGS[kind]
        info.ended_at = _time(event)
        if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
            result = await self.decode(event.workflow_execution_completed_event_attributes.result)
            self.result = result[0] if result else None
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            new_run = (
                event.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
            )
            info.detail = f"next run {new_run}"
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
            failure = event.workflow_execution_failed_event_attributes.failure
            info.detail = await self.failure_text(failure)
            self.find("warning", f"run {info.number} failed: {info.detail}")
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
            attrs = event.workflow_execution_terminated_event_attributes
            info.detail = f"{attrs.reason} (by {attrs.identity or 'unknown'})"
            self.find("note", f"run {info.number} was terminated: {info.detail}")

    # ----- after every run ----------------------------------------------------------------

    def finish(self) -> None:
        trail = self.trail
        trail.decisions = [self.timeline[seq] for seq in sorted(self.timeline)]
        self.check_timeline()
        self.match_messages()
        self.attach_roles()
        trail.messages = [m.entry for m in self.messages]
        trail.unrecorded = sorted(seq for seqs in self.unrecorded.values() for seq in seqs)
        self.collect_signatures()
        self.collect_reviews()
        step = self.last_step
        if step is not None:
            trail.state, trail.outcome = step.state, step.outcome
            trail.next_review_due = step.next_review_due
        if isinstance(self.result, dict) and "state" in self.result:
            final = str(self.result["state"])
            if step is not None and final != step.state:
                self.find(
                    "mismatch",
                    f"the workflow ended in state {final} but last recorded state {step.state}",
                )
            trail.state = final
        if trail.runs and trail.runs[0].continued_from:
            self.find(
                "warning",
                f"the earliest run available continues run {trail.runs[0].continued_from}: "
                "the trail misses the events of the earlier runs",
            )
        if self.undecodable:
            self.find(
                "warning",
                f"{self.undecodable} payloads could not be decoded (is the payload codec "
                "configured as the worker's?)",
            )

    def check_timeline(self) -> None:
        seqs = sorted(self.timeline)
        if not seqs:
            return
        missing = sorted(set(range(1, seqs[-1] + 1)) - set(seqs))
        if missing and self.trail.runs and not self.trail.runs[0].continued_from:
            shown = ", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else "")
            self.find("mismatch", f"timeline events never recorded: {shown}")

    def match_messages(self) -> None:
        """Link each message to the timeline event that records it: the first unclaimed
        event with the same message, sender and (for accepted ones) payload fields."""
        claimed: set[int] = set()
        person_events = [d for d in self.trail.decisions if d.actor != SYSTEM_ACTOR]
        last_recorded = max((d.where.event_id for d in self.trail.decisions), default=0)
        running = bool(self.trail.runs) and self.trail.runs[-1].ended == "running"
        for message in self.messages:
            entry = message.entry
            match = next(
                (
                    d
                    for d in person_events
                    if d.seq not in claimed
                    and d.message == entry.message
                    and d.actor == entry.actor
                    and (message.failed is None or d.accepted != message.failed)
                    and (not d.accepted or _consistent(d.detail, entry.payload))
                ),
                None,
            )
            if match is not None:
                claimed.add(match.seq)
                entry.seq = match.seq
                if message.failed is None:
                    entry.outcome = "accepted" if match.accepted else "refused"
                    if not match.accepted:
                        entry.reason = match.detail
                elif not message.failed:
                    entry.outcome = "accepted"
                continue
            if message.failed:
                self.find(
                    "mismatch",
                    f"the {entry.message} update refused at {entry.at.isoformat()} is not "
                    "in the recorded timeline",
                )
            elif message.failed is False:
                entry.outcome = "unchanged"
            else:
                last_run = self.trail.runs[-1].number if self.trail.runs else 0
                late = entry.where.run == last_run and entry.where.event_id > last_recorded
                entry.outcome = "pending" if running and late else "unchanged"
        if message_less := [
            d
            for d in person_events
            if d.seq not in claimed and not self.trail.runs[0].continued_from
        ]:
            for d in message_less:
                self.find(
                    "mismatch",
                    f"timeline event {d.seq} ({d.message} by {d.actor}) matches no message "
                    "in the history",
                )

    def attach_roles(self) -> None:
        """The roles the directory gave each sender: the sender's next lookup after the
        message arrived (messages are checked one at a time, in order)."""
        used: set[int] = set()
        for message in self.messages:
            entry = message.entry
            if entry.outcome == "refused" and not _about_roles(entry.reason):
                continue  # refused before the directory was asked
            for i, (where, email, roles) in enumerate(self.lookups):
                if i in used or email != entry.actor:
                    continue
                if (where.run, where.event_id) > (entry.where.run, entry.where.event_id):
                    used.add(i)
                    entry.roles = roles
                    break

    def collect_signatures(self) -> None:
        for entry in self.trail.messages:
            if entry.message != "sign" or entry.outcome != "accepted":
                continue
            payload = entry.payload if isinstance(entry.payload, dict) else {}
            sha = str(payload.get("document_sha256", ""))
            versions = [a.version for a in self.trail.agreements if a.sha256 == sha]
            signature = Signature(
                at=entry.at,
                actor=entry.actor,
                party=str(payload.get("party", "")),
                name=str(payload.get("name", "")),
                job_title=str(payload.get("job_title", "")),
                document_sha256=sha,
                version=versions[-1] if versions else None,
                seq=entry.seq,
                where=entry.where,
            )
            self.trail.signatures.append(signature)
            if signature.version is None:
                self.find(
                    "mismatch",
                    f"{signature.party} signed a document (sha256 {sha}) that is no drafted "
                    "version of the agreement",
                )

    def collect_reviews(self) -> None:
        for entry in self.trail.messages:
            if entry.message != "submit_review" or entry.outcome != "accepted":
                continue
            payload = entry.payload if isinstance(entry.payload, dict) else {}
            verdict = next(
                (
                    d
                    for d in self.trail.decisions
                    if d.message == "review" and entry.seq is not None and d.seq > entry.seq
                ),
                None,
            )
            value = ""
            if verdict is not None and (m := _REVIEW_VALUE.match(verdict.detail)):
                value = m.group(1)
            self.trail.reviews.append(
                Review(
                    number=int(payload.get("review_number", 0) or 0),
                    at=entry.at,
                    actor=entry.actor,
                    answers=dict(payload.get("answers") or {}),
                    notes=str(payload.get("notes", "") or ""),
                    outcome=value,
                    detail=verdict.detail if verdict else "",
                    clauses=list(verdict.clauses) if verdict else [],
                    seq=entry.seq,
                    where=entry.where,
                )
            )


def _search_attribute(payload: Payload) -> Any:
    try:
        return json.loads(payload.data)
    except ValueError:
        return payload.data.decode("utf-8", "replace")


def _consistent(detail: str, payload: Any) -> bool:
    """Whether a timeline detail (the message's short fields as JSON) fits the payload."""
    try:
        fields = json.loads(detail) if detail else {}
    except ValueError:
        return True
    if not isinstance(fields, dict) or not isinstance(payload, dict):
        return True
    return all(k not in payload or payload[k] == v for k, v in fields.items())


def _about_roles(reason: str) -> bool:
    words = ("role", "people directory", "segregation", "signs for")
    return any(w in reason for w in words)


async def build_trail(
    runs: Sequence[WorkflowHistory], converter: DataConverter, workflow_id: str | None = None
) -> Trail:
    """The trail of one proposal from the histories of its runs (first to last).

    `workflow_id` None: the proposal id the workflow recorded (a history file does not
    name its workflow), else the histories' own.
    """
    if not runs:
        raise ValueError("no history to read")
    given = workflow_id or runs[0].workflow_id
    builder = _Builder(
        converter=converter,
        trail=Trail(workflow_id=given, workflow_type="", generated_at=datetime.now(UTC)),
    )
    for number, history in enumerate(runs, start=1):
        await builder.read_run(number, history)
    builder.finish()
    if workflow_id is None and builder.last_step is not None:
        builder.trail.workflow_id = builder.last_step.proposal_id
    return builder.trail
