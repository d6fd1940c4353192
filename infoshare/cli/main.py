"""`infoshare`: run the stack, manage the people directory, and move proposals along.

stdout carries only what a script captures (a workflow id, a status document, a table);
messages, logs and errors go to stderr. Bad input exits non-zero with a clear message.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from pydantic import ValidationError

from infoshare.cli.audit import audit_app
from infoshare.cli.bench import bench
from infoshare.cli.codec_commands import codec_app, serve_codec
from infoshare.cli.common import (
    database_session,
    load_settings,
    override_settings,
    print_json,
    read_json_object,
    run_until_signalled,
    safe_url,
    with_client,
)
from infoshare.cli.errors import CliError, friendly, validation_lines
from infoshare.runtime.logging import configure_logging
from infoshare.runtime.temporal import unreachable

if TYPE_CHECKING:
    from temporalio.client import Client

T = TypeVar("T")


class InfoshareApp(typer.Typer):
    """The Typer app; as a program it ends with `os._exit` after flushing its output.

    The Temporal client's Rust threads can abort the interpreter while it finalizes
    ("PyGILState_Release: thread state ... must be current", temporalio/sdk-python#300);
    there is nothing left to clean up by then, so the process skips finalization.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            super().__call__(*args, **kwargs)
            code: int = 0
        except SystemExit as exit_:
            if exit_.code is None or isinstance(exit_.code, int):
                code = exit_.code or 0
            else:
                sys.stderr.write(f"{exit_.code}\n")
                code = 1
        import logging

        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            with suppress(OSError, ValueError):
                stream.flush()
        os._exit(code)


app = InfoshareApp(
    name="infoshare",
    help="The PHSO information sharing protocol, run as durable Temporal workflows.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The database schema (Alembic migrations).", no_args_is_help=True)
people_app = typer.Typer(
    help="The people directory: who may act in which role.", no_args_is_help=True
)
outbox_app = typer.Typer(
    help="The notifications outbox: the emails queued for people, and which are sent.",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")
app.add_typer(people_app, name="people")
app.add_typer(codec_app, name="codec")
app.add_typer(audit_app, name="audit")
app.command(name="bench")(bench)
app.add_typer(outbox_app, name="outbox")

# Exit codes besides 0: 1 refused / invalid / failed, 2 usage or no such proposal.
EXIT_USAGE = 2
EXIT_NOT_FOUND = 2


# ----- shared helpers ---------------------------------------------------------------------


# ----- the commands -----------------------------------------------------------------------


@app.callback()
@friendly
def main(
    log_format: Annotated[
        str | None,
        typer.Option(help="console or json (default: INFOSHARE_LOG_FORMAT, else console)."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logs.")] = False,
) -> None:
    """The PHSO information sharing protocol, run as durable Temporal workflows."""
    import logging

    if log_format is not None and log_format not in ("console", "json"):
        raise CliError(f"--log-format must be console or json, not {log_format!r}", EXIT_USAGE)
    settings = load_settings()
    configure_logging(log_format or settings.log_format, logging.DEBUG if verbose else logging.INFO)


@app.command()
@friendly
def up(
    home: Annotated[
        Path | None,
        typer.Option(
            help="Where the durable files live (default: INFOSHARE_HOME, .infoshare).",
            file_okay=False,
        ),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            help="Temporal frontend (gRPC) port (default: the port of "
            "INFOSHARE_TEMPORAL_ADDRESS, 7233).",
            min=1,
            max=65535,
        ),
    ] = None,
    ui_port: Annotated[
        int | None,
        typer.Option(help="Temporal UI port (default: INFOSHARE_UI_PORT, 8233).", min=1, max=65535),
    ] = None,
    web_port: Annotated[
        int | None,
        typer.Option(help="Web form port (default: INFOSHARE_WEB_PORT, 8000).", min=1, max=65535),
    ] = None,
) -> None:
    """Run everything on this machine: Temporal dev server (durable SQLite file), worker,
    and the caseworkers' web form.

    Stops cleanly on Ctrl-C or SIGTERM; a restart on the same home keeps every proposal.
    """
    from infoshare.cli.up import preflight, run_stack, service_ports
    from infoshare.database.migrate import upgrade

    settings = load_settings()
    if port is None:
        _, _, tail = settings.temporal_address.rpartition(":")
        port = int(tail) if tail.isdigit() else 7233
    if ui_port is None:
        ui_port = settings.ui_port
    overrides = {
        "temporal_address": f"127.0.0.1:{port}",
        "ui_port": str(ui_port),
    }
    if home is not None:
        overrides["home"] = str(home.expanduser().resolve())
    if web_port is not None:
        overrides["web_port"] = str(web_port)
    settings = override_settings(**overrides)
    try:
        settings.home.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise CliError(f"cannot create the home directory {settings.home}: {err}") from None
    preflight(settings.home.resolve(), port, ui_port, service_ports(settings))

    url = settings.resolved_database_url
    try:
        upgrade(url)
    except Exception as err:
        raise CliError(f"cannot migrate the database {safe_url(url)}: {err}") from None

    asyncio.run(run_stack(settings, port, ui_port))


@app.command()
@friendly
def web(
    host: Annotated[
        str | None, typer.Option(help="Interface to listen on (default: INFOSHARE_WEB_HOST).")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(help="Port (default: INFOSHARE_WEB_PORT, 8000).", min=1, max=65535),
    ] = None,
) -> None:
    """Run the caseworkers' web form alone, against INFOSHARE_TEMPORAL_ADDRESS and
    INFOSHARE_DATABASE_URL; prints its URL. Stops on Ctrl-C or SIGTERM."""
    from infoshare.web.server import PortUnavailable, bind, serve

    settings = load_settings()
    overrides = {}
    if host is not None:
        overrides["web_host"] = host
    if port is not None:
        overrides["web_port"] = str(port)
    if overrides:
        settings = override_settings(**overrides)
    try:
        sock = bind(settings.web_host, settings.web_port)
    except PortUnavailable as err:
        raise CliError(str(err)) from None
    typer.echo(f"Web form: {settings.resolved_web_base_url}")

    async def work(stop: asyncio.Event) -> None:
        await serve(settings, stop, sock=sock)

    run_until_signalled(work)


@app.command()
@friendly
def worker() -> None:
    """Run the worker alone, against INFOSHARE_TEMPORAL_ADDRESS (a real deployment).

    Also serves /healthz and /readyz (INFOSHARE_HEALTH_PORT), Prometheus metrics
    (INFOSHARE_METRICS_PORT) and tracing (INFOSHARE_OTEL_ENABLED).
    """
    from infoshare.observability.health import EndpointError
    from infoshare.observability.tracing import TracingUnavailable
    from worker import serve_worker

    settings = load_settings()

    async def work(stop: asyncio.Event) -> None:
        try:
            await serve_worker(settings, stop)
        except TracingUnavailable as err:
            raise CliError(str(err)) from None
        except EndpointError as err:
            raise CliError(
                f"{err} (INFOSHARE_HEALTH_PORT and INFOSHARE_METRICS_PORT choose the ports, "
                "0 switches one off)"
            ) from None
        except RuntimeError as err:
            if "connect" not in str(err).lower():
                raise
            raise CliError(unreachable(settings, err)) from None

    run_until_signalled(work)


@app.command()
@friendly
def config(
    markdown: Annotated[
        bool,
        typer.Option(
            "--markdown", help="The table of every setting (docs/operators/configuration.md)."
        ),
    ] = False,
) -> None:
    """The configuration this process sees (INFOSHARE_* variables), secrets hidden."""
    from infoshare.cli.config import effective_lines, settings_table

    typer.echo(settings_table() if markdown else "\n".join(effective_lines(load_settings())))


def _migrate(direction: str, revision: str) -> None:
    from alembic.util import CommandError

    from infoshare.database import migrate

    url = load_settings().resolved_database_url
    try:
        getattr(migrate, direction)(url, revision)
    except CommandError as err:
        raise CliError(f"cannot {direction} {safe_url(url)} to {revision}: {err}") from None
    typer.echo(f"database {safe_url(url)} {direction}d to {revision}", err=True)


@db_app.command("upgrade")
@friendly
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Migrate the database (INFOSHARE_DATABASE_URL, else a SQLite file in the home) up."""
    _migrate("upgrade", revision)


@db_app.command("downgrade")
@friendly
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision (`base`: drop everything).")],
) -> None:
    """Migrate the database down to REVISION."""
    _migrate("downgrade", revision)


@people_app.command("add")
@friendly
def people_add(
    email: Annotated[str, typer.Argument(help="Their email address (what `actor` names).")],
    role: Annotated[
        list[str],
        typer.Option("--role", "-r", help="A role; repeat for several. Replaces their roles."),
    ],
    name: Annotated[str, typer.Option(help="Their name (empty: keep the one on file).")] = "",
    organisation: Annotated[
        str, typer.Option(help="Their organisation: the party a signatory signs for.")
    ] = "PHSO",
) -> None:
    """Add someone to the people directory, or set their roles."""
    from infoshare.database.people import add_person

    settings = load_settings()
    with database_session(settings) as session:
        try:
            person = add_person(session, email, role, name=name, organisation=organisation)
        except ValueError as err:
            raise CliError(str(err)) from None
    typer.echo(f"{person.email}: {', '.join(person.roles)} ({person.organisation})", err=True)


@people_app.command("list")
@friendly
def people_list(
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
) -> None:
    """Everyone in the people directory."""
    from infoshare.database.people import list_people

    settings = load_settings()
    with database_session(settings) as session:
        people = list_people(session)
    if as_json:
        print_json([p.model_dump(mode="json") for p in people])
        return
    rows = [("EMAIL", "NAME", "ORGANISATION", "ROLES")]
    rows += [(p.email, p.name, p.organisation, ",".join(p.roles)) for p in people]
    _print_table(rows)


def _print_table(rows: Sequence[Sequence[str]]) -> None:
    """Columns padded to their widest cell; the last column is not padded."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(w) for cell, w in zip(row, widths, strict=False)]
        typer.echo("  ".join([*cells, row[-1]]).rstrip())


@outbox_app.command("list")
@friendly
def outbox_list(
    unsent: Annotated[bool, typer.Option("--unsent", help="Only what is not sent yet.")] = False,
    proposal: Annotated[str | None, typer.Option(help="Only this proposal's emails.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON (with the text) instead.")] = False,
) -> None:
    """The emails queued for people, oldest first, and when each was sent."""
    from infoshare.database.outbox import outbox

    settings = load_settings()
    with database_session(settings) as session:
        rows = outbox(session, unsent_only=unsent, proposal_id=proposal)
    if as_json:
        print_json(
            [
                {
                    "id": r.id,
                    "proposal_id": r.proposal_id,
                    "key": r.key,
                    "kind": r.kind,
                    "recipient": r.recipient,
                    "role": r.role,
                    "subject": r.subject,
                    "created_at": r.created_at.isoformat(),
                    "sent_at": r.sent_at.isoformat() if r.sent_at else None,
                    "message": r.message,
                }
                for r in rows
            ]
        )
        return

    def when(value: Any) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value else "-"

    table = [("ID", "QUEUED", "SENT", "KIND", "PROPOSAL", "RECIPIENT", "SUBJECT")]
    table += [
        (str(r.id), when(r.created_at), when(r.sent_at), r.kind, r.proposal_id, r.recipient,
         r.subject)
        for r in rows
    ]  # fmt: skip
    _print_table(table)


@outbox_app.command("send")
@friendly
def outbox_send(
    proposal: Annotated[str | None, typer.Option(help="Only this proposal's emails.")] = None,
) -> None:
    """Send every email not sent yet (e.g. after the SMTP server was down), each once.

    Exits 1 if the server cannot be reached or refuses a recipient.
    """
    from activities.mail import MailError, send_outbox

    settings = load_settings()
    if not settings.smtp_host:
        raise CliError(
            "no SMTP server is configured: set INFOSHARE_SMTP_HOST (and INFOSHARE_SMTP_PORT)"
        )
    try:
        # database_session: a clear error if the database is not set up
        with database_session(settings):
            result = send_outbox(settings, proposal_id=proposal)
    except MailError as err:
        raise CliError(f"{err} (what was sent before is marked sent)") from None
    typer.echo(f"sent {len(result.sent)} email(s)", err=True)
    for row_id, answer in sorted(result.refused.items()):
        typer.echo(f"notification {row_id}: recipient refused: {answer}", err=True)
    if result.refused:
        raise typer.Exit(1)


@app.command()
@friendly
def propose(
    intake_file: Annotated[
        str, typer.Argument(metavar="INTAKE.json", help="The intake (JSON); `-` reads stdin.")
    ],
) -> None:
    """Start a proposal from an intake; prints its workflow id."""
    from infoshare.database.people import get_person
    from states.intake import Intake
    from workflows.starter import start_proposal

    data = read_json_object(intake_file, "intake")
    try:
        intake = Intake.model_validate(data)
    except ValidationError as err:
        raise CliError(
            f"{intake_file} is not a valid intake:\n  " + "\n  ".join(validation_lines(err))
        ) from None

    settings = load_settings()
    caseworker = str(intake.caseworker)
    with database_session(settings) as session:
        person = get_person(session, caseworker)
    if person is None:
        raise CliError(
            f"the caseworker {caseworker} is not in the people directory: add them with "
            f"`infoshare people add {caseworker} --role caseworker`"
        )
    if "caseworker" not in person.roles:
        raise CliError(
            f"{caseworker} does not have the caseworker role (roles: "
            f"{', '.join(person.roles) or 'none'}): `infoshare people add {caseworker} "
            f"--role caseworker{''.join(' --role ' + r for r in person.roles)}`"
        )

    async def start(client: Client) -> str:
        return await start_proposal(client, intake, settings)

    typer.echo(with_client(settings, start))


@app.command()
@friendly
def decide(
    workflow_id: Annotated[str, typer.Argument(help="The proposal's workflow id (isp-...).")],
    message: Annotated[str, typer.Argument(help="The message (see `infoshare messages`).")],
    payload_file: Annotated[
        str,
        typer.Argument(metavar="PAYLOAD.json", help="The payload (JSON with `actor`); `-`: stdin."),
    ],
) -> None:
    """Send MESSAGE to a proposal (as an Update); prints the new status.

    A refusal is printed on stderr and exits 1; an unknown proposal exits 2.
    """
    from states.messages import MESSAGES
    from workflows.starter import NotFound, Refused, send_decision

    spec = MESSAGES.get(message)
    if spec is None:
        raise CliError(
            f"unknown message {message!r}; the messages are: {', '.join(MESSAGES)} "
            "(`infoshare messages` describes them)",
            EXIT_USAGE,
        )
    payload = read_json_object(payload_file, f"{message} payload")
    try:
        spec.payload.model_validate(payload)
    except ValidationError as err:
        raise CliError(
            f"the {message} payload is not valid:\n  "
            + "\n  ".join(validation_lines(err))
            + f"\n(example: `infoshare messages {message}`)"
        ) from None

    settings = load_settings()

    async def send(client: Client) -> dict[str, Any]:
        return await send_decision(client, workflow_id, message, payload)

    try:
        status = with_client(settings, send)
    except Refused as err:
        typer.echo(f"refused: {err}", err=True)
        raise typer.Exit(1) from None
    except NotFound as err:
        raise CliError(str(err), EXIT_NOT_FOUND) from None
    print_json(status)


def _field(document: Any, path: str) -> Any:
    value = document
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise CliError(f"the status has no {path!r} (yet)")
    return value


@app.command()
@friendly
def status(
    workflow_id: Annotated[str, typer.Argument(help="The proposal's workflow id (isp-...).")],
    field: Annotated[
        str | None,
        typer.Option(help="Print just this field, e.g. `state` or `agreement.sha256`."),
    ] = None,
    timeline: Annotated[
        bool, typer.Option("--timeline", help="Print the timeline (every event) instead.")
    ] = False,
) -> None:
    """The proposal's status (the `status` query) as JSON."""
    from workflows.starter import NotFound, get_status, get_timeline

    settings = load_settings()

    async def query(client: Client) -> Any:
        if timeline:
            try:
                return await get_timeline(client, workflow_id)
            except Exception as err:
                # get_timeline does not translate "not found"; get_status does.
                await get_status(client, workflow_id)
                raise err
        return await get_status(client, workflow_id)

    try:
        result = with_client(settings, query)
    except NotFound as err:
        raise CliError(str(err), EXIT_NOT_FOUND) from None
    if field is not None:
        value = _field(result, field)
        if value is None:
            raise CliError(f"the status has no {field!r} (yet)")
        typer.echo(value if isinstance(value, str) else json.dumps(value, default=str))
        return
    print_json(result)


@app.command()
@friendly
def messages(
    name: Annotated[str | None, typer.Argument(help="Just this message.")] = None,
    example: Annotated[
        bool,
        typer.Option("--example", help="Print only the example payload of NAME (a PAYLOAD.json)."),
    ] = False,
    actor: Annotated[
        str | None, typer.Option(help="The `actor` to put in the example payloads.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of text.")] = False,
    table: Annotated[
        bool,
        typer.Option(
            "--table",
            help="Who may send which message in which state (the table of docs/approvers.md).",
        ),
    ] = False,
) -> None:
    """The messages approvers send: who sends each, what it does, an example payload."""
    from states.messages import MESSAGES, example_payload

    if table:
        from states.authorisation import markdown_table

        typer.echo(markdown_table(), nl=False)
        return
    if name is not None and name not in MESSAGES:
        raise CliError(
            f"unknown message {name!r}; the messages are: {', '.join(MESSAGES)}", EXIT_USAGE
        )
    if example:
        if name is None:
            raise CliError("--example needs a message NAME", EXIT_USAGE)
        print_json(example_payload(name, actor))
        return
    names = [name] if name else list(MESSAGES)
    described = [
        {
            "message": n,
            "roles": [r.value for r in MESSAGES[n].roles],
            "description": MESSAGES[n].description,
            "clauses": list(MESSAGES[n].clauses),
            "example": example_payload(n, actor),
        }
        for n in names
    ]
    if as_json:
        print_json(described if name is None else described[0])
        return
    for i, entry in enumerate(described):
        if i:
            typer.echo("")
        typer.echo(f"{entry['message']}  (role: {' or '.join(entry['roles'])})")
        typer.echo(f"  {entry['description']}")
        typer.echo(f"  clauses: {', '.join(entry['clauses'])}")
        body = json.dumps(entry["example"], indent=2 if name else None, ensure_ascii=False)
        typer.echo("  example: " + body.replace("\n", "\n  "))


@app.command("codec-server")
@friendly
def codec_server(
    port: Annotated[
        int | None, typer.Option(help="Port (default: INFOSHARE_CODEC_PORT, 8090).", min=1)
    ] = None,
) -> None:
    """Serve the codec server alone: the Temporal UI decodes payloads through it."""
    serve_codec(port)


if __name__ == "__main__":  # pragma: no cover
    app()
