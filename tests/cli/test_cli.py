"""The command line's answers to bad input: a clear message on stderr, a non-zero exit,
never a traceback. Nothing here needs a Temporal server."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from infoshare.cli.main import app
from states.messages import MESSAGES
from tests.cli.conftest import EXAMPLE_INTAKE
from tests.ports import free_port


def invoke(runner: CliRunner, *args: str, input: str | None = None) -> Result:
    result = runner.invoke(app, list(args), input=input)
    # typer.Exit ends every command, even a failing one: an exception here is a bug.
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception,
        result.output,
    )
    assert "Traceback" not in result.output
    return result


def write_json(path: Path, data: Any) -> str:
    path.write_text(json.dumps(data))
    return str(path)


# ----- propose ----------------------------------------------------------------------------


def test_propose_reports_each_bad_field_on_its_own_line(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    intake = {
        **EXAMPLE_INTAKE,
        "title": "",
        "caseworker": "not-an-email",
        "recipients": [{"name": "LGSCO", "kind": "charity", "location": "england"}],
        "volume": -5,
        "colour": "red",
    }
    del intake["frequency"]
    result = invoke(runner, "propose", write_json(tmp_path / "intake.json", intake))

    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: ") and "is not a valid intake" in lines[0]
    problems = {line.strip().split(":")[0] for line in lines[1:]}
    assert problems == {
        "title",
        "caseworker",
        "recipients[0].kind",
        "volume",
        "frequency",
        "colour",
    }
    assert any("Field required" in line for line in lines if "frequency" in line)
    assert any("(got 'charity')" in line for line in lines)


def test_propose_bad_json(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"title": "x",\n  oops}')
    result = invoke(runner, "propose", str(path))
    assert result.exit_code == 1
    assert "is not valid JSON" in result.stderr
    assert "line 2" in result.stderr


def test_propose_not_an_object(runner: CliRunner, home: Path) -> None:
    result = invoke(runner, "propose", "-", input="[1, 2]")
    assert result.exit_code == 1
    assert "must be one JSON object" in result.stderr


def test_propose_missing_file(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    result = invoke(runner, "propose", str(tmp_path / "nope.json"))
    assert result.exit_code == 1
    assert "cannot read intake" in result.stderr


def test_propose_needs_the_database(runner: CliRunner, home: Path) -> None:
    result = invoke(runner, "propose", "-", input=json.dumps(EXAMPLE_INTAKE))
    assert result.exit_code == 1
    assert "infoshare db upgrade" in result.stderr


def test_propose_caseworker_not_in_directory(runner: CliRunner, migrated_home: Path) -> None:
    result = invoke(runner, "propose", "-", input=json.dumps(EXAMPLE_INTAKE))
    assert result.exit_code == 1
    assert "casey@phso.example is not in the people directory" in result.stderr
    assert "infoshare people add casey@phso.example --role caseworker" in result.stderr


def test_propose_caseworker_without_the_role(runner: CliRunner, migrated_home: Path) -> None:
    assert invoke(runner, "people", "add", "casey@phso.example", "--role", "dpo").exit_code == 0
    result = invoke(runner, "propose", "-", input=json.dumps(EXAMPLE_INTAKE))
    assert result.exit_code == 1
    assert "does not have the caseworker role (roles: dpo)" in result.stderr


def test_propose_without_temporal(runner: CliRunner, migrated_home: Path) -> None:
    invoke(runner, "people", "add", "casey@phso.example", "--role", "caseworker")
    result = invoke(runner, "propose", "-", input=json.dumps(EXAMPLE_INTAKE))
    assert result.exit_code == 1
    assert "cannot reach Temporal at 127.0.0.1:1" in result.stderr
    assert "connection refused" in result.stderr


# ----- decide and status ------------------------------------------------------------------


def test_decide_unknown_message_lists_the_known_ones(runner: CliRunner, home: Path) -> None:
    result = invoke(runner, "decide", "isp-x", "approve_everything", "-", input="{}")
    assert result.exit_code == 2
    assert "unknown message 'approve_everything'" in result.stderr
    for name in MESSAGES:
        assert name in result.stderr


def test_decide_invalid_payload(runner: CliRunner, home: Path) -> None:
    payload = {"actor": "dpo@phso.example", "outcome": "maybe", "extra": 1}
    result = invoke(runner, "decide", "isp-x", "dpia_decision", "-", input=json.dumps(payload))
    assert result.exit_code == 1
    assert "the dpia_decision payload is not valid" in result.stderr
    assert "outcome: Input should be 'approved', 'changes_requested' or 'rejected'" in (
        result.stderr
    )
    assert "reason: Field required" in result.stderr
    assert "extra: Extra inputs are not permitted" in result.stderr


def test_decide_payload_file(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    """A valid payload from a file gets as far as connecting to Temporal."""
    payload = {"actor": "dpo@phso.example", **MESSAGES["dpia_decision"].example}
    path = write_json(tmp_path / "payload.json", payload)
    result = invoke(runner, "decide", "isp-x", "dpia_decision", path)
    assert result.exit_code == 1
    assert "cannot reach Temporal" in result.stderr


def test_status_without_temporal(runner: CliRunner, home: Path) -> None:
    result = invoke(runner, "status", "isp-x")
    assert result.exit_code == 1
    assert "cannot reach Temporal at 127.0.0.1:1" in result.stderr
    assert "INFOSHARE_TEMPORAL_ADDRESS" in result.stderr


# ----- people -----------------------------------------------------------------------------


def test_people_add_bad_role(runner: CliRunner, migrated_home: Path) -> None:
    result = invoke(runner, "people", "add", "a@phso.example", "--role", "wizard")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "unknown role 'wizard'" in result.stderr
    assert "caseworker" in result.stderr  # names the valid ones


def test_people_add_bad_email(runner: CliRunner, migrated_home: Path) -> None:
    result = invoke(runner, "people", "add", "nobody", "--role", "dpo")
    assert result.exit_code == 1
    assert "is not a valid email address" in result.stderr


def test_people_add_needs_a_role(runner: CliRunner, migrated_home: Path) -> None:
    result = invoke(runner, "people", "add", "a@phso.example")
    assert result.exit_code == 2
    assert "--role" in result.output


def test_people_add_and_list(runner: CliRunner, migrated_home: Path) -> None:
    assert invoke(runner, "people", "add", "Dana@PHSO.example", "-r", "dpo").exit_code == 0
    result = invoke(
        runner, "people", "add", "chief@lgsco.example", "--role", "signatory",
        "--name", "Chris Chief", "--organisation", "LGSCO",
    )  # fmt: skip
    assert result.exit_code == 0

    table = invoke(runner, "people", "list")
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["EMAIL", "NAME", "ORGANISATION", "ROLES"]
    assert "chief@lgsco.example" in lines[1] and "LGSCO" in lines[1] and "signatory" in lines[1]
    assert lines[2].split() == ["dana@phso.example", "PHSO", "dpo"]

    listed = json.loads(invoke(runner, "people", "list", "--json").stdout)
    assert listed == [
        {
            "email": "chief@lgsco.example",
            "name": "Chris Chief",
            "roles": ["signatory"],
            "organisation": "LGSCO",
        },
        {"email": "dana@phso.example", "name": "", "roles": ["dpo"], "organisation": "PHSO"},
    ]


def test_people_list_unmigrated(runner: CliRunner, home: Path) -> None:
    result = invoke(runner, "people", "list")
    assert result.exit_code == 1
    assert "is not set up: run `infoshare db upgrade`" in result.stderr


def test_db_upgrade_then_downgrade(runner: CliRunner, home: Path) -> None:
    assert invoke(runner, "db", "upgrade").exit_code == 0
    assert invoke(runner, "people", "list").exit_code == 0
    assert invoke(runner, "db", "downgrade", "base").exit_code == 0
    assert invoke(runner, "people", "list").exit_code == 1
    bad = invoke(runner, "db", "upgrade", "no-such-revision")
    assert bad.exit_code == 1
    assert "cannot upgrade" in bad.stderr


# ----- messages ---------------------------------------------------------------------------


def test_messages_lists_every_message(runner: CliRunner) -> None:
    result = invoke(runner, "messages")
    assert result.exit_code == 0
    for name, spec in MESSAGES.items():
        assert f"{name}  (role: {' or '.join(r.value for r in spec.roles)})" in result.stdout
        assert spec.description in result.stdout


def test_messages_examples_are_valid_payloads(runner: CliRunner) -> None:
    for name, spec in MESSAGES.items():
        result = invoke(runner, "messages", name, "--example", "--actor", "x@phso.example")
        assert result.exit_code == 0
        payload = json.loads(result.stdout)
        assert payload["actor"] == "x@phso.example"
        spec.payload.model_validate(payload)


def test_messages_json(runner: CliRunner) -> None:
    described = json.loads(invoke(runner, "messages", "--json").stdout)
    assert [d["message"] for d in described] == list(MESSAGES)
    one = json.loads(invoke(runner, "messages", "sign", "--json").stdout)
    assert one["roles"] == ["signatory"]


def test_messages_unknown(runner: CliRunner) -> None:
    result = invoke(runner, "messages", "nope")
    assert result.exit_code == 2
    assert "unknown message 'nope'" in result.stderr


# ----- configuration and up ---------------------------------------------------------------


def test_bad_configuration_names_the_variable(
    runner: CliRunner, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from infoshare.settings import get_settings

    monkeypatch.setenv("INFOSHARE_LOG_FORMAT", "xml")
    get_settings.cache_clear()
    result = invoke(runner, "messages")
    assert result.exit_code == 1
    assert "invalid configuration" in result.stderr
    assert "INFOSHARE_LOG_FORMAT" in result.stderr


def test_up_refuses_a_port_in_use(
    runner: CliRunner, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `up` exports its settings for the activities; let monkeypatch restore them. No port
    # but the one taken here is in use (not the defaults, which another stack may hold).
    for name in ("UI_PORT", "CODEC_PORT", "WEB_PORT"):
        monkeypatch.setenv(f"INFOSHARE_{name}", str(free_port()))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = invoke(runner, "up", "--home", str(home), "--port", str(port))
    assert result.exit_code == 1
    assert f"port {port} (Temporal frontend) on 127.0.0.1 is already in use" in result.stderr


def test_up_same_ports(runner: CliRunner, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("UI_PORT", "CODEC_PORT", "WEB_PORT"):
        monkeypatch.setenv(f"INFOSHARE_{name}", str(free_port()))
    port = free_port()
    result = invoke(runner, "up", "--port", str(port), "--ui-port", str(port))
    assert result.exit_code == 2
    assert "must differ" in result.stderr and f"Temporal UI {port}" in result.stderr


def test_dev_server_command(tmp_path: Path) -> None:
    from infoshare.runtime.devserver import DevServer, find_temporal_binary
    from workflows.search_attributes import SEARCH_ATTRIBUTES

    server = DevServer(
        home=tmp_path, port=7300, ui_port=8300, search_attributes=dict(SEARCH_ATTRIBUTES)
    )
    command = server.command()
    assert command[0] == str(find_temporal_binary())
    assert command[1:3] == ["server", "start-dev"]
    text = " ".join(command)
    assert f"--db-filename {tmp_path / 'temporal.db'}" in text
    assert "--sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal" in text
    assert "--ip 127.0.0.1 --port 7300 --ui-port 8300" in text
    for name, kind in SEARCH_ATTRIBUTES.items():
        assert f"--search-attribute {name}={kind}" in text
