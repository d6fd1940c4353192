"""Ending a proposal (protocol 10.1, 4.14): withdrawal before it is active, rejection or
termination, and confirming retention and destruction."""

from __future__ import annotations

from states.messages.common import MessageSpec, Payload, Reason, Role, ShortText


class ConfirmDestruction(Payload):
    notes: str = ShortText


SPECS: tuple[MessageSpec, ...] = (
    MessageSpec(
        "withdraw",
        (Role.caseworker, Role.information_rights),
        Reason,
        "Caseworker or Information Rights: withdraw the proposal before it is active.",
        ("4.14",),
        {"reason": "no longer needed"},
    ),
    MessageSpec(
        "terminate",
        (Role.information_rights, Role.dpo),
        Reason,
        "Information Rights or DPO: reject a proposal, or terminate an agreement in force.",
        ("10.1",),
        {"reason": "purpose fulfilled"},
    ),
    MessageSpec(
        "confirm_destruction",
        (Role.information_rights,),
        ConfirmDestruction,
        "Information Rights: confirm retention and destruction after termination.",
        ("10.1",),
        {"notes": "partner confirmed secure destruction"},
    ),
)
