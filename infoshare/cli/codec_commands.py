"""`infoshare codec-server` and `infoshare codec ...`: payload encryption keys and the
codec server the Temporal UI decodes through."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from infoshare.cli.errors import CliError, friendly
from infoshare.codec.keys import KeyConfigError

codec_app = typer.Typer(
    help="Payload encryption: keys, rotation, search-attribute pseudonyms.",
    no_args_is_help=True,
)


def serve_codec(settings_port: int | None = None) -> None:
    from infoshare.cli.common import load_settings, run_until_signalled
    from infoshare.codec.keys import load_keyring
    from infoshare.codec.server import create_app
    from infoshare.runtime.serving import PortUnavailable, bind, serve

    settings = load_settings()
    port = settings_port or settings.codec_port
    try:
        app = create_app(load_keyring(settings), settings)
    except KeyConfigError as err:
        raise CliError(f"cannot load the encryption keys: {err}") from None
    typer.echo(
        f"Codec server: http://0.0.0.0:{port} (origins: {settings.resolved_codec_cors_origins})"
    )

    try:
        sock = bind("0.0.0.0", port, "codec server", "choose another with --port")
    except PortUnavailable as err:
        raise CliError(str(err)) from None

    async def work(stop: asyncio.Event) -> None:
        await serve(app, sock, stop)

    run_until_signalled(work)


@codec_app.command("rotate")
@friendly
def rotate(
    key_id: Annotated[str | None, typer.Option(help="The new key's id (default: k<N+1>).")] = None,
) -> None:
    """Add a fresh key and make it the active one; older keys stay loaded to decrypt old
    histories. With INFOSHARE_CODEC_KEYS set, prints the new value to deploy instead."""
    from infoshare.cli.common import load_settings
    from infoshare.codec.keys import key_file, load_keyring, write_key_file

    settings = load_settings()
    try:
        rotated = load_keyring(settings).with_new_key(key_id)
    except KeyConfigError as err:
        raise CliError(str(err)) from None
    if settings.codec_keys.get_secret_value():
        typer.echo("Set these, then restart every worker, web form and codec server:")
        typer.echo(f"INFOSHARE_CODEC_KEYS={rotated.to_spec()}")
        typer.echo(f"INFOSHARE_CODEC_ACTIVE_KEY={rotated.active}")
        return
    write_key_file(key_file(settings), rotated)
    typer.echo(
        f"new active key {rotated.active} in {key_file(settings)}; restart `infoshare up` to use it"
    )


@codec_app.command("pseudonym")
@friendly
def pseudonym(email: Annotated[str, typer.Argument(help="A caseworker's email.")]) -> None:
    """The IspCaseworker value of proposals started by EMAIL (to filter on in the UI)."""
    from infoshare.cli.common import load_settings
    from infoshare.codec.pseudonym import caseworker_ref

    try:
        typer.echo(caseworker_ref(email, load_settings()))
    except KeyConfigError as err:
        raise CliError(str(err)) from None
