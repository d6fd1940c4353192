"""The FastAPI application: pages, the JSON API, and how every error is shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from temporalio.client import Client

from infoshare.settings import Settings, get_settings
from infoshare.web.identity import SignInRequired
from infoshare.web.metrics import MetricsMiddleware, WebMetrics, metrics_endpoint
from infoshare.web.proposals import (
    BadPageToken,
    Temporal,
    TemporalUnavailable,
    UnknownProposal,
    readiness_problems,
)
from infoshare.web.register import NotInRegister
from infoshare.web.rendering import error_response, make_templates
from infoshare.web.secret import secret_key

log = structlog.get_logger()

STATIC_DIR = Path(__file__).parent / "static"
SESSION_COOKIE = "infoshare_session"
SESSION_MAX_AGE = 12 * 60 * 60  # a working day; then sign in again


def _location(loc: tuple[Any, ...]) -> str:
    where, *rest = loc if loc else ("request",)
    name = ".".join(str(p) for p in rest) or str(where)
    return f"{name} ({where})" if where in ("query", "path", "header", "cookie") else name


def create_app(settings: Settings | None = None, client: Client | None = None) -> FastAPI:
    """The web application on `settings` (default: the environment's); `client` is a
    Temporal client to use instead of connecting to `settings.temporal_address`."""
    from infoshare.web.routes import api, auth, proposals, register

    settings = settings or get_settings()
    app = FastAPI(
        title="infoshare",
        summary="The caseworkers' web form of the PHSO information sharing protocol.",
        version="0.1.0",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    key = secret_key(settings)
    app.state.settings = settings
    app.state.temporal = Temporal(settings, f"pages:{key}".encode(), client)
    app.state.templates = make_templates()
    app.add_middleware(
        SessionMiddleware,
        secret_key=key,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=settings.resolved_web_base_url.startswith("https://"),
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # Outermost, so it times the whole answer (sessions and error pages included).
    app.state.metrics = WebMetrics()
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.add_api_route("/metrics", metrics_endpoint, include_in_schema=False)
    for router in (auth.router, proposals.router, register.router, api.router):
        app.include_router(router)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> Response:
        """Ready: Temporal and the database answer (the orchestrator routes traffic)."""
        problems = await readiness_problems(request.app.state.temporal)
        if problems:
            return JSONResponse({"status": "not ready", "problems": problems}, status_code=503)
        return JSONResponse({"status": "ready"})

    @app.exception_handler(SignInRequired)
    async def sign_in_first(request: Request, exc: SignInRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return error_response(request, 401, "sign in first: /signin")
        return RedirectResponse(f"/signin?next={exc.next_path}", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"there is no page at {request.url.path}"
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        response = error_response(request, exc.status_code, message)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        details = [
            f"{_location(tuple(e['loc']))}: {str(e['msg']).removeprefix('Value error, ')}"
            for e in exc.errors()
        ]
        return error_response(request, 422, "the request is not valid", details)

    @app.exception_handler(UnknownProposal)
    async def unknown_proposal(request: Request, exc: UnknownProposal) -> Response:
        return error_response(request, 404, str(exc))

    @app.exception_handler(NotInRegister)
    async def not_in_register(request: Request, exc: NotInRegister) -> Response:
        return error_response(request, 404, str(exc))

    @app.exception_handler(BadPageToken)
    async def bad_page(request: Request, exc: BadPageToken) -> Response:
        return error_response(request, 400, str(exc))

    @app.exception_handler(TemporalUnavailable)
    async def temporal_down(request: Request, exc: TemporalUnavailable) -> Response:
        log.warning("temporal unavailable", path=request.url.path, error=str(exc))
        return error_response(request, 503, f"{exc}. Try again in a moment.")

    @app.exception_handler(SQLAlchemyError)
    async def database_down(request: Request, exc: SQLAlchemyError) -> Response:
        log.warning("database error", path=request.url.path, error=type(exc).__name__)
        return error_response(
            request,
            503,
            "the database cannot be read: is it set up (`infoshare db upgrade`) and "
            "reachable? Try again in a moment.",
        )

    return app


def factory() -> FastAPI:
    """For `uvicorn --factory web.app:factory`."""
    return create_app()
