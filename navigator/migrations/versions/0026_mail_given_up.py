"""outgoing mail: when the sender gave a letter up

A server that refuses an address for good (5xx) and a letter still unsent after days of
retries are no longer retried every hour forever; the person is told on their notifications
page that letters to their address do not arrive (read by recipient: indexed).

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-30 17:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import navigator.domain.models

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outgoing_mail") as batch:
        batch.add_column(
            sa.Column(
                "given_up_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=True
            )
        )
    op.create_index("ix_outgoing_mail_recipient", "outgoing_mail", ["recipient"])


def downgrade() -> None:
    op.drop_index("ix_outgoing_mail_recipient", table_name="outgoing_mail")
    with op.batch_alter_table("outgoing_mail") as batch:
        batch.drop_column("given_up_at")
