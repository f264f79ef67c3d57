"""culture pass: the database refuses a pupil holding two places on one session; a
culture service's photo

A booked pupil's row names its session (copied from its booking for the rows already there),
and a partial unique index over (session, pupil) counts only places held or charged, so a
pupil released from a cancelled booking can be booked on the same session again. A service
names its photo's file (reviewed content, as the rest of the service).

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-30 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TAKEN = "status IN ('held', 'charged')"


def upgrade() -> None:
    op.add_column(
        "culture_service",
        sa.Column(
            "photo", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False, server_default=""
        ),
    )
    with op.batch_alter_table("booking_pupil", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE booking_pupil SET session_id = "
        "(SELECT session_id FROM culture_booking WHERE culture_booking.id = booking_pupil.booking_id)"
    )
    with op.batch_alter_table("booking_pupil", schema=None) as batch_op:
        batch_op.alter_column("session_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            "fk_booking_pupil_session_id_culture_session", "culture_session", ["session_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_booking_pupil_session_id"), ["session_id"])
        batch_op.create_index(
            "uq_booking_pupil_session_taken",
            ["session_id", "pupil_id"],
            unique=True,
            sqlite_where=sa.text(TAKEN),
            postgresql_where=sa.text(TAKEN),
        )


def downgrade() -> None:
    with op.batch_alter_table("booking_pupil", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_booking_pupil_session_taken",
            sqlite_where=sa.text(TAKEN),
            postgresql_where=sa.text(TAKEN),
        )
        batch_op.drop_index(batch_op.f("ix_booking_pupil_session_id"))
        batch_op.drop_constraint("fk_booking_pupil_session_id_culture_session", type_="foreignkey")
        batch_op.drop_column("session_id")
    op.drop_column("culture_service", "photo")
