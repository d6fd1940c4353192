"""What every message has: the roles that send messages (PROTOCOL.md 1), the payload every
message extends (an `actor`, unknown fields refused), and a message's spec."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class Role(StrEnum):
    caseworker = "caseworker"
    dpo = "dpo"
    information_rights = "information_rights"
    ict = "ict"
    signatory = "signatory"
    reviewer = "reviewer"
    auditor = "auditor"


# Segregation of duties (PROTOCOL.md 1): the proposing caseworker never acts in these.
SEGREGATED_ROLES: frozenset[Role] = frozenset({Role.dpo, Role.information_rights, Role.ict})

ShortText = Field(min_length=1, max_length=4000)
Uri = Field(min_length=1, max_length=2000)
Sha256 = Field(pattern=r"^[0-9a-f]{64}$")


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    actor: EmailStr


class Reason(Payload):
    reason: str = ShortText


@dataclass(frozen=True)
class MessageSpec:
    """One named message: who may send it, its payload, a line for the UI, an example."""

    name: str
    roles: tuple[Role, ...]
    payload: type[Payload]
    description: str
    clauses: tuple[str, ...]
    example: dict[str, Any]


# A well-formed SHA-256 for the examples.
EXAMPLE_SHA256 = "0" * 63 + "1"
