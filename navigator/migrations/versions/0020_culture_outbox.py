"""culture outbox: a catalog outbox row can name a culture service (its document in the
culture-services index), in a column of its own

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 11:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("catalog_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("culture_service_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_catalog_outbox_culture_service_id"), ["culture_service_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("catalog_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_outbox_culture_service_id"))
        batch_op.drop_column("culture_service_id")
