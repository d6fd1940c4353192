"""Compatibility: the activity data types live in `states.types`."""

from states.types import (  # noqa: F401
    AgreementDraft,
    AgreementRequest,
    NotificationRequest,
    Person,
    Policy,
    StepRecord,
    TimelineEvent,
)
