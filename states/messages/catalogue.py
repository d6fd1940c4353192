"""Every message in the protocol's order (CONTRACT.md "Messages"), and reading a payload."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

import states.messages.agreement_decision as agreement_decision
import states.messages.dpia as dpia
import states.messages.ending as ending
import states.messages.lawful_basis as lawful_basis
import states.messages.records as records
import states.messages.reviews as reviews
import states.messages.screening as screening
import states.messages.security as security
import states.messages.signing as signing
from states.limits import LimitError, check_payload_limits
from states.messages.common import MessageSpec, Payload

MESSAGES: dict[str, MessageSpec] = {
    m.name: m
    for m in (
        *screening.SPECS,
        *dpia.SPECS,
        *agreement_decision.SPECS,
        *lawful_basis.SPECS,
        *security.SPECS,
        *signing.SPECS,
        *reviews.SPECS,
        *records.SPECS,
        *ending.SPECS,
    )
}


class PayloadError(ValueError):
    """A payload that does not fit its message: says exactly which field and why."""


def example_payload(message: str, actor: str | None = None, /, **fields: Any) -> dict[str, Any]:
    """The example payload of `message`, sent by `actor`, with `fields` (e.g. `name`)
    replaced."""
    spec = MESSAGES[message]
    return {"actor": actor or f"{spec.roles[0].value}@phso.example", **spec.example, **fields}


def parse_payload(message: str, raw: object) -> Payload:
    """Validate a raw JSON payload for `message`, or raise PayloadError saying what is wrong."""
    spec = MESSAGES.get(message)
    if spec is None:
        raise PayloadError(f"unknown message {message!r}; known: {sorted(MESSAGES)}")
    if not isinstance(raw, dict):
        raise PayloadError(
            f"{message}: the payload must be one JSON object with 'actor', got {type(raw).__name__}"
        )
    try:
        check_payload_limits(raw)
    except LimitError as err:
        raise PayloadError(f"{message}: {err}") from None
    try:
        return spec.payload.model_validate(raw)
    except ValidationError as err:
        raise PayloadError(f"{message}: {describe_validation_error(err)}") from None


def describe_validation_error(err: ValidationError) -> str:
    """Pydantic's errors as one readable line: ``field 'x': reason; field 'y': reason``."""
    parts = []
    for e in err.errors(include_url=False, include_input=False):
        where = ".".join(str(p) for p in e["loc"]) or "payload"
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "is not a field of this message"
        parts.append(f"field '{where}': {msg}")
    return "; ".join(parts)
