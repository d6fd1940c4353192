"""The people directory: who may act in which role (PROTOCOL.md 1).

Emails are stored normalised (trimmed, lower case), and looked up the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from infoshare.database.models import NAME_LEN, PersonRoleRow, PersonRow
from states.messages import Role
from states.types import Person

VALID_ROLES: tuple[str, ...] = tuple(role.value for role in Role)


def normalise_email(email: str) -> str:
    """The directory's form of `email`; ValueError (saying why) if it is not an address."""
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"{email!r} is not a valid email address: {exc}") from None
    return result.normalized.lower()


def validate_roles(roles: Iterable[str]) -> list[str]:
    """The roles, de-duplicated and sorted; ValueError naming any unknown one."""
    cleaned = sorted({str(role).strip() for role in roles})
    unknown = [role for role in cleaned if role not in VALID_ROLES]
    if unknown:
        raise ValueError(
            f"unknown role{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}: "
            f"a role is one of {', '.join(VALID_ROLES)}"
        )
    if not cleaned:
        raise ValueError(f"give at least one role: one of {', '.join(VALID_ROLES)}")
    return cleaned


def _to_person(row: PersonRow) -> Person:
    return Person(
        email=row.email,
        name=row.name,
        organisation=row.organisation,
        roles=sorted(r.role for r in row.roles),
    )


def add_person(
    session: Session,
    email: str,
    roles: Iterable[str],
    name: str = "",
    organisation: str = "PHSO",
) -> Person:
    """Add someone to the directory, or update them: their roles become exactly `roles`,
    and their organisation `organisation`; an empty `name` keeps the name on file.

    Raises ValueError (and writes nothing) for an invalid email, an unknown role, no role,
    or an empty organisation.
    """
    address = normalise_email(email)
    wanted = validate_roles(roles)
    name = name.strip()
    organisation = organisation.strip()
    if not organisation:
        raise ValueError("organisation must not be empty (a signatory signs for it)")
    if len(name) > NAME_LEN or len(organisation) > NAME_LEN:
        raise ValueError(f"name and organisation are at most {NAME_LEN} characters")

    row = session.get(PersonRow, address)
    if row is None:
        row = PersonRow(email=address, name=name, organisation=organisation)
        session.add(row)
    else:
        if name:
            row.name = name
        row.organisation = organisation
    current = {r.role: r for r in row.roles}
    for role, role_row in current.items():
        if role not in wanted:
            row.roles.remove(role_row)
    for role in wanted:
        if role not in current:
            row.roles.append(PersonRoleRow(role=role))
    session.flush()
    return _to_person(row)


def get_person(session: Session, email: str) -> Person | None:
    """The directory entry for `email`, or None (also for something not an address)."""
    try:
        address = normalise_email(email)
    except ValueError:
        return None
    # roles in the same query: the workflow looks someone up for every message
    row = session.get(PersonRow, address, options=[joinedload(PersonRow.roles)])
    return None if row is None else _to_person(row)


def list_people(session: Session) -> list[Person]:
    """Everyone in the directory, by email."""
    rows = session.scalars(select(PersonRow).order_by(PersonRow.email))
    return [_to_person(row) for row in rows]


def people_with_role(session: Session, role: str) -> list[Person]:
    """Everyone holding `role`, by email."""
    rows = session.scalars(
        select(PersonRow)
        .join(PersonRoleRow)
        .where(PersonRoleRow.role == str(role))
        .order_by(PersonRow.email)
    )
    return [_to_person(row) for row in rows]
