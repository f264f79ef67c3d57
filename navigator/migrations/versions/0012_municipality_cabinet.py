"""municipality cabinet: audit events, child district, admission note, budget bounds holds

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 01:12:05.438034
"""

import re
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

    # plain DROP COLUMN (SQLite ≥ 3.35): a batch copy of child or provider would be refused
    # by the foreign keys pointing at them
    op.drop_column("provider", "admission_note")
    op.drop_column("child", "district")

    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")


def _replace_credited_check(condition: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("ck_period_credited", "funding_period", type_="check")
        op.create_check_constraint("ck_period_credited", "funding_period", condition)
        return
    # SQLite cannot alter a CHECK. A batch copy of the table would have to drop it, which
    # foreign keys from nominal_rule and certificate_account refuse once rows exist; changing
    # a CHECK's text in the schema is the documented way (sqlite.org/lang_altertable.html#otheralter)
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'funding_period'"
    ).scalar_one()
    changed, count = re.subn(
        r"CONSTRAINT ck_period_credited CHECK \([^()]*\)",
        f"CONSTRAINT ck_period_credited CHECK ({condition})",
        sql,
    )
    assert count == 1, "funding_period has no ck_period_credited to change"
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'funding_period'",
        (changed,),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
