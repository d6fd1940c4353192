"""Proposals: the intake form, the lists, and a proposal's own page."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlencode

import structlog
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from infoshare.web import intake_form, lifecycle
from infoshare.web.identity import User, check_csrf, current_user, settings_of
from infoshare.web.proposals import Filters, list_proposals, proposal_status, start
from infoshare.web.rendering import render
from infoshare.web.routes.common import form_of, temporal_of
from states.machine import STATES, TERMINAL
from states.messages import MESSAGES, Role

log = structlog.get_logger()
router = APIRouter(include_in_schema=False)

CurrentUser = Annotated[User, Depends(current_user)]
PAGE_SIZE = 20
_REMOVE = re.compile(r"^remove-(\d{1,3})$")


# ----- the intake form --------------------------------------------------------------------


def _form_page(
    request: Request,
    user: User,
    answers: intake_form.Answers,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    focus: str | None = None,
) -> Response:
    errors = errors or {}
    return render(
        request,
        "new.html",
        user=user,
        status_code=status_code,
        answers=answers,
        errors=errors,
        summary=[
            (intake_form.anchor(field), message)
            for field, message in intake_form.ordered_errors(errors)
        ],
        questions=intake_form.QUESTIONS,
        yes_no=intake_form.YES_NO_FIELDS,
        max_recipients=intake_form.MAX_RECIPIENTS,
        focus=focus,
    )


def _cannot_propose(user: User) -> str | None:
    if not user.known:
        return (
            f"You ({user.email}) are not in the people directory, so you cannot propose "
            f"sharing yet: ask an administrator to run `infoshare people add {user.email} "
            "--role caseworker`."
        )
    if "caseworker" not in user.roles:
        return (
            f"You ({user.email}) do not have the caseworker role (your roles: "
            f"{', '.join(user.roles) or 'none'}), so you cannot propose sharing: ask an "
            "administrator to add it."
        )
    return None


@router.get("/proposals/new")
async def new_proposal(request: Request, user: CurrentUser) -> Response:
    return _form_page(request, user, intake_form.Answers())


@router.post("/proposals/new")
async def submit_proposal(request: Request, user: CurrentUser) -> Response:
    form = await form_of(request)
    check_csrf(request, form)
    answers = intake_form.read_answers(form)
    action = form.get("action")
    action = action if isinstance(action, str) else "submit"

    if action == "add-recipient":
        if len(answers.recipients) >= intake_form.MAX_RECIPIENTS:
            errors = {"recipients": f"At most {intake_form.MAX_RECIPIENTS} organisations"}
            return _form_page(request, user, answers, errors=errors, status_code=422)
        answers.recipients.append(intake_form.blank_recipient())
        focus = f"recipients-{len(answers.recipients) - 1}-name"
        return _form_page(request, user, answers, focus=focus)
    removed = _REMOVE.match(action)
    if removed:
        index = int(removed[1])
        if index < len(answers.recipients):
            del answers.recipients[index]
        answers.recipients = answers.recipients or [intake_form.blank_recipient()]
        return _form_page(request, user, answers, focus="add-recipient")
    if action != "submit":
        raise HTTPException(400, f"unknown form action {action[:40]!r}")

    outcome = intake_form.validate(answers, user.email)
    refusal = _cannot_propose(user)
    if refusal:
        outcome.errors["form"] = refusal
    if outcome.intake is None or outcome.errors:
        return _form_page(request, user, answers, errors=outcome.errors, status_code=422)

    workflow_id = await start(temporal_of(request), outcome.intake)
    log.info("proposal started from the web form", workflow_id=workflow_id)
    return RedirectResponse(f"/proposals/{workflow_id}?started=1", status_code=303)


# ----- the lists --------------------------------------------------------------------------


def parse_filters(
    state: str | None, awaiting: str | None, partner: str | None, caseworker: str | None
) -> Filters:
    problems = []
    if state and state not in STATES:
        problems.append(f"state: {state[:40]!r} is not a state; one of {', '.join(STATES)}")
    roles = [r.value for r in Role]
    if awaiting and awaiting not in roles:
        problems.append(f"awaiting: {awaiting[:40]!r} is not a role; one of {', '.join(roles)}")
    for name, value in (("partner", partner), ("caseworker", caseworker)):
        if value and any(ord(c) < 32 for c in value):
            problems.append(f"{name}: control characters are not allowed")
    if partner and '"' in partner:
        # Temporal's SQLite visibility store matches keyword lists with full-text search,
        # whose syntax a double quote breaks (the server fails instead of finding nothing).
        problems.append(
            'partner: a name with a double quote (") cannot be searched for; '
            "filter by state or caseworker instead"
        )
    if problems:
        raise HTTPException(422, "; ".join(problems))
    return Filters(
        state=state or None,
        awaiting=awaiting or None,
        partner=(partner or "").strip() or None,
        caseworker=(caseworker or "").strip().lower() or None,
    )


class ListQuery(BaseModel):
    """The query parameters of the lists (pages and API)."""

    # The schema documents what parse_filters accepts (empty: no filter); parse_filters
    # keeps the checking, with its specific messages.
    state: str | None = Field(
        None,
        max_length=40,
        description="A state (IspState).",
        json_schema_extra={"enum": ["", *STATES]},
    )
    awaiting: str | None = Field(
        None,
        max_length=40,
        description="A role it waits for.",
        json_schema_extra={"enum": ["", *(r.value for r in Role)]},
    )
    partner: str | None = Field(
        None,
        max_length=200,
        description="A partner, as named (no double quote or control character).",
        json_schema_extra={"pattern": '^[^"\\x00-\\x1f]*$'},
    )
    caseworker: str | None = Field(
        None,
        max_length=254,
        description="The caseworker's email (no control character).",
        json_schema_extra={"pattern": "^[^\\x00-\\x1f]*$"},
    )
    mine: bool = Field(False, description="Only the signed-in person's proposals.")
    page: str | None = Field(None, max_length=4000, description="The previous page's next_page.")
    size: int = Field(PAGE_SIZE, ge=1, le=100, description="Proposals per page.")

    def filters(self, user: User) -> Filters:
        return parse_filters(
            self.state, self.awaiting, self.partner, user.email if self.mine else self.caseworker
        )


ListParams = Annotated[ListQuery, Query()]


async def _list_page(request: Request, user: User, params: ListQuery) -> Response:
    filters = params.filters(user)
    result = await list_proposals(temporal_of(request), filters, params.size, params.page)
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "page" and v]
    first_url = request.url.path + ("?" + urlencode(kept) if kept else "")
    next_url = (
        request.url.path + "?" + urlencode([*kept, ("page", result.next_token)])
        if result.next_token
        else None
    )
    return render(
        request,
        "proposals.html",
        first_url=first_url,
        next_url=next_url,
        user=user,
        mine=params.mine,
        filters=filters,
        page=result,
        first_page=not params.page,
        states=STATES,
        roles=[r.value for r in Role],
        query=filters.query(),
    )


@router.get("/proposals/mine")
async def my_proposals(request: Request, user: CurrentUser, params: ListParams) -> Response:
    return await _list_page(request, user, params.model_copy(update={"mine": True}))


@router.get("/proposals")
async def all_proposals(request: Request, user: CurrentUser, params: ListParams) -> Response:
    return await _list_page(request, user, params)


# ----- one proposal -----------------------------------------------------------------------


def _who_can(awaiting: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the proposal waits for, with the people who may send each message."""
    from infoshare.database.people import people_with_role
    from infoshare.database.session import session_scope

    items = []
    with session_scope() as session:
        for wait in awaiting:
            message = str(wait.get("message", ""))
            spec = MESSAGES.get(message)
            people = {
                p.email: p
                for role in wait.get("roles", [])
                for p in people_with_role(session, str(role))
            }
            parties = [str(p) for p in wait.get("parties", [])]
            if parties:  # a signatory signs for their own organisation
                people = {e: p for e, p in people.items() if p.organisation in parties}
            items.append(
                {
                    "message": message,
                    "description": spec.description if spec else "",
                    "clauses": list(spec.clauses) if spec else [],
                    "roles": wait.get("roles", []),
                    "parties": parties,
                    "people": sorted(people.values(), key=lambda p: p.email),
                    "review_number": wait.get("review_number"),
                }
            )
    return items


