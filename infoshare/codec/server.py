"""The codec server the Temporal UI decodes payloads through (`--ui-codec-endpoint`).

Temporal's remote codec protocol: ``POST /encode`` and ``POST /decode`` with a JSON body
``{"payloads": [...]}`` (payloads in protobuf JSON), answered in the same shape. Browsers
may call it only from the allowed origins (the UI's); in production a bearer token is
required, so that reaching the port is not enough to read personal data.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from infoshare.codec.encryption import DecryptionError, EncryptionCodec
from infoshare.codec.keys import KeyRing
from infoshare.settings import Settings

MAX_BODY_BYTES = 8 * 1024 * 1024
# What the UI encodes is what a person typed (a message payload, an intake): far below
# this. Larger, an Update would reach the worker only to fail its workflow task (the
# SDK cannot send back a refusal that repeats a request over Temporal's 2 MB limit).
MAX_ENCODE_PAYLOAD_BYTES = 256 * 1024


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def create_app(keyring: KeyRing, settings: Settings) -> FastAPI:
    codec = EncryptionCodec(keyring)
    origins = settings.resolved_codec_cors_origins
    token = settings.codec_auth_token.get_secret_value()
    namespace = settings.temporal_namespace
    app = FastAPI(title="infoshare codec server", docs_url=None, redoc_url=None)

    @app.middleware("http")
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        origin = request.headers.get("origin")
        if origin is not None and origin.rstrip("/") not in origins:
            return _error(
                403, f"origin {origin} may not use this codec server; allowed: {', '.join(origins)}"
            )
        if request.method == "POST" and token:
            given = request.headers.get("authorization", "")
            scheme, _, credential = given.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                credential.strip().encode(), token.encode()
            ):
                return _error(401, "a valid 'Authorization: Bearer <token>' header is required")
        return await call_next(request)

    # Added after `guard`, so it runs first: preflight requests are answered here.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["POST", "OPTIONS"],
        allow_headers=["content-type", "x-namespace", "authorization"],
        allow_credentials=True,
    )

    async def payloads_of(request: Request) -> Payloads | JSONResponse:
        asked = request.headers.get("x-namespace")
        if asked is not None and asked != namespace:
            return _error(403, f"this codec server serves namespace {namespace!r}, not {asked!r}")
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return _error(413, f"the body is {len(body)} bytes; the limit is {MAX_BODY_BYTES}")
        try:
            return json_format.Parse(body or b"{}", Payloads())
        except json_format.ParseError as err:
            return _error(400, f'the body must be {{"payloads": [...]}} in protobuf JSON: {err}')

    def answer(payloads: Payloads) -> Response:
        return Response(json_format.MessageToJson(payloads), media_type="application/json")

    @app.post("/encode")
    async def encode(request: Request) -> Response:
        parsed = await payloads_of(request)
        if isinstance(parsed, JSONResponse):
            return parsed
        for i, payload in enumerate(parsed.payloads):
            if len(payload.data) > MAX_ENCODE_PAYLOAD_BYTES:
                return _error(
                    413,
                    f"payload {i} is {len(payload.data)} bytes; the limit is "
                    f"{MAX_ENCODE_PAYLOAD_BYTES} (a message payload is at most 64 KiB)",
                )
        return answer(Payloads(payloads=await codec.encode(parsed.payloads)))

    @app.post("/decode")
    async def decode(request: Request) -> Response:
        parsed = await payloads_of(request)
        if isinstance(parsed, JSONResponse):
            return parsed
        try:
            return answer(Payloads(payloads=await codec.decode(parsed.payloads)))
        except DecryptionError as err:
            return _error(422, str(err))

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
