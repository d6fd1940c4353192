"""Dialect-aware INSERT ... ON CONFLICT statements, for idempotent writes.

Only SQLite and PostgreSQL are supported; both have ``ON CONFLICT`` and ``RETURNING``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session


def _insert(session: Session, table: Table) -> sqlite.Insert | postgresql.Insert:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return sqlite.insert(table)
    if dialect == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"unsupported database {dialect!r}: use SQLite or PostgreSQL")


def _table(model: type[DeclarativeBase]) -> Table:
    table = inspect(model).local_table
    assert isinstance(table, Table)
    return table


def insert_or_ignore(
    session: Session,
    model: type[DeclarativeBase],
    rows: Sequence[Mapping[str, Any]],
    conflict_columns: Sequence[str],
) -> int:
    """Insert `rows`, leaving alone any whose `conflict_columns` already exist.

    Returns how many rows were newly inserted.
    """
    if not rows:
        return 0
    table = _table(model)
    stmt = (
        _insert(session, table)
        .values([dict(row) for row in rows])
        .on_conflict_do_nothing(index_elements=list(conflict_columns))
        .returning(*(table.c[c] for c in conflict_columns))
    )
    return len(session.execute(stmt).all())


def upsert(
    session: Session,
    model: type[DeclarativeBase],
    row: Mapping[str, Any],
    conflict_columns: Sequence[str],
) -> None:
    """Insert `row`, or overwrite the given columns of the existing one."""
    table = _table(model)
    stmt = _insert(session, table).values(dict(row))
    stmt = stmt.on_conflict_do_update(
        index_elements=list(conflict_columns),
        set_={k: stmt.excluded[k] for k in row if k not in conflict_columns},
    )
    session.execute(stmt)
