"""The logs keep personal data out: what structlog and the standard library really write."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
import structlog

from infoshare.runtime.logging import (
    REDACTED,
    ensure_logging,
    mask_email,
    mask_emails,
    redact_personal_data,
)
from tests.conftest import logging_as_configured

# Personal data a proposal carries, none of which may reach a log.
PERSONAL = [
    "casey@phso.example",
    "Dana.Director@PHSO.example",
    "chief@lgsco.example",
    "bob.smith@gmail.example",
    "Mrs Jones",
    "Dana Director",
    "Joint investigation of Mrs Jones's complaint",
    "Share Mrs Jones's hospital records",
    "her daughter asked us",
    "safeguarding concern",
]


def lifecycle_logs() -> None:
    """Log lines like those a proposal's life produces, with personal data in them."""
    log = structlog.get_logger("infoshare.test")
    log.info(
        "proposal.started",
        proposal_id="isp-abc123",
        caseworker="casey@phso.example",
        title="Joint investigation of Mrs Jones's complaint",
        purpose="Share Mrs Jones's hospital records",
        parties=["PHSO", "LGSCO"],
        volume=250,
    )
    log.info(
        "decision.accepted",
        proposal_id="isp-abc123",
        message="advice",
        actor="Dana.Director@PHSO.example",
        payload={
            "actor": "Dana.Director@PHSO.example",
            "role": "dpo",
            "outcome": "support",
            "notes": "her daughter asked us",
        },
        state="lawful_basis",
    )
    log.info(
        "agreement.signed",
        proposal_id="isp-abc123",
        signatory_name="Dana Director",
        job_title="Director",
        party="LGSCO",
        signed_by="chief@lgsco.example",
        document_sha256="a" * 64,
    )
    log.warning(
        "mail.refused", notification=7, answer="550 5.1.1 <bob.smith@gmail.example>: unknown"
    )
    log.info("proposal.suspended", proposal_id="isp-abc123", reason="safeguarding concern")
    try:
        raise RuntimeError("cannot send the email to casey@phso.example")
    except RuntimeError:
        log.exception("notifications.failed", proposal_id="isp-abc123")
    # A library's record (temporalio logs through the standard library)
    logging.getLogger("temporalio.activity").warning(
        "Completing activity as failed: refused chief@lgsco.example",
        extra={"recipient": "chief@lgsco.example", "attempt": 2},
    )


def assert_no_personal_data(output: str) -> None:
    for item in PERSONAL:
        assert item not in output, item
        assert item.lower() not in output.lower(), item


def test_json_logs(capsys: pytest.CaptureFixture[str]) -> None:
    with logging_as_configured("json"):
        lifecycle_logs()
    out = capsys.readouterr()
    assert out.out == ""  # stdout stays free for results
    assert_no_personal_data(out.err)
    records = [json.loads(line) for line in out.err.splitlines()]
    by_event = {r["event"]: r for r in records}
    started = by_event["proposal.started"]
    # what is not personal stays, so the logs are still useful
    assert started["proposal_id"] == "isp-abc123"
    assert started["parties"] == ["PHSO", "LGSCO"]
    assert started["volume"] == 250
    assert started["level"] == "info" and "timestamp" in started
    assert started["title"] == started["purpose"] == REDACTED
    # an email keeps its domain and a short hash: one person's lines can be followed
    assert started["caseworker"] == mask_email("casey@phso.example")
    assert started["caseworker"].endswith(">@phso.example")
    decision = by_event["decision.accepted"]
    assert (
        decision["actor"]
        == decision["payload"]["actor"]
        == mask_email("dana.director@phso.example")
    )
    assert decision["payload"] == {
        "actor": decision["actor"],
        "role": "dpo",
        "outcome": "support",
        "notes": REDACTED,
    }
    assert (decision["message"], decision["state"]) == ("advice", "lawful_basis")
    signed = by_event["agreement.signed"]
    assert signed["signatory_name"] == signed["job_title"] == REDACTED
    assert (signed["party"], signed["document_sha256"]) == ("LGSCO", "a" * 64)
    assert by_event["mail.refused"]["answer"].startswith("550 5.1.1 <<")
    assert by_event["proposal.suspended"]["reason"] == REDACTED
    failed = by_event["notifications.failed"]
    assert "RuntimeError: cannot send the email to <" in failed["exception"]
    assert "Traceback" in failed["exception"]
    library = next(r for r in records if r["logger"] == "temporalio.activity")
    assert library["event"].startswith("Completing activity as failed: refused <")
    assert library["recipient"] == mask_email("chief@lgsco.example")
    assert library["attempt"] == 2


def test_console_logs(capsys: pytest.CaptureFixture[str]) -> None:
    with logging_as_configured("console"):
        lifecycle_logs()
    out = capsys.readouterr()
    assert out.out == ""
    assert_no_personal_data(out.err)
    assert "proposal.started" in out.err and "proposal_id=isp-abc123" in out.err
    assert f"caseworker={mask_email('casey@phso.example')}" in out.err
    assert "RuntimeError: cannot send the email to <" in out.err  # the traceback, masked


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("write to a@b.example or C.D+x@e.f.example now", "write to {a} or {c} now"),
        ("no address here @ all", "no address here @ all"),
        ("isp-abc123", "isp-abc123"),
    ],
)
def test_mask_emails(value: str, expected: str) -> None:
    masks = {"a": mask_email("a@b.example"), "c": mask_email("c.d+x@e.f.example")}
    assert mask_emails(value) == expected.format(**masks)


def test_processor_on_nested_and_odd_values() -> None:
    processor: Callable[..., Any] = redact_personal_data
    out = processor(
        None,
        "info",
        {
            "event": "x for z@y.example",
            "people": [{"email": "p@q.example", "name": "Pat"}, "r@s.example"],
            "recipient_email": "not-an-address",
            "notes": None,
            "description": 42,
            "accepted": True,
            "when": object(),
        },
    )
    assert out["event"] == f"x for {mask_email('z@y.example')}"
    assert out["people"] == [
        {"email": mask_email("p@q.example"), "name": REDACTED},
        mask_email("r@s.example"),
    ]
    assert out["recipient_email"] == "not-an-address"
    assert (out["notes"], out["description"], out["accepted"]) == (None, REDACTED, True)
    assert out["when"].startswith("<object object")


def test_a_worker_without_the_cli_still_redacts(capsys: pytest.CaptureFixture[str]) -> None:
    """`run_worker` calls ensure_logging: configures (with the redaction) only if nothing
    configured logging before."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    structlog.reset_defaults()
    try:
        ensure_logging("json")
        ensure_logging("console")  # already configured: stays JSON
        structlog.get_logger("worker").info("worker.started", actor="casey@phso.example")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        structlog.reset_defaults()
    [record] = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert record["actor"] == mask_email("casey@phso.example")
