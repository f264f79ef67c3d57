"""attendance corrections

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 00:32:55.040327
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import navigator.domain.models

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attendance_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attendance_id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("lesson_date", sa.Date(), nullable=False),
        sa.Column("from_status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("to_status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
        sa.Column("captured_minor", sa.BigInteger(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column(
            "corrected_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint(
            "from_status IN ('present', 'absent', 'excused')", name="ck_correction_from"
        ),
        sa.CheckConstraint(
            "to_status IN ('present', 'absent', 'excused')", name="ck_correction_to"
        ),
        sa.CheckConstraint(
            "refunded_minor >= 0 AND captured_minor >= 0", name="ck_correction_amounts"
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["attendance_id"],
            ["attendance.id"],
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollment.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("attendance_correction", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attendance_correction_attendance_id"), ["attendance_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attendance_correction_enrollment_id"), ["enrollment_id"], unique=False
        )

    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refunded_minor", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.create_check_constraint(
            "ck_enrollment_refund", "refunded_minor >= 0 AND refunded_minor <= captured_minor"
        )


def downgrade() -> None:
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.drop_constraint("ck_enrollment_refund", type_="check")
        batch_op.drop_column("refunded_minor")

    with op.batch_alter_table("attendance_correction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_correction_enrollment_id"))
        batch_op.drop_index(batch_op.f("ix_attendance_correction_attendance_id"))

    op.drop_table("attendance_correction")
