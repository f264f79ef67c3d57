"""notifications: preferences, reading and mail delivery

A person's mail preference (and the key their unsubscribe links are signed with), the
expiry warnings given, the mark of a notification that went into a letter, and the outbox's
delivery bookkeeping: a stable Message-ID, the HTML part and headers, what a letter is about
(unique), a sender's claim, attempts and the next attempt's time.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import navigator.domain.models

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOMENT = navigator.domain.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "notification_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("mode", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("digests_stopped_at", MOMENT, nullable=True),
        sa.Column("signing_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.CheckConstraint("mode IN ('instant', 'digest', 'required')", name="ck_preference_mode"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "expiry_warning",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("warned_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["certificate_account.id"]),
        sa.PrimaryKeyConstraint("account_id"),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mailed_at", MOMENT, nullable=True))
        batch_op.create_index(batch_op.f("ix_notification_mailed_at"), ["mailed_at"])
    text = sqlmodel.sql.sqltypes.AutoString
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("message_id", text(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("html", text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("headers", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("dedup_key", text(length=120), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", MOMENT, nullable=True))
        batch_op.add_column(
            sa.Column("claim_token", text(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("next_attempt_at", MOMENT, nullable=True))
        batch_op.add_column(
            sa.Column("last_error", text(length=500), nullable=False, server_default="")
        )
        batch_op.create_unique_constraint("uq_outgoing_mail_dedup_key", ["dedup_key"])


def downgrade() -> None:
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.drop_constraint("uq_outgoing_mail_dedup_key", type_="unique")
        for column in (
            "last_error",
            "next_attempt_at",
            "attempts",
            "claim_token",
            "claimed_until",
            "dedup_key",
            "headers",
            "html",
            "message_id",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_mailed_at"))
        batch_op.drop_column("mailed_at")
    op.drop_table("expiry_warning")
    op.drop_table("notification_preference")
