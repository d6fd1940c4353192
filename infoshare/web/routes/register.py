"""The information sharing register (4.14): public, no sign-in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from infoshare.web import register
from infoshare.web.identity import optional_user, settings_of
from infoshare.web.rendering import render

router = APIRouter(include_in_schema=False)

ProposalId = Annotated[str, Path(max_length=64, description="The proposal's workflow id.")]


@router.get("/register")
async def register_page(request: Request, in_force: bool = False) -> Response:
    found = await run_in_threadpool(lambda: register.entries(in_force_only=in_force))
    user = await optional_user(request)
    return render(request, "register.html", user=user, entries=found, in_force=in_force)


@router.get("/register/{proposal_id}/{document}")
async def register_document(
    request: Request,
    proposal_id: ProposalId,
    document: Annotated[str, Path(max_length=20, description="v<N>, v<N>.html or v<N>.pdf")],
) -> Response:
    match = register.DOCUMENT.match(document)
    if match is None:
        raise register.NotInRegister(
            f"there is no {document!r} here: a register entry is /register/{proposal_id}/v<N>, "
            "its agreement v<N>.html and its PDF v<N>.pdf"
        )
    item = await run_in_threadpool(register.entry, proposal_id, int(match["version"]))
    if match["suffix"]:
        path, media_type = register.published_file(settings_of(request), item, match["suffix"])
        return FileResponse(path, media_type=media_type)
    text = None
    html_path = None
    try:
        html_path, media_type = register.published_file(settings_of(request), item, ".html")
        if media_type.startswith("text/plain"):
            text = await run_in_threadpool(html_path.read_text, "utf-8")
    except register.NotInRegister:
        pass
    user = await optional_user(request)
    return render(
        request,
        "register_entry.html",
        user=user,
        entry=item,
        document_text=text,
        has_document=html_path is not None,
    )
