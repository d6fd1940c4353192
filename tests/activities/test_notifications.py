"""queue_notifications: who is told, of what, once (the outbox rows)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.notifications import queue_notifications, row_key
from infoshare.database.people import add_person
from infoshare.database.session import session_scope
from tests.activities.outbox import CASEWORKER, examples, queued, request
from tests.smtp import settings_from


def test_caseworker_is_notified(directory: None) -> None:
    req = request({"submit_screening": ["caseworker"]})
    assert ActivityEnvironment().run(queue_notifications, req) == 1
    rows = queued()
    assert list(rows) == [CASEWORKER]
    row = rows[CASEWORKER]
    assert (row.key, row.role, row.sent_at) == ("screening#1", "caseworker", None)
    assert (row.kind, row.subject) == (
        "waiting",
        'Action needed: "Joint investigation with LGSCO" waits for you (screening) [isp-n1]',
    )
    assert "Joint investigation with LGSCO" in row.message
    assert "is now in state screening and waits for you" in row.message
    assert "submit_screening" in row.message
    # a link to act, and the message to send with an example payload as the sender
    assert "http://127.0.0.1:8000/proposals/isp-n1" in row.message
    assert "http://127.0.0.1:8233/namespaces/default/workflows/isp-n1" in row.message
    assert "infoshare decide isp-n1 MESSAGE PAYLOAD.json" in row.message
    [example] = examples(row.message)
    assert example["actor"] == CASEWORKER
    assert set(example["answers"]) >= {"art35_automated_decisions"}


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
    assert queue_notifications(request({"submit_review": ["auditor"]})) == 0
    assert queued() == {}


def test_examples_fit_the_recipient(directory: None) -> None:
    req = request(
        {"advice": ["dpo", "information_rights"], "sign": ["signatory"]},
        state="lawful_basis",
        unsigned_parties=["LGSCO"],
    )
    queue_notifications(req)
    rows = queued()
    assert [e["role"] for e in examples(rows["ira@phso.example"].message)] == [
        "dpo",
        "information_rights",
    ]
    [sign] = examples(rows["sam@lgsco.example"].message)
    assert (sign["actor"], sign["party"]) == ("sam@lgsco.example", "LGSCO")
    assert sign["name"] == "A Signatory"  # no name on file: the example's


def test_a_signatory_with_a_name_on_file(directory: None) -> None:
    with session_scope() as session:
        add_person(
            session, "sam@lgsco.example", ["signatory"], name="Sam Sign", organisation="LGSCO"
        )
    queue_notifications(request({"sign": ["signatory"]}, unsigned_parties=["LGSCO"]))
    row = queued()["sam@lgsco.example"]
    assert row.message.startswith("Hello Sam Sign,")
    [sign] = examples(row.message)
    assert (sign["name"], sign["party"]) == ("Sam Sign", "LGSCO")


def test_hostile_title_stays_one_subject_line(directory: None) -> None:
    title = "Evil\r\nBcc: everyone@phso.example\n" + "x" * 300
    queue_notifications(request({"submit_screening": ["caseworker"]}, title=title))
    subject = queued()[CASEWORKER].subject
    assert "\n" not in subject and "\r" not in subject
    assert subject.startswith('Action needed: "Evil Bcc: everyone@phso.example xxx')
    assert len(subject) < 140


def test_reminders_are_new_rows_of_the_same_waiting_point(directory: None) -> None:
    waiting = request({"screening_decision": ["dpo"]})
    assert queue_notifications(waiting) == 2
    reminder = request({"screening_decision": ["dpo"]}, kind="reminder", reminder=2)
    assert queue_notifications(reminder) == 2
    assert queue_notifications(reminder) == 0
    rows = queued(row_key(reminder))
    assert row_key(reminder) == "screening#1/reminder-2"
    assert set(rows) == {"dana@phso.example", "ira@phso.example"}
    row = rows["dana@phso.example"]
    assert row.kind == "reminder"
    assert row.subject.startswith('Reminder 2: "Joint investigation with LGSCO" still waits')
    assert "Reminder 2: the information sharing proposal" in row.message
    assert len(queued("screening#1")) == 2  # the first notice is still there


def test_escalation_tells_the_caseworker_information_rights_and_the_dpo(
    directory: None,
) -> None:
    req = request(
        {"submit_review": ["reviewer"]},
        key="active#3",
        state="review_due",
        kind="escalation",
        overdue_since=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    )
    assert queue_notifications(req) == 4
    rows = queued()
    # the reviewer awaited, the caseworker, everyone with dpo or information_rights, once
    # each (ira holds both roles; the caseworker also holds dpo)
    assert set(rows) == {
        "rita@phso.example",
        CASEWORKER,
        "dana@phso.example",
        "ira@phso.example",
    }
    assert {row.kind for row in rows.values()} == {"escalation"}
    assert rows["ira@phso.example"].role == "dpo,information_rights"
    assert rows[CASEWORKER].role == "caseworker,dpo"
    subject = rows["rita@phso.example"].subject
    assert subject.startswith("Overdue since 2026-03-01 09:30 UTC:")
    assert "As reviewer you may send" in rows["rita@phso.example"].message
    informed = rows["dana@phso.example"].message
    assert "You are told as dpo: nothing is needed from you" in informed
    assert "submit_review (from reviewer)" in informed
    assert queue_notifications(req) == 0


@pytest.fixture
def helphub(directory: None) -> Iterator[str]:
    with settings_from(helphub_email="Helphub@PHSO.example", smtp_host=None):
        yield "helphub@phso.example"


def test_ict_helphub_request(helphub: str) -> None:
    req = request(
        {"security_advice": ["ict"]},
        key="security_method#1",
        state="security_method",
        recipient_organisations=["LGSCO"],
        special_categories=["health"],
        criminal_offence_data=True,
        volume=250,
        frequency="regular",
        innovative_technology=False,
        maintained_technology=True,
    )
    assert queue_notifications(req) == 2  # ian (ICT; the caseworker is excluded) and the helphub
    rows = queued()
    request_row = rows[helphub]
    assert (request_row.kind, request_row.role) == ("helphub", "ict")
    assert request_row.subject.startswith("ICT helphub request (8.1): secure transfer method for")
    for factor in (
        "Sensitivity: special category data: health, criminal offence data",
        "Volume: 250 records",
        "Frequency: shared regularly",
        "Recipients (their security expertise and credibility): LGSCO",
        "the DPIA screening found no innovative technology",
        "relies on technology needing maintenance and monitoring: yes",
    ):
        assert factor in request_row.message
        assert factor in rows["ian@phso.example"].message
    assert examples(request_row.message)[0]["method"] == "SFTP with PGP"
    # no helphub request while the proposal waits for something else
    assert queue_notifications(request({"screening_decision": ["dpo"]}, key="x")) == 2
    assert helphub not in queued("x")


def test_unknown_kind_is_refused(directory: None) -> None:
    with pytest.raises(ApplicationError) as excinfo:
        queue_notifications(request({"screening_decision": ["dpo"]}, kind="shout"))
    assert excinfo.value.non_retryable
    assert queued() == {}
