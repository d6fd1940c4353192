"""Initial schema: people, roles, proposals, decision log, notifications, agreements.

Revision ID: 0001
Revises:
Create Date: 2025-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("name", sa.String(200), nullable=False, server_default=""),
        sa.Column("organisation", sa.String(200), nullable=False, server_default="PHSO"),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("email", name="pk_people"),
    )
    op.create_table(
        "person_roles",
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("role", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["email"],
            ["people.email"],
            name="fk_person_roles_email_people",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("email", "role", name="pk_person_roles"),
    )
    op.create_index("ix_person_roles_role", "person_roles", ["role"])

    op.create_table(
        "proposals",
        sa.Column("proposal_id", sa.String(200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("caseworker", sa.String(320), nullable=False),
        sa.Column("parties", _json(), nullable=False),
        sa.Column("state", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(64), nullable=True),
        sa.Column("next_review_due", _ts(), nullable=True),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("proposal_id", name="pk_proposals"),
    )
    op.create_index("ix_proposals_state", "proposals", ["state"])

    op.create_table(
        "decisions",
        sa.Column("proposal_id", sa.String(200), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", _ts(), nullable=False),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("message", sa.String(200), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("clauses", _json(), nullable=False),
        sa.Column("state", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.proposal_id"],
            name="fk_decisions_proposal_id_proposals",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("proposal_id", "seq", name="pk_decisions"),
    )

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("proposal_id", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("role", sa.String(200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("sent_at", _ts(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
        sa.UniqueConstraint(
            "proposal_id", "key", "recipient", name="uq_notifications_proposal_id_key_recipient"
        ),
    )
    op.create_index("ix_notifications_sent_at", "notifications", ["sent_at"])

    op.create_table(
        "agreements",
        sa.Column("proposal_id", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uri", sa.Text(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("proposal_id", "version", name="pk_agreements"),
    )


def downgrade() -> None:
    op.drop_table("agreements")
    op.drop_index("ix_notifications_sent_at", table_name="notifications")
    op.drop_table("notifications")
    op.drop_table("decisions")
    op.drop_index("ix_proposals_state", table_name="proposals")
    op.drop_table("proposals")
    op.drop_index("ix_person_roles_role", table_name="person_roles")
    op.drop_table("person_roles")
    op.drop_table("people")
