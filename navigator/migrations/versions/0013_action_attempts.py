"""action attempts: sign-ups and invitations counted per address, e-mail and inviter

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 05:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import navigator.domain.models

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "action_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("action_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_attempt_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_attempt_key"), ["key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("action_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_attempt_key"))
        batch_op.drop_index(batch_op.f("ix_action_attempt_at"))
    op.drop_table("action_attempt")