def temporal_ui_link(request: Request, workflow_id: str) -> str:
    settings = settings_of(request)
    return (
        f"{settings.resolved_temporal_ui_url}/namespaces/{settings.temporal_namespace}"
        f"/workflows/{workflow_id}"
    )


@router.get("/proposals/{workflow_id}")
async def proposal_page(
    request: Request, workflow_id: str, user: CurrentUser, started: bool = False
) -> Response:
    status, timeline = await proposal_status(temporal_of(request), workflow_id)
    waiting = await run_in_threadpool(_who_can, status.get("awaiting") or [])
    state = str(status.get("state", ""))
    return render(
        request,
        "proposal.html",
        user=user,
        workflow_id=workflow_id,
        status=status,
        state=state,
        terminal=state in TERMINAL,
        timeline=list(reversed(timeline)),
        waiting=waiting,
        started=started,
        diagram=lifecycle.svg(state if state in STATES else None),
        temporal_url=temporal_ui_link(request, workflow_id),
    )


@router.get("/lifecycle.svg")
async def lifecycle_picture(
    state: Annotated[str | None, Query(max_length=40, description="Highlight this state.")] = None,
) -> Response:
    if state and state not in STATES:
        raise HTTPException(422, f"{state!r} is not a state; one of {', '.join(STATES)}")
    return Response(lifecycle.svg(state or None), media_type="image/svg+xml")
