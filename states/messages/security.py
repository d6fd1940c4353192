"""Security method (PROTOCOL.md 2.7; protocol 8.1, 8.2): ICT advises the transfer method."""

from __future__ import annotations

from pydantic import Field

from states.messages.common import MessageSpec, Payload, Role, ShortText


class SecurityAdvice(Payload):
    method: str = Field(min_length=1, max_length=200)
    notes: str = ShortText


SPECS: tuple[MessageSpec, ...] = (
    MessageSpec(
        "security_advice",
        (Role.ict,),
        SecurityAdvice,
        "ICT: record the advised secure transfer method (8.2 factors in the notes).",
        ("8.1", "8.2"),
        {"method": "SFTP with PGP", "notes": "sensitive, regular, partner is accredited"},
    ),
)
