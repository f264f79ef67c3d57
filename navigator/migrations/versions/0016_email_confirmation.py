"""email confirmation: the address a link was opened from, and the links

Accounts made before this revision stay unconfirmed until their owners open a link: a
parent's next certificate request and a provider's admission wait for it.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 07:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import navigator.domain.models

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Moment = navigator.domain.models.UTCDateTime


def upgrade() -> None:
    op.add_column("app_user", sa.Column("email_verified_at", Moment(timezone=True), nullable=True))
    op.create_table(
        "email_confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("created_at", Moment(timezone=True), nullable=False),
        sa.Column("expires_at", Moment(timezone=True), nullable=False),
        sa.Column("used_at", Moment(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("email_confirmation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_confirmation_user_id"), ["user_id"])


def downgrade() -> None:
    with op.batch_alter_table("email_confirmation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_confirmation_user_id"))
    op.drop_table("email_confirmation")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE app_user DROP COLUMN email_verified_at")
        return
    op.drop_column("app_user", "email_verified_at")
