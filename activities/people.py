"""Look people up in the directory (the workflow checks an actor's roles with this)."""

from __future__ import annotations

import structlog
from temporalio import activity

from infoshare.database.people import get_person
from infoshare.database.session import session_scope
from states.types import Person

log = structlog.get_logger()


@activity.defn(name="lookup_person")
def lookup_person(email: str) -> Person | None:
    """The directory entry for `email`, or None when there is none."""
    with session_scope() as session:
        person = get_person(session, email)
    log.debug("people.lookup", found=person is not None)
    return person
