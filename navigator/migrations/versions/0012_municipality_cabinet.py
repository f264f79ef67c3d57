"""municipality cabinet: audit events, child district, admission note, budget bounds holds

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 01:12:05.438034
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import navigator.domain.models

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_event_municipality_id"), ["municipality_id"], unique=False
        )

    # the budget now bounds holds and captures, not credits (funding_period has no triggers,
    # so SQLite's batch copy of it loses nothing)
    _replace_credited_check("credited_minor >= 0")

    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "district",
                sqlmodel.sql.sqltypes.AutoString(length=100),
                nullable=False,
                server_default="",
            )
        )

    with op.batch_alter_table("provider", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "admission_note",
                sqlmodel.sql.sqltypes.AutoString(length=500),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    _replace_credited_check("credited_minor >= 0 AND credited_minor <= budget_minor")

    with op.batch_alter_table("provider", schema=None) as batch_op:
        batch_op.drop_column("admission_note")

    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.drop_column("district")

    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")


def _replace_credited_check(condition: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("funding_period", recreate="always") as batch_op:
            batch_op.drop_constraint("ck_period_credited", type_="check")
            batch_op.create_check_constraint("ck_period_credited", condition)
    else:
        op.drop_constraint("ck_period_credited", "funding_period", type_="check")
        op.create_check_constraint("ck_period_credited", "funding_period", condition)
