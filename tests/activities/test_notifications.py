"""queue_notifications: who is told, once."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from temporalio.testing import ActivityEnvironment

from activities.notifications import queue_notifications
from database.models import NotificationRow
from database.session import session_scope
from settings import Settings
from states.types import NotificationRequest
from tests.db_fixtures import add_people

CASEWORKER = "casey@phso.example"


@pytest.fixture
def directory(infoshare_env: Settings) -> None:
    add_people(
        # The proposer also holds dpo and ict: segregation of duties must skip them.
        (CASEWORKER, ["caseworker", "dpo", "ict"]),
        ("dana@phso.example", ["dpo"]),
        ("ira@phso.example", ["information_rights", "dpo"]),
        ("ian@phso.example", ["ict"]),
        ("pat@phso.example", ["signatory"], "PHSO"),
        ("sam@lgsco.example", ["signatory"], "LGSCO"),
        ("sue@other.example", ["signatory"], "Other Council"),
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


def test_caseworker_is_notified(directory: None) -> None:
    req = request({"submit_screening": ["caseworker"]})
    assert ActivityEnvironment().run(queue_notifications, req) == 1
    rows = queued()
    assert list(rows) == [CASEWORKER]
    row = rows[CASEWORKER]
    assert (row.key, row.role, row.sent_at) == ("screening#1", "caseworker", None)
    assert "Joint investigation with LGSCO" in row.message
    assert "screening" in row.message
    assert "submit_screening" in row.message


def test_segregation_of_duties(directory: None) -> None:
    req = request(
        {"screening_decision": ["dpo"], "security_advice": ["ict"]},
        caseworker="Casey@PHSO.example",
    )
    assert queue_notifications(req) == 3
    rows = queued()
    assert set(rows) == {"dana@phso.example", "ira@phso.example", "ian@phso.example"}
    assert "security_advice" in rows["ian@phso.example"].message
    assert "security_advice" not in rows["dana@phso.example"].message


def test_one_row_per_recipient_with_all_their_messages(directory: None) -> None:
    req = request(
        {
            "advice": ["dpo", "information_rights"],
            "special_category_condition": ["information_rights"],
        },
        key="lawful_basis#1",
        state="lawful_basis",
    )
    assert queue_notifications(req) == 2
    rows = queued()
    assert set(rows) == {"dana@phso.example", "ira@phso.example"}
    ira = rows["ira@phso.example"]
    assert ira.role == "dpo,information_rights"
    assert "advice" in ira.message
    assert "special_category_condition" in ira.message
    assert "special_category_condition" not in rows["dana@phso.example"].message


def test_signatories_of_unsigned_parties_only(directory: None) -> None:
    req = request(
        {"sign": ["signatory"]}, key="signing#1", state="signing", unsigned_parties=["LGSCO"]
    )
    assert queue_notifications(req) == 1
    rows = queued()
    assert list(rows) == ["sam@lgsco.example"]
    assert "for LGSCO" in rows["sam@lgsco.example"].message


def test_retry_queues_nothing_new(directory: None) -> None:
    req = request({"screening_decision": ["dpo"], "withdraw": ["caseworker", "information_rights"]})
    first = queue_notifications(req)
    assert first == 3  # dana, ira, and the caseworker
    assert queue_notifications(req) == 0
    assert len(queued()) == 3
    # A new waiting point is a new notification.
    assert queue_notifications(request({"screening_decision": ["dpo"]}, key="screening#2")) == 2
    assert len(queued("screening#1")) == 3
    assert set(queued("screening#2")) == {"dana@phso.example", "ira@phso.example"}


def test_nobody_to_notify(directory: None) -> None:
    assert queue_notifications(request({"submit_review": ["reviewer"]})) == 0
    assert queued() == {}
