"""Every activity, for the worker to register."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from activities.agreement import draft_agreement
from activities.notifications import queue_notifications
from activities.people import lookup_person
from activities.policy import load_policy
from activities.records import record_step
from activities.register import publish_agreement

ALL_ACTIVITIES: list[Callable[..., Any]] = [
    lookup_person,
    load_policy,
    record_step,
    queue_notifications,
    draft_agreement,
    publish_agreement,
]
