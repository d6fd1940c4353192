"""The people directory and requests the notification and mail tests share."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select

from infoshare.database.models import NotificationRow
from infoshare.database.session import session_scope
from states.types import NotificationRequest
from tests.db_fixtures import add_people

CASEWORKER = "casey@phso.example"


def add_directory() -> None:
    add_people(
        # The proposer also holds dpo and ict: segregation of duties must skip them.
        (CASEWORKER, ["caseworker", "dpo", "ict"]),
        ("dana@phso.example", ["dpo"]),
        ("ira@phso.example", ["information_rights", "dpo"]),
        ("ian@phso.example", ["ict"]),
        ("pat@phso.example", ["signatory"], "PHSO"),
        ("sam@lgsco.example", ["signatory"], "LGSCO"),
        ("sue@other.example", ["signatory"], "Other Council"),
        ("rita@phso.example", ["reviewer"]),
    )


def request(awaiting: dict[str, list[str]], **overrides: object) -> NotificationRequest:
    fields: dict[str, object] = {
        "proposal_id": "isp-n1",
        "key": "screening#1",
        "title": "Joint investigation with LGSCO",
        "state": "screening",
        "awaiting": awaiting,
        "caseworker": CASEWORKER,
    }
    fields.update(overrides)
    return NotificationRequest.model_validate(fields)


def queued(key: str | None = None) -> dict[str, NotificationRow]:
    with session_scope() as session:
        stmt = select(NotificationRow).where(NotificationRow.proposal_id == "isp-n1")
        if key is not None:
            stmt = stmt.where(NotificationRow.key == key)
        return {row.recipient: row for row in session.scalars(stmt)}


def examples(text: str) -> list[dict[str, Any]]:
    """The example payloads in an email's text."""
    blocks = re.findall(r"^    \{\n.*?^    \}$", text, flags=re.S | re.M)
    return [json.loads(block) for block in blocks]
