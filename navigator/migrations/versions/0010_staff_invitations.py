"""staff invitations

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 00:45:47.109579
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import navigator.domain.models

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('provider_owner', 'provider_staff')", name="ck_invitation_role"
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("staff_invitation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_invitation_provider_id"), ["provider_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_invitation_provider_id"))

    op.drop_table("staff_invitation")
