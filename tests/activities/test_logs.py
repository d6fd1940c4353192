"""Every activity's log lines, as written (JSON): useful, and free of personal data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from activities.agreement import draft_agreement
from activities.notifications import queue_notifications
from activities.people import lookup_person
from activities.policy import load_policy
from activities.records import record_step
from activities.register import publish_agreement
from infoshare.runtime.logging import REDACTED
from states.types import LocalRecord, PublishRequest, SignatureRecord
from tests.activities.outbox import CASEWORKER, request
from tests.activities.test_agreement import agreement_request
from tests.db_fixtures import make_event, make_step
from tests.smtp import SmtpServer

TITLE = "Complaint of Mrs Jones about Ward 7"
PURPOSE = "Share Mrs Jones's hospital records with the LGSCO"
NOTES = "her son phoned on 3 March"
SIGNER = "Pat Person"
PERSONAL = [
    TITLE,
    PURPOSE,
    NOTES,
    SIGNER,
    "Mrs Jones",
    CASEWORKER,
    "dana@phso.example",
    "ira@phso.example",
    "sam@lgsco.example",
    "nobody.here@phso.example",
]


@pytest.mark.parametrize("empty_database_url", ["sqlite"], indirect=True)
def test_activity_logs_hold_no_personal_data(
    directory: None, smtp: SmtpServer, json_logs: Callable[[], list[dict[str, Any]]]
) -> None:
    smtp.configure()
    smtp.inbox.refuse["dana@phso.example"] = "550 5.1.1 <dana@phso.example> unknown"

    lookup_person(CASEWORKER)
    lookup_person("nobody.here@phso.example")
    load_policy()
    record_step(
        make_step(
            [make_event(1, actor=CASEWORKER, detail=NOTES)],
            proposal_id="isp-n1",
            title=TITLE,
            caseworker=CASEWORKER,
            records=[
                LocalRecord(
                    kind="email",
                    uri="https://records.example/1",
                    sha256="b" * 64,
                    description=NOTES,
                    actor=CASEWORKER,
                    at=datetime(2026, 1, 1, tzinfo=UTC),
                )
            ],
        )
    )
    queue_notifications(request({"screening_decision": ["dpo"]}, title=TITLE))
    queue_notifications(request({"submit_review": ["auditor"]}, key="k2", title=TITLE))
    draft = draft_agreement(agreement_request(proposal_id="isp-n1", title=TITLE, purpose=PURPOSE))
    publish_agreement(
        PublishRequest(
            proposal_id="isp-n1",
            title=TITLE,
            purpose=PURPOSE,
            parties=["PHSO", "LGSCO"],
            lawful_basis="public_task",
            lawful_basis_justification=NOTES,
            dpia_required=True,
            dpia_outcome="approved",
            security_method="SFTP",
            version=1,
            sha256=draft.sha256,
            uri=draft.uri,
            signatures=[
                SignatureRecord(
                    party="LGSCO",
                    name=SIGNER,
                    job_title="Director",
                    actor="sam@lgsco.example",
                    at=datetime(2026, 1, 2, tzinfo=UTC),
                    document_sha256=draft.sha256,
                )
            ],
            signed_at=datetime(2026, 1, 2, tzinfo=UTC),
            state="active",
        )
    )

    records = json_logs()
    text = repr(records)
    for item in PERSONAL:
        assert item.lower() not in text.lower(), item
    events = [r["event"] for r in records if r["logger"].startswith("activities.")]
    for expected in (
        "people.lookup",
        "records.step",
        "notifications.queued",
        "mail.refused",
        "mail.sent",
        "notifications.nobody_to_notify",
        "agreement.drafted",
        "register.published",
    ):
        assert expected in events, (expected, events)
    by_event = {r["event"]: r for r in records}
    assert by_event["notifications.queued"]["proposal_id"] == "isp-n1"
    assert by_event["mail.refused"]["answer"].startswith("550 5.1.1 <<")
    assert by_event["agreement.drafted"]["sha256"] == draft.sha256
    assert all(r.get("title", REDACTED) == REDACTED for r in records)
