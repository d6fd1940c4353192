"""Local records (protocol 4.14): attached while the proposal runs, released by Information
Rights."""

from __future__ import annotations

from pydantic import Field

from states.messages.common import (
    EXAMPLE_SHA256,
    MessageSpec,
    Payload,
    Reason,
    Role,
    Sha256,
    ShortText,
    Uri,
)


class AttachRecord(Payload):
    kind: str = Field(min_length=1, max_length=100)
    uri: str = Uri
    sha256: str = Sha256
    description: str = ShortText


SPECS: tuple[MessageSpec, ...] = (
    MessageSpec(
        "attach_record",
        (Role.caseworker, Role.information_rights),
        AttachRecord,
        "Caseworker or Information Rights: attach a local record (email, process map).",
        ("4.14",),
        {
            "kind": "email",
            "uri": "https://records.example/emails/1",
            "sha256": EXAMPLE_SHA256,
            "description": "partner's confirmation",
        },
    ),
    MessageSpec(
        "release_records",
        (Role.information_rights,),
        Reason,
        "Information Rights: release the local records kept for this proposal (4.14).",
        ("4.14",),
        {"reason": "agreement finalised and entered in the register"},
    ),
)
