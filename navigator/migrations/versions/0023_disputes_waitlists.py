"""disputes of charges and waitlist priority criteria: the dispute table (a parent's of a
lesson charge, a coordinator's of a culture charge), and the municipality's dispute window
and waiting-list priority levels

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import navigator.domain.models

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = navigator.domain.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("municipality_policy", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("dispute_window_days", sa.Integer(), nullable=False, server_default="30")
        )
        batch_op.add_column(
            sa.Column("waitlist_priority", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.create_check_constraint("ck_policy_dispute_window", "dispute_window_days >= 1")

    op.create_table(
        "dispute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("ledger_entry_id", sa.Integer(), nullable=True),
        sa.Column("enrollment_id", sa.Integer(), nullable=True),
        sa.Column("attendance_id", sa.Integer(), nullable=True),
        sa.Column("culture_booking_id", sa.Integer(), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("lesson_date", sa.Date(), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("answer_due_at", TIME, nullable=False),
        sa.Column("provider_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", TIME, nullable=True),
        sa.Column("escalated_at", TIME, nullable=True),
        sa.Column("decision_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", TIME, nullable=True),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
        sa.Column("opened_at", TIME, nullable=False),
        sa.CheckConstraint(
            "subject IN ('certificate_charge', 'culture_charge')", name="ck_dispute_subject"
        ),
        sa.CheckConstraint(
            "status IN ('open', 'accepted', 'contested', 'escalated', 'upheld', 'rejected')",
            name="ck_dispute_status",
        ),
        sa.CheckConstraint(
            "amount_minor > 0 AND refunded_minor >= 0 AND refunded_minor <= amount_minor",
            name="ck_dispute_amounts",
        ),
        sa.CheckConstraint(
            "(subject = 'certificate_charge' AND ledger_entry_id IS NOT NULL"
            " AND enrollment_id IS NOT NULL AND municipality_id IS NOT NULL)"
            " OR (subject = 'culture_charge' AND culture_booking_id IS NOT NULL)",
            name="ck_dispute_charge",
        ),
        sa.ForeignKeyConstraint(["answered_by_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["attendance_id"], ["attendance.id"]),
        sa.ForeignKeyConstraint(["culture_booking_id"], ["culture_booking.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["enrollment_id"], ["enrollment.id"]),
        sa.ForeignKeyConstraint(["ledger_entry_id"], ["ledger_entry.id"]),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),
        sa.ForeignKeyConstraint(["opened_by_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["provider_id"], ["provider.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("culture_booking_id"),
        sa.UniqueConstraint("ledger_entry_id"),
    )
    with op.batch_alter_table("dispute", schema=None) as batch_op:
        batch_op.create_index("ix_dispute_queue", ["status", "answer_due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispute_enrollment_id"), ["enrollment_id"])
        batch_op.create_index(batch_op.f("ix_dispute_municipality_id"), ["municipality_id"])
        batch_op.create_index(batch_op.f("ix_dispute_opened_by_id"), ["opened_by_id"])
        batch_op.create_index(batch_op.f("ix_dispute_provider_id"), ["provider_id"])


def downgrade() -> None:
    with op.batch_alter_table("dispute", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispute_provider_id"))
        batch_op.drop_index(batch_op.f("ix_dispute_opened_by_id"))
        batch_op.drop_index(batch_op.f("ix_dispute_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_dispute_enrollment_id"))
        batch_op.drop_index("ix_dispute_queue")
    op.drop_table("dispute")

    with op.batch_alter_table("municipality_policy", schema=None) as batch_op:
        batch_op.drop_constraint("ck_policy_dispute_window", type_="check")
        batch_op.drop_column("waitlist_priority")
        batch_op.drop_column("dispute_window_days")
