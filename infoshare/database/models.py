"""Tables of the relational store (typed SQLAlchemy 2 ORM).

Migrations in ``database/migrations/versions`` are hand-written to match these models; a
test compares them with Alembic's autogenerate diff, so change both together.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

EMAIL_LEN = 320
ID_LEN = 200
NAME_LEN = 200
STATE_LEN = 64
ROLE_LEN = 64


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so UTC is stored naive
    and the zone is put back on reading. A naive value written is taken to be UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def json_type() -> JSON:
    """JSON on SQLite, JSONB on PostgreSQL."""
    return JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        list[str]: json_type(),
        dict[str, Any]: json_type(),
        list[dict[str, Any]]: json_type(),
    }


class PersonRow(Base):
    """The people directory: who may act in which role (PROTOCOL.md 1)."""

    __tablename__ = "people"

    email: Mapped[str] = mapped_column(String(EMAIL_LEN), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LEN), default="", server_default="")
    organisation: Mapped[str] = mapped_column(
        String(NAME_LEN), default="PHSO", server_default="PHSO"
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    roles: Mapped[list[PersonRoleRow]] = relationship(
        back_populates="person",
        cascade="all, delete-orphan",
        order_by="PersonRoleRow.role",
        lazy="selectin",
    )


class PersonRoleRow(Base):
    __tablename__ = "person_roles"

    email: Mapped[str] = mapped_column(
        String(EMAIL_LEN), ForeignKey("people.email", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(ROLE_LEN), primary_key=True)

    person: Mapped[PersonRow] = relationship(back_populates="roles")

    __table_args__ = (Index(None, "role"),)


class ProposalRow(Base):
    """One row per proposal (workflow), updated after every step."""

    __tablename__ = "proposals"

    proposal_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    caseworker: Mapped[str] = mapped_column(String(EMAIL_LEN))
    parties: Mapped[list[str]]
    state: Mapped[str] = mapped_column(String(STATE_LEN))
    outcome: Mapped[str | None] = mapped_column(String(STATE_LEN))
    next_review_due: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index(None, "state"),)


class DecisionRow(Base):
    """The decision log: every timeline event of every proposal, numbered per proposal."""

    __tablename__ = "decisions"

    proposal_id: Mapped[str] = mapped_column(
        String(ID_LEN),
        ForeignKey("proposals.proposal_id", ondelete="CASCADE"),
        primary_key=True,
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(EMAIL_LEN))
    message: Mapped[str] = mapped_column(String(ID_LEN))
    accepted: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str] = mapped_column(Text)
    clauses: Mapped[list[str]]
    state: Mapped[str] = mapped_column(String(STATE_LEN))


class NotificationRow(Base):
    """The outbox: one row per person to tell at each waiting point; `sent_at` once sent.

    No foreign key to `proposals`: a notification may be queued before the step that
    led to it is recorded.
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    proposal_id: Mapped[str] = mapped_column(String(ID_LEN))
    key: Mapped[str] = mapped_column(String(ID_LEN))
    recipient: Mapped[str] = mapped_column(String(EMAIL_LEN))
    role: Mapped[str] = mapped_column(String(ID_LEN))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    # waiting (a new waiting point), reminder, escalation, or helphub (an ICT request, 8.1)
    kind: Mapped[str] = mapped_column(String(ROLE_LEN), default="waiting", server_default="waiting")
    subject: Mapped[str] = mapped_column(Text, default="", server_default="")

    __table_args__ = (
        UniqueConstraint("proposal_id", "key", "recipient"),
        Index(None, "sent_at"),
    )


class AgreementRow(Base):
    """The register of agreement drafts (4.14, 9.1): one row per version, by content hash."""

    __tablename__ = "agreements"

    proposal_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sha256: Mapped[str] = mapped_column(String(64))
    uri: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The same version rendered as PDF, with its own hash (the HTML's hash is what is signed).
    pdf_uri: Mapped[str | None] = mapped_column(Text)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))


class RegisterRow(Base):
    """The information sharing register (4.14): one row per agreement, written when all
    parties have signed and the signed version is published (9.1); its status and next
    review are kept current after every later step."""

    __tablename__ = "register"

    proposal_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    parties: Mapped[list[str]]
    purpose: Mapped[str] = mapped_column(Text)
    lawful_basis: Mapped[str] = mapped_column(String(ID_LEN))
    lawful_basis_justification: Mapped[str] = mapped_column(Text)
    # Art 9 / Schedule 1 / Art 10 conditions as named by Information Rights (7.3), if any.
    conditions: Mapped[dict[str, Any]]
    special_categories: Mapped[list[str]]
    dpia_required: Mapped[bool] = mapped_column(Boolean)
    dpia_outcome: Mapped[str | None] = mapped_column(String(STATE_LEN))
    security_method: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Where the signed version is published: a stable public path, and the stored files.
    public_path: Mapped[str] = mapped_column(Text)
    html_uri: Mapped[str] = mapped_column(Text)
    pdf_uri: Mapped[str | None] = mapped_column(Text)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    signatures: Mapped[list[dict[str, Any]]]
    signed_at: Mapped[datetime]
    published_at: Mapped[datetime]
    next_review_due: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(STATE_LEN))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index(None, "status"),)


class LocalRecordRow(Base):
    """Local records (4.14): emails, process maps and other documents, kept by reference
    with their SHA-256 until Information Rights releases them."""

    __tablename__ = "local_records"

    proposal_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    # The record's place in the proposal's list of records (append-only).
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sha256: Mapped[str] = mapped_column(String(64))
    uri: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(ID_LEN))
    description: Mapped[str] = mapped_column(Text)
    attached_by: Mapped[str] = mapped_column(String(EMAIL_LEN))
    attached_at: Mapped[datetime]
    released_at: Mapped[datetime | None]
    released_by: Mapped[str | None] = mapped_column(String(EMAIL_LEN))
