"""enrollment offers

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 23:59:58.458474
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import navigator.domain.models

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "enrollment_offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("offered_by_id", sa.Integer(), nullable=True),
        sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "decision IN ('pending', 'confirmed', 'declined')", name="ck_offer_decision"
        ),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["child.id"],
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["program_group.id"],
        ),
        sa.ForeignKeyConstraint(
            ["offered_by_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("enrollment_offer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enrollment_offer_child_id"), ["child_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_enrollment_offer_group_id"), ["group_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("enrollment_offer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrollment_offer_group_id"))
        batch_op.drop_index(batch_op.f("ix_enrollment_offer_child_id"))

    op.drop_table("enrollment_offer")
