"""The configuration the rules need, read once per run (and so recorded in history)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity

from infoshare.settings import get_settings
from states.types import Policy


@activity.defn(name="load_policy")
def load_policy() -> Policy:
    settings = get_settings()
    return Policy(
        small_volume_threshold=settings.small_volume_threshold,
        remind_after=timedelta(days=settings.remind_after_days),
        escalate_after=timedelta(days=settings.escalate_after_days),
    )
