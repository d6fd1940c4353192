"""Helpers the routes share."""

from __future__ import annotations

from fastapi import HTTPException, Request
from starlette.datastructures import FormData

from infoshare.web.proposals import Temporal

MAX_FORM_FIELDS = 400  # 50 recipients x 3 fields, and the rest, with room to spare
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def form_of(request: Request) -> FormData:
    """The posted form; 415/400 with a clear message for anything else."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in FORM_TYPES:
        raise HTTPException(
            415,
            f"send the form as {FORM_TYPES[0]} (from the page), not "
            f"{content_type or 'without a content type'}",
        )
    try:
        return await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    except HTTPException:
        raise
    except Exception as err:  # a malformed body: the parser's own words
        raise HTTPException(400, f"the form cannot be read: {err}") from None


def temporal_of(request: Request) -> Temporal:
    temporal: Temporal = request.app.state.temporal
    return temporal
