"""Need for an agreement (PROTOCOL.md 2.5; protocol 3.1, 3.3): Information Rights decides."""

from __future__ import annotations

from pydantic import Field

from states.messages.common import MessageSpec, Payload, Role


class IsaDecision(Payload):
    isa_required: bool
    reason: str | None = Field(default=None, max_length=4000)


SPECS: tuple[MessageSpec, ...] = (
    MessageSpec(
        "isa_decision",
        (Role.information_rights,),
        IsaDecision,
        "Information Rights: confirm or override whether an agreement (ISA) is needed.",
        ("3.1", "3.3"),
        {"isa_required": True, "reason": "regular sharing"},
    ),
)
