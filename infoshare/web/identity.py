"""Who is signed in, and the CSRF token of their session.

Behind the organisation's single sign-on proxy (`web_user_header` set), the proxy's header
names the person and nothing else is trusted. Otherwise (the embedded stack) a person picks
themselves from the people directory on the sign-in page; their email is kept in the
signed session cookie.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from infoshare.settings import Settings

SESSION_USER = "user"
SESSION_CSRF = "csrf"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class User:
    """The signed-in person; `known` is False when the directory does not list them."""

    email: str
    name: str = ""
    roles: tuple[str, ...] = ()
    organisation: str = "PHSO"
    known: bool = True

    @property
    def display(self) -> str:
        return f"{self.name} ({self.email})" if self.name else self.email


class SignInRequired(Exception):
    """No one is signed in: the page sends the browser to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def lookup(email: str) -> User | None:
    """The directory's entry for `email` as a User, or None."""
    from infoshare.database.people import get_person
    from infoshare.database.session import session_scope

    with session_scope() as session:
        person = get_person(session, email)
    if person is None:
        return None
    return User(person.email, person.name, tuple(person.roles), person.organisation)


def safe_next(path: str | None) -> str:
    """A local path to go back to after signing in (never another site)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


async def optional_user(request: Request) -> User | None:
    """The signed-in person, or None."""
    settings = settings_of(request)
    if settings.web_user_header:
        raw = request.headers.get(settings.web_user_header, "").strip()
        if not raw:
            return None
        from infoshare.database.people import normalise_email

        try:
            email = normalise_email(raw)
        except ValueError:
            raise HTTPException(
                401,
                f"the sign-on header {settings.web_user_header} does not hold an email "
                "address; ask the administrator of the sign-on proxy",
            ) from None
        found = await run_in_threadpool(lookup, email)
        return found or User(email, known=False)
    remembered = request.session.get(SESSION_USER)
    if not isinstance(remembered, str):
        return None
    found = await run_in_threadpool(lookup, remembered)
    if found is None:  # removed from the directory since signing in
        request.session.pop(SESSION_USER, None)
    return found


async def current_user(request: Request) -> User:
    """The signed-in person; otherwise a sign-in redirect (or 401 behind the proxy)."""
    user = await optional_user(request)
    if user is not None:
        return user
    settings = settings_of(request)
    if settings.web_user_header:
        raise HTTPException(
            401,
            f"the single sign-on proxy did not say who you are (no {settings.web_user_header} "
            "header): sign in through your organisation's sign-on page",
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    raise SignInRequired(quote(target, safe="/?=&"))


def csrf_token(request: Request) -> str:
    """This session's CSRF token, created on first use."""
    token = request.session.get(SESSION_CSRF)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return token


def check_csrf(request: Request, form: FormData) -> None:
    """403 unless the form carries this session's CSRF token."""
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not sent:
        raise HTTPException(
            403,
            "the form is missing its security token (CSRF): reload the page and submit it again",
        )
    expected = request.session.get(SESSION_CSRF)
    if not isinstance(expected, str) or not hmac.compare_digest(sent, expected):
        raise HTTPException(
            403,
            "the form's security token (CSRF) does not match your session, which may have "
            "expired: reload the page and submit it again",
        )


def sign_in(request: Request, user: User) -> None:
    # A fresh CSRF token with each sign-in: a token seen before cannot be replayed.
    request.session.clear()
    request.session[SESSION_USER] = user.email
    csrf_token(request)
