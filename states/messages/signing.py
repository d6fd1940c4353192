"""Signing (PROTOCOL.md 2.8; protocol 9.1): each party signs the current draft."""

from __future__ import annotations

from pydantic import Field

from states.messages.common import EXAMPLE_SHA256, MessageSpec, Payload, Role, Sha256


class Sign(Payload):
    party: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=200)
    job_title: str = Field(min_length=1, max_length=200)
    document_sha256: str = Sha256


SPECS: tuple[MessageSpec, ...] = (
    MessageSpec(
        "sign",
        (Role.signatory,),
        Sign,
        "Signatory: sign the current draft of the agreement, named by its SHA-256.",
        ("9.1",),
        {
            "party": "PHSO",
            "name": "A Signatory",
            "job_title": "Director",
            "document_sha256": EXAMPLE_SHA256,
        },
    ),
)
