"""catalog outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 21:06:19.530527
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import navigator.domain.models

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalog_outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("catalog_outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_outbox_program_id"), ["program_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_catalog_outbox_provider_id"), ["provider_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("catalog_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_outbox_provider_id"))
        batch_op.drop_index(batch_op.f("ix_catalog_outbox_program_id"))

    op.drop_table("catalog_outbox")
