"""Overdue approvals and reviews (PROTOCOL.md 2.9): telling whoever the proposal waits
for, reminding them, and escalating to Information Rights, the DPO and the caseworker
when they stay silent (periods from the policy)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from states.messages import MESSAGES
from states.proposal.status import StatusViews
from states.types import NotificationRequest


class Chasing(StatusViews):
    def note_waiting(self, now: datetime) -> None:
        """Start the overdue clock whenever whom the proposal waits for changes. A suspended
        agreement waits on purpose, and is not chased."""
        d = self.data
        awaiting = self.awaiting()
        key = self.notification_key(awaiting) if awaiting and self.state != "suspended" else None
        if key == d.waiting_key:
            return
        d.waiting_key, d.waiting_since = key, (now if key else None)
        d.reminders_sent, d.overdue_since = 0, None

    def _chase_times(self) -> tuple[datetime | None, datetime | None]:
        """When the next reminder and the escalation fall due (None: not pending)."""
        d = self.data
        if d.waiting_since is None or d.policy is None:
            return None, None
        reminder = d.waiting_since + (d.reminders_sent + 1) * d.policy.remind_after
        escalation = None
        if d.overdue_since is None:
            escalation = d.waiting_since + d.policy.escalate_after
        return reminder, escalation

    def next_chase_at(self) -> datetime | None:
        times = [t for t in self._chase_times() if t is not None]
        return min(times) if times else None

    def chase_due(self, now: datetime) -> str | None:
        """ "escalation" or "reminder" when one is due now, else None."""
        reminder, escalation = self._chase_times()
        if escalation is not None and now >= escalation:
            return "escalation"
        if reminder is not None and now >= reminder:
            return "reminder"
        return None

    def chase(self, kind: str, now: datetime) -> NotificationRequest:
        """Record a reminder or the escalation, and say whom to tell. Reminder periods that
        passed unseen (a worker was down) are counted, not sent one by one."""
        d = self.data
        assert d.waiting_since is not None and d.policy is not None
        d.reminders_sent = max(d.reminders_sent, (now - d.waiting_since) // d.policy.remind_after)
        awaiting = self.awaiting()
        what = "; ".join(f"{w['message']} from {' or '.join(w['roles'])}" for w in awaiting)
        since = f"{d.waiting_since:%Y-%m-%d %H:%M} UTC"
        clauses = list(dict.fromkeys(c for w in awaiting for c in MESSAGES[w["message"]].clauses))
        if kind == "escalation":
            d.overdue_since = d.waiting_since + d.policy.escalate_after
            self.system_event(
                now,
                "escalated",
                f"overdue: waiting since {since} for {what}; escalated to Information Rights, "
                "the DPO and the caseworker",
                clauses,
            )
        else:
            self.system_event(
                now,
                "reminder",
                f"reminder {d.reminders_sent}: waiting since {since} for {what}",
                clauses,
            )
        # the outbox tells reminders and the escalation of one waiting point apart by kind
        assert d.waiting_key is not None
        return self.notification_request(
            awaiting,
            d.waiting_key,
            kind=kind,
            reminder=d.reminders_sent,
            overdue_since=d.overdue_since,
        )

    def waiting_notification(self) -> NotificationRequest | None:
        """Whom to tell that the proposal now waits for them: None when it waits for no one
        or they were told at this waiting point (`notified`)."""
        awaiting = self.awaiting()
        key = self.notification_key(awaiting)
        if not awaiting or key == self.data.notified_key:
            return None
        return self.notification_request(awaiting, key)

    def notified(self, request: NotificationRequest) -> None:
        """`request` (from `waiting_notification`) is queued: not again at this point."""
        self.data.notified_key = request.key

    def notification_request(
        self, awaiting: list[dict[str, Any]], key: str, **extra: Any
    ) -> NotificationRequest:
        """Tell whoever the proposal waits for (`awaiting()`), once per `key`."""
        intake, answers = self.intake, self.data.screening_answers
        innovative = None
        if answers is not None:
            innovative = bool(
                answers.get("ico_innovative_technology") or answers.get("wp_innovative_use")
            )
        return NotificationRequest(
            proposal_id=self.data.proposal_id,
            key=key,
            title=intake.title,
            state=self.state,
            awaiting={w["message"]: w["roles"] for w in awaiting},
            caseworker=str(intake.caseworker),
            unsigned_parties=self.unsigned_parties(),
            # what ICT needs to judge the transfer method (8.2)
            recipient_organisations=[r.name for r in intake.recipients],
            special_categories=[str(c) for c in intake.special_categories],
            criminal_offence_data=intake.criminal_offence_data,
            volume=intake.volume,
            frequency=str(intake.frequency),
            innovative_technology=innovative,
            maintained_technology=intake.maintained_technology,
            **extra,
        )

    def notification_key(self, awaiting: list[dict[str, Any]] | None = None) -> str:
        """Changes whenever whom the proposal waits for (`awaiting()`) changes."""
        awaiting_json = json.dumps(
            self.awaiting() if awaiting is None else awaiting, sort_keys=True
        )
        return (
            f"{self.data.state_changes}:{hashlib.sha256(awaiting_json.encode()).hexdigest()[:16]}"
        )
