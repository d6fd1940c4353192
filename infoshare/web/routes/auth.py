"""Signing in and out (the embedded sign-in; behind single sign-on the proxy does it)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from infoshare.web.identity import (
    check_csrf,
    lookup,
    optional_user,
    safe_next,
    settings_of,
    sign_in,
)
from infoshare.web.rendering import render
from infoshare.web.routes.common import form_of

router = APIRouter(include_in_schema=False)


def _people() -> list[tuple[str, str]]:
    """(email, what the list shows) for everyone in the directory."""
    from infoshare.database.people import list_people
    from infoshare.database.session import session_scope

    with session_scope() as session:
        people = list_people(session)
    return [
        (p.email, f"{p.name or p.email} \u2014 {', '.join(r.replace('_', ' ') for r in p.roles)}"
         + (f" ({p.organisation})" if p.organisation != "PHSO" else ""))
        for p in people
    ]  # fmt: skip


def _no_embedded_sign_in(request: Request) -> None:
    settings = settings_of(request)
    if settings.web_user_header:
        raise HTTPException(
            404,
            "you are signed in by your organisation's single sign-on, not here",
        )


@router.get("/")
async def home() -> Response:
    return RedirectResponse("/proposals/mine", status_code=303)


@router.get("/signin")
async def sign_in_page(request: Request, next: str = "/") -> Response:
    _no_embedded_sign_in(request)
    people = await run_in_threadpool(_people)
    user = await optional_user(request)
    return render(
        request, "signin.html", user=user, people=people, next=safe_next(next), error=None
    )


@router.post("/signin")
async def sign_in_submit(request: Request) -> Response:
    _no_embedded_sign_in(request)
    form = await form_of(request)
    check_csrf(request, form)
    email = form.get("email")
    next_path = safe_next(str(form.get("next") or "/"))
    found = await run_in_threadpool(lookup, email) if isinstance(email, str) and email else None
    if found is None:
        people = await run_in_threadpool(_people)
        error = (
            "Choose who you are from the list"
            if not email
            else (f"{email} is not in the people directory: choose someone from the list")
        )
        return render(
            request, "signin.html", status_code=422, people=people, next=next_path, error=error
        )
    sign_in(request, found)
    return RedirectResponse(next_path, status_code=303)


@router.post("/signout")
async def sign_out(request: Request) -> Response:
    form = await form_of(request)
    check_csrf(request, form)
    request.session.clear()
    target = "/register" if settings_of(request).web_user_header else "/signin"
    return RedirectResponse(target, status_code=303)
