"""`infoshare outbox list` and `infoshare outbox send`, against a real SMTP server."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from activities.notifications import queue_notifications
from tests.activities.outbox import add_directory, request
from tests.cli.test_cli import invoke
from tests.ports import free_port
from tests.smtp import SmtpServer


def queue_two() -> None:
    """Two emails queued while no SMTP server is configured."""
    add_directory()
    assert queue_notifications(request({"screening_decision": ["dpo"]})) == 2


def test_list_and_send(runner: CliRunner, migrated_home: Path, smtp: SmtpServer) -> None:
    queue_two()
    table = invoke(runner, "outbox", "list").stdout.splitlines()
    assert table[0].split() == ["ID", "QUEUED", "SENT", "KIND", "PROPOSAL", "RECIPIENT", "SUBJECT"]
    assert len(table) == 3
    assert "dana@phso.example" in table[1] and "ira@phso.example" in table[2]
    cells = table[1].split()
    assert (cells[3], cells[4], cells[5]) == ("-", "waiting", "isp-n1")
    assert 'Action needed: "Joint investigation with LGSCO"' in table[1]

    refused = invoke(runner, "outbox", "send")
    assert refused.exit_code == 1
    assert "no SMTP server is configured: set INFOSHARE_SMTP_HOST" in refused.stderr

    smtp.configure()
    result = invoke(runner, "outbox", "send")
    assert result.exit_code == 0, result.output
    assert "sent 2 email(s)" in result.stderr
    assert sorted(smtp.inbox.recipients()) == ["dana@phso.example", "ira@phso.example"]
    assert len(invoke(runner, "outbox", "list", "--unsent").stdout.splitlines()) == 1
    assert "sent 0 email(s)" in invoke(runner, "outbox", "send").stderr
    assert len(smtp.inbox.received) == 2

    listed = json.loads(invoke(runner, "outbox", "list", "--json").stdout)
    assert [(r["recipient"], r["kind"]) for r in listed] == [
        ("dana@phso.example", "waiting"),
        ("ira@phso.example", "waiting"),
    ]
    assert all(r["sent_at"] for r in listed)
    assert "screening_decision" in listed[0]["message"]
    other = json.loads(invoke(runner, "outbox", "list", "--json", "--proposal", "isp-x").stdout)
    assert other == []


def test_send_reports_refused_recipients(
    runner: CliRunner, migrated_home: Path, smtp: SmtpServer
) -> None:
    queue_two()
    smtp.configure()
    smtp.inbox.refuse["dana@phso.example"] = "550 5.1.1 no such user"
    result = invoke(runner, "outbox", "send")
    assert result.exit_code == 1
    assert "sent 1 email(s)" in result.stderr
    assert "recipient refused: 550 5.1.1 no such user" in result.stderr
    unsent = invoke(runner, "outbox", "list", "--unsent").stdout.splitlines()
    assert len(unsent) == 2 and "dana@phso.example" in unsent[1]


def test_send_with_the_server_down(
    runner: CliRunner, migrated_home: Path, smtp: SmtpServer
) -> None:
    queue_two()
    smtp.configure(smtp_port=str(free_port()))
    result = invoke(runner, "outbox", "send")
    assert result.exit_code == 1
    assert "cannot connect to the SMTP server 127.0.0.1:" in result.stderr
    assert len(invoke(runner, "outbox", "list", "--unsent").stdout.splitlines()) == 3


def test_list_unmigrated(runner: CliRunner, home: Path) -> None:
    result = invoke(runner, "outbox", "list")
    assert result.exit_code == 1
    assert "is not set up: run `infoshare db upgrade`" in result.stderr
