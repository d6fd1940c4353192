"""Rendering pages and errors: HTML for people, JSON under /api."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from infoshare.web.identity import CSRF_FIELD, User, csrf_token, settings_of
from states.machine import TERMINAL
from workflows.details import STATE_IN_WORDS

TEMPLATES_DIR = Path(__file__).parent / "templates"


def _when(value: Any) -> str:
    """An ISO date-time as people read it (UTC)."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return moment.strftime("%-d %b %Y, %H:%M") + (" UTC" if moment.tzinfo else "")


def _day(value: Any) -> str:
    if not value:
        return ""
    try:
        return datetime.fromisoformat(str(value)).strftime("%-d %B %Y")
    except ValueError:
        return str(value)


def _words(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).replace("_", " ")


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.filters["when"] = _when
    env.filters["day"] = _day
    env.filters["words"] = _words
    env.globals["STATE_IN_WORDS"] = STATE_IN_WORDS
    env.globals["TERMINAL"] = TERMINAL
    env.globals["CSRF_FIELD"] = CSRF_FIELD
    return templates


def render(
    request: Request,
    template: str,
    *,
    user: User | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    settings = settings_of(request)
    templates: Jinja2Templates = request.app.state.templates
    base = {
        "user": user,
        "csrf_token": csrf_token(request),
        "sso": bool(settings.web_user_header),
        "helphub_email": settings.helphub_email,
        "path": request.url.path,
    }
    return templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or (
        "application/json" in request.headers.get("accept", "")
        and "text/html" not in request.headers.get("accept", "")
    )


def error_response(
    request: Request, status_code: int, message: str, details: list[str] | None = None
) -> Response:
    """The error as JSON {"detail": ...} for the API, as a page for a browser."""
    if wants_json(request):
        body: dict[str, Any] = {"detail": message}
        if details:
            body["errors"] = details
        return JSONResponse(body, status_code=status_code)
    titles = {
        400: "Something in the request is not right",
        401: "Sign in first",
        403: "Not allowed",
        404: "Page not found",
        405: "Not allowed here",
        415: "The form was not sent as a form",
        422: "Something in the request is not right",
        503: "Temporarily unavailable",
    }
    title = titles.get(status_code, "Something went wrong")
    try:
        return render(
            request,
            "error.html",
            status_code=status_code,
            title=title,
            message=message,
            details=details or [],
        )
    except Exception:  # the error page itself must never fail
        return HTMLResponse(f"<h1>{title}</h1>", status_code=status_code)
