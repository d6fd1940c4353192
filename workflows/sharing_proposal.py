"""`SharingProposal`: one proposal, from intake to the end of its agreement.

The workflow is a thin loop: messages are checked and applied by `states.proposal`, the
loop performs the side effects the proposal now needs (record, notify, draft), keeps the
search attributes current and waits for the next message or review date. Every message
of CONTRACT.md is both an Update (validated before anything is written) and a Signal of
the same name (a refused signal is recorded in the timeline and changes nothing).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.agreement import draft_agreement
    from activities.notifications import queue_notifications
    from activities.people import lookup_person
    from activities.policy import load_policy
    from activities.records import record_step
    from activities.register import publish_agreement
    from states.intake import Intake
    from states.proposal import Proposal, ProposalData, Refusal
    from states.types import NotificationRequest, Person
    from workflows import details
    from workflows.messages import MessageHandlers
    from workflows.search_attributes import (
        ISP_AWAITING,
        ISP_CASEWORKER,
        ISP_NEXT_REVIEW,
        ISP_OVERDUE_SINCE,
        ISP_PARTNERS,
        ISP_STATE,
    )

# Side effects must never be lost: retry until the database or mail server is back.
ACTIVITY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1)
)
ACTIVITY_TIMEOUT = timedelta(seconds=60)
# A worker killed during an activity is noticed after this, not after ACTIVITY_TIMEOUT:
# the activities finish well within it, or heartbeat (sending mail).
HEARTBEAT_TIMEOUT = timedelta(seconds=20)
# Loading the policy at start: a small read, retried until the database answers.
POLICY_TIMEOUT = timedelta(seconds=20)
# How long a message's sender waits for the people directory before being told to send
# again. Counted from scheduling: under load the look-up can wait its turn on the worker.
DIRECTORY_TIMEOUT = timedelta(minutes=2)
REFUSED = "Refused"
# Behaviour added after the first release, kept off when replaying histories without it
# (each named by what it does; docs/developers/changing-the-workflow.md says how each is
# retired): release 2 publishes the signed agreement to the register and reminds and
# escalates when overdue; release 3 records a step and queues its notifications in one
# activity instead of two.
REGISTER_AND_REMINDERS = "register-and-reminders"
ONE_ACTIVITY_PER_STEP = "one-activity-per-step"


@workflow.defn(name="SharingProposal")
class SharingProposal(MessageHandlers):
    @workflow.init
    def __init__(self, intake: Intake, carried: ProposalData | None = None) -> None:
        # Started with the intake alone, the SDK cannot match two type hints to one payload
        # and hands over plain JSON: validate it here.
        intake = Intake.model_validate(intake)
        if carried is None:
            self.proposal = Proposal.start(workflow.info().workflow_id, intake, workflow.now())
        else:
            self.proposal = Proposal(ProposalData.model_validate(carried))
        self._lock = asyncio.Lock()
        self._ready = False
        self._settled_upto = 0
        self._search_attributes: dict[str, Any] = {}
        self._register_and_reminders = False
        self._one_activity_per_step = False

    @workflow.run
    async def run(self, intake: Intake, carried: ProposalData | None = None) -> dict[str, Any]:
        self._register_and_reminders = workflow.patched(REGISTER_AND_REMINDERS)
        self._one_activity_per_step = self._register_and_reminders and workflow.patched(
            ONE_ACTIVITY_PER_STEP
        )
        if self.proposal.data.policy is None:
            self.proposal.set_policy(
                await workflow.execute_activity(
                    load_policy, start_to_close_timeout=POLICY_TIMEOUT, retry_policy=ACTIVITY_RETRY
                )
            )
        self._ready = True
        reviews_at_start = self.proposal.data.review_number
        while True:
            await self._settle()
            if self.proposal.terminal:
                # A message applied while the last step was settling is settled too: its
                # sender waits for that (release 1 could stop here and leave the sender
                # waiting; the fix came with release 2's flag).
                unsettled = self._settled_upto < len(self.proposal.data.timeline)
                if self._register_and_reminders and unsettled:
                    continue
                break
            if self._time_to_continue_as_new(reviews_at_start):
                await workflow.wait_condition(workflow.all_handlers_finished)
                await self._settle()
                if not self.proposal.terminal and not self._has_work(ignore_review=True):
                    workflow.continue_as_new(args=[intake, self.proposal.data])
                continue
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(self._has_work, timeout=self._until_next_wake())
            if self.proposal.review_is_due(workflow.now()) and not self._time_to_continue_as_new(
                reviews_at_start
            ):
                self.proposal.review_falls_due(workflow.now())
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.proposal.status()

    # ----- queries -----------------------------------------------------------------------

    @workflow.query(description="The proposal's state, what it waits for and from whom.")
    def status(self) -> dict[str, Any]:
        return self.proposal.status()

    @workflow.query(description="Every event: who, when, accepted or refused, and why.")
    def timeline(self) -> list[dict[str, Any]]:
        return self.proposal.timeline()

    # ----- messages ----------------------------------------------------------------------

    def _validate(self, message: str, payload: Any) -> None:
        try:
            self.proposal.check(message, payload)
        except Refusal as refusal:
            raise ApplicationError(str(refusal), type=REFUSED, non_retryable=True) from None

    async def _receive(self, message: str, payload: Any, *, via_update: bool) -> dict[str, Any]:
        await workflow.wait_condition(lambda: self._ready)
        async with self._lock:
            now = workflow.now()
            try:
                checked = self.proposal.check(message, payload)
                person = await self._lookup(str(checked.actor))
                changed = self.proposal.apply(message, payload, person, workflow.now())
            except Refusal as refusal:
                self.proposal.refuse(message, payload, refusal, now)
                if via_update:
                    raise ApplicationError(str(refusal), type=REFUSED, non_retryable=True) from None
                return self.proposal.status()
            upto = len(self.proposal.data.timeline)
        if changed:
            await workflow.wait_condition(lambda: self._settled_upto >= upto)
        return self.proposal.status()

    async def _lookup(self, email: str) -> Person | None:
        # A regular activity, not a local one: a local activity's result can be resolved in
        # a different order on replay relative to the loop's own activities.
        try:
            return await workflow.execute_activity(
                lookup_person,
                email,
                start_to_close_timeout=timedelta(seconds=5),
                schedule_to_close_timeout=DIRECTORY_TIMEOUT,
            )
        except ActivityError:
            raise Refusal(
                "the people directory could not be reached to check the sender's role; "
                "nothing was changed, send the message again shortly"
            ) from None

    # ----- the loop's work ---------------------------------------------------------------

    def _has_work(self, ignore_review: bool = False) -> bool:
        p = self.proposal
        return (
            self._settled_upto < len(p.data.timeline)
            or p.needs_draft()
            or (not ignore_review and p.review_is_due(workflow.now()))
        )

    def _until_next_wake(self) -> timedelta | None:
        """Until the next review falls due or, with register-and-reminders, the next reminder
        or escalation."""
        times = []
        due = self.proposal.data.next_review_due
        if self.proposal.state == "active" and due is not None:
            times.append(due)
        if self._register_and_reminders and (chase := self.proposal.next_chase_at()) is not None:
            times.append(chase)
        if not times:
            return None
        return max(min(times) - workflow.now(), timedelta(seconds=1))

    def _time_to_continue_as_new(self, reviews_at_start: int) -> bool:
        # One run per review period keeps each history short however long the agreement
        # lives: when the next review falls due, a new run takes it.
        p = self.proposal
        next_period = p.data.review_number > reviews_at_start and p.review_is_due(workflow.now())
        return next_period or workflow.info().is_continue_as_new_suggested()

    async def _settle(self) -> None:
        """Perform what the proposal needs from the outside world, until it needs nothing."""
        p = self.proposal
        while (request := p.agreement_request()) is not None:
            draft = await self._activity(draft_agreement, request)
            p.agreement_drafted(draft, workflow.now())
        chases: list[NotificationRequest] = []
        if self._register_and_reminders:
            await self._publish()
            p.note_waiting(workflow.now())
            while (kind := p.chase_due(workflow.now())) is not None:
                chases.append(p.chase(kind, workflow.now()))
        upto = len(p.data.timeline)
        if self._one_activity_per_step:
            await self._record_and_notify(upto, chases)
        else:
            if p.data.recorded_upto < upto:
                await self._activity(record_step, p.step_record(upto))
                p.data.recorded_upto = upto
            if (waiting := p.waiting_notification()) is not None:
                await self._activity(queue_notifications, waiting)
                p.notified(waiting)
            for chase in chases:
                await self._activity(queue_notifications, chase)
        # after the awaits above: a message may have changed what the proposal waits for
        self._upsert_search_attributes()
        workflow.set_current_details(details.current_details(p))
        self._settled_upto = max(self._settled_upto, upto)

    async def _record_and_notify(self, upto: int, chases: list[NotificationRequest]) -> None:
        """One activity per step: the step's events and whom to tell now, together."""
        p = self.proposal
        waiting = p.waiting_notification()
        notifications = [waiting, *chases] if waiting is not None else chases
        if p.data.recorded_upto < upto or notifications:
            await self._activity(record_step, p.step_record(upto, notifications))
            p.data.recorded_upto = max(p.data.recorded_upto, upto)
            if waiting is not None:
                p.notified(waiting)

    async def _activity(self, activity: Any, arg: Any) -> Any:
        """A side effect that must not be lost: retried until it is done."""
        return await workflow.execute_activity(
            activity,
            arg,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            heartbeat_timeout=HEARTBEAT_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )

    async def _publish(self) -> None:
        """Publish the signed agreement and enter it in the register (9.1, 4.14)."""
        p = self.proposal
        while (request := p.publish_request()) is not None:
            try:
                publication = await self._activity(publish_agreement, request)
            except ActivityError as err:
                # Only a non-retryable failure gets here: the signed document changed.
                cause = str(err.cause) if err.cause is not None else str(err)
                p.publication_failed(request.version, cause, workflow.now())
            else:
                p.agreement_published(publication, request.version, workflow.now())

    def _upsert_search_attributes(self) -> None:
        p = self.proposal
        wanted: dict[str, Any] = {
            ISP_STATE.name: p.state,
            ISP_AWAITING.name: p.awaiting_roles(),
            ISP_PARTNERS.name: [r.name for r in p.intake.recipients],
            ISP_CASEWORKER.name: str(p.intake.caseworker),
            ISP_NEXT_REVIEW.name: p.data.next_review_due,
        }
        keys: list[Any] = [ISP_STATE, ISP_AWAITING, ISP_PARTNERS, ISP_CASEWORKER, ISP_NEXT_REVIEW]
        if self._register_and_reminders:
            wanted[ISP_OVERDUE_SINCE.name] = p.data.overdue_since
            # IspCaseworker is set once, at start, to a pseudonym (codec.pseudonym): the
            # workflow has no key to compute it, and must not write the address.
            keys = [k for k in keys if k is not ISP_CASEWORKER] + [ISP_OVERDUE_SINCE]
        updates: list[SearchAttributeUpdate[Any]] = []
        for key in keys:
            value = wanted[key.name]
            if key.name in self._search_attributes and self._search_attributes[key.name] == value:
                continue
            self._search_attributes[key.name] = value
            updates.append(key.value_unset() if value is None else key.value_set(value))
        if updates:
            workflow.upsert_search_attributes(updates)

