"""The JSON API: what the pages show, for scripts. Errors are `{"detail": "..."}`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from infoshare.web import register
from infoshare.web.identity import User, current_user, settings_of
from infoshare.web.proposals import list_proposals, proposal_status
from infoshare.web.routes.common import temporal_of
from infoshare.web.routes.proposals import ListParams, temporal_ui_link

router = APIRouter(prefix="/api", tags=["api"])


class ErrorBody(BaseModel):
    """Every error: what is wrong, in words; for a bad parameter, one line each."""

    detail: str
    errors: list[str] | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "A bad page token"),
        (401, "Not signed in"),
        (404, "No such proposal"),
        (422, "A parameter is not valid"),
        (503, "Temporal or the database cannot be reached"),
    )
}


@router.get("/proposals", responses=ERRORS, summary="List proposals (Temporal visibility)")
async def api_proposals(
    request: Request, user: Annotated[User, Depends(current_user)], params: ListParams
) -> dict[str, Any]:
    filters = params.filters(user)
    result = await list_proposals(temporal_of(request), filters, params.size, params.page)
    return {
        "proposals": [row.as_json() for row in result.rows],
        "next_page": result.next_token,
        "query": filters.query(),
    }


@router.get(
    "/proposals/{workflow_id}", responses=ERRORS, summary="A proposal's status and timeline"
)
async def api_proposal(
    request: Request,
    workflow_id: Annotated[str, Path(max_length=64)],
    user: Annotated[User, Depends(current_user)],
) -> dict[str, Any]:
    status, timeline = await proposal_status(temporal_of(request), workflow_id)
    return {
        "workflow_id": workflow_id,
        "status": status,
        "timeline": timeline,
        "temporal_ui": temporal_ui_link(request, workflow_id),
    }


@router.get("/register", responses=ERRORS, summary="The information sharing register (public)")
async def api_register(request: Request, in_force: bool = False) -> dict[str, Any]:
    base = settings_of(request).resolved_web_base_url
    found = await run_in_threadpool(lambda: register.entries(in_force_only=in_force))
    return {"agreements": [item.as_json(base) for item in found]}


@router.get("/me", responses=ERRORS, summary="Who is signed in")
async def api_me(user: Annotated[User, Depends(current_user)]) -> dict[str, Any]:
    return {
        "email": user.email,
        "name": user.name,
        "roles": list(user.roles),
        "organisation": user.organisation,
        "in_directory": user.known,
    }
