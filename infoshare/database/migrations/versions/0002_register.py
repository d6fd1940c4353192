"""The information sharing register, local records, agreement PDFs, notification kinds.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(64), nullable=False, server_default="waiting")
        )
        batch.add_column(sa.Column("subject", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("agreements") as batch:
        batch.add_column(sa.Column("pdf_uri", sa.Text(), nullable=True))
        batch.add_column(sa.Column("pdf_sha256", sa.String(64), nullable=True))

    op.create_table(
        "register",
        sa.Column("proposal_id", sa.String(200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("parties", _json(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("lawful_basis", sa.String(200), nullable=False),
        sa.Column("lawful_basis_justification", sa.Text(), nullable=False),
        sa.Column("conditions", _json(), nullable=False),
        sa.Column("special_categories", _json(), nullable=False),
        sa.Column("dpia_required", sa.Boolean(), nullable=False),
        sa.Column("dpia_outcome", sa.String(64), nullable=True),
        sa.Column("security_method", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("public_path", sa.Text(), nullable=False),
        sa.Column("html_uri", sa.Text(), nullable=False),
        sa.Column("pdf_uri", sa.Text(), nullable=True),
        sa.Column("pdf_sha256", sa.String(64), nullable=True),
        sa.Column("signatures", _json(), nullable=False),
        sa.Column("signed_at", _ts(), nullable=False),
        sa.Column("published_at", _ts(), nullable=False),
        sa.Column("next_review_due", _ts(), nullable=True),
        sa.Column("status", sa.String(64), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("proposal_id", name="pk_register"),
    )
    op.create_index("ix_register_status", "register", ["status"])

    op.create_table(
        "local_records",
        sa.Column("proposal_id", sa.String(200), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uri", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("attached_by", sa.String(320), nullable=False),
        sa.Column("attached_at", _ts(), nullable=False),
        sa.Column("released_at", _ts(), nullable=True),
        sa.Column("released_by", sa.String(320), nullable=True),
        sa.PrimaryKeyConstraint("proposal_id", "seq", name="pk_local_records"),
    )


def downgrade() -> None:
    op.drop_table("local_records")
    op.drop_index("ix_register_status", table_name="register")
    op.drop_table("register")
    with op.batch_alter_table("agreements") as batch:
        batch.drop_column("pdf_sha256")
        batch.drop_column("pdf_uri")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("subject")
        batch.drop_column("kind")
