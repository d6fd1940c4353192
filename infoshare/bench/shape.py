"""The shape of a lifecycle, counted from a real history of ours: how many messages it
took and how many activities ran before the first one and after each."""

from __future__ import annotations

from dataclasses import dataclass

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory

_MESSAGE_EVENTS = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
}


@dataclass(frozen=True)
class Shape:
    messages: int
    activities: int
    plan: list[int]  # activities at start, then after each message
    events: int
    history_bytes: int
    search_attribute_upserts: int
    activity_names: dict[str, int]

    def as_json(self) -> dict[str, object]:
        return {
            "messages": self.messages,
            "activities": self.activities,
            "plan": self.plan,
            "events": self.events,
            "history_bytes": self.history_bytes,
            "search_attribute_upserts": self.search_attribute_upserts,
            "activity_names": self.activity_names,
        }


def shape_of(history: WorkflowHistory) -> Shape:
    plan = [0]
    names: dict[str, int] = {}
    upserts = 0
    for event in history.events:
        if event.event_type in _MESSAGE_EVENTS:
            plan.append(0)
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            plan[-1] += 1
            name = event.activity_task_scheduled_event_attributes.activity_type.name
            names[name] = names.get(name, 0) + 1
        elif event.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            upserts += 1
    size = sum(event.ByteSize() for event in history.events)
    return Shape(
        messages=len(plan) - 1,
        activities=sum(plan),
        plan=plan,
        events=len(history.events),
        history_bytes=size,
        search_attribute_upserts=upserts,
        activity_names=dict(sorted(names.items())),
    )
