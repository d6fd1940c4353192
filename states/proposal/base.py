"""What every section of the protocol reads and writes on a proposal.

`ProposalBase` holds the proposal's data and its lifecycle machine (states.machine), and
is the only place that moves the machine and writes the timeline. The sections
(scoping, dpia, ... ending) and the views (status, chasing) build on it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from states.decision import Decision
from states.intake import Intake
from states.machine import TERMINAL, Lifecycle
from states.proposal.data import ProposalData, Recommendation
from states.types import LocalRecord, TimelineEvent

SYSTEM_ACTOR = "infoshare"


class Refusal(Exception):
    """A message the protocol does not accept now: the text says exactly what is wrong."""


class ProposalBase:
    """One proposal's data, its lifecycle and its timeline."""

    def __init__(self, data: ProposalData) -> None:
        self.data = data
        self.lifecycle = Lifecycle(data.state)

    # ----- reading -----------------------------------------------------------------------

    @property
    def state(self) -> str:
        return self.lifecycle.state

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL

    @property
    def intake(self) -> Intake:
        return self.data.intake

    @property
    def parties(self) -> list[str]:
        return self.intake.parties

    def unsigned_parties(self) -> list[str]:
        signed = {s.party for s in self.data.agreement.signed_by} if self.data.agreement else set()
        return [p for p in self.parties if p not in signed]

    @property
    def draft_ready(self) -> bool:
        """The version to be signed has been drafted."""
        d = self.data
        return d.agreement is not None and d.agreement.version == d.agreement_version_wanted

    def in_force(self) -> bool:
        return self.data.launched_at is not None

    def held_records(self) -> list[LocalRecord]:
        """Local records not yet released by Information Rights (4.14)."""
        return [r for r in self.data.records if r.released_at is None]

    # ----- changing: the lifecycle and the timeline --------------------------------------

    def fire(self, event: str, now: datetime) -> None:
        """Move the lifecycle machine by `event`, and say so in the timeline."""
        before = self.state
        self.lifecycle.fire(event)
        self.data.state = self.state
        self.data.state_changes += 1
        self.event(now, SYSTEM_ACTOR, "state", True, f"{before} -> {self.state}", [])

    def reject(self, why: str, now: datetime) -> None:
        """The proposal is rejected, for `why`."""
        self.fire("reject", now)
        self.data.outcome = why

    def recommend(self, decision: Decision, now: datetime, key: str | None = None) -> None:
        self.data.recommendations[key or decision.decision] = Recommendation(
            decision=decision.decision,
            value=decision.value,
            clauses=list(decision.clauses),
            reasons=list(decision.reasons),
        )
        self.event(
            now, SYSTEM_ACTOR, decision.decision, True, decision.explain(), list(decision.clauses)
        )

    def confirm(self, decision: str, value: Any, actor: str) -> None:
        """A person confirmed (or overrode) the recommended `decision` with `value`."""
        rec = self.data.recommendations.get(decision)
        if rec is not None:
            rec.confirmed_by = actor
            rec.confirmed_value = value

    def system_event(self, now: datetime, what: str, detail: str, clauses: list[str]) -> None:
        self.event(now, SYSTEM_ACTOR, what, True, detail, clauses)

    def event(
        self,
        now: datetime,
        actor: str,
        message: str,
        accepted: bool,
        detail: str,
        clauses: list[str] | tuple[str, ...],
        at_index: int | None = None,
    ) -> None:
        timeline = self.data.timeline
        event = TimelineEvent(
            seq=0,
            at=now,
            actor=actor,
            message=message,
            accepted=accepted,
            detail=detail,
            clauses=list(clauses),
            state=self.state,
        )
        if at_index is None:
            timeline.append(event)
        else:
            # a person's message goes before the automatic decisions it caused
            timeline.insert(at_index, event)
        for i in range(at_index if at_index is not None else len(timeline) - 1, len(timeline)):
            timeline[i] = timeline[i].model_copy(update={"seq": i + 1})
