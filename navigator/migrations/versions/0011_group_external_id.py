"""group external id

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 00:48:11.702796
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("program_group", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )
        batch_op.create_index("uq_group_external", ["program_id", "external_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("program_group", schema=None) as batch_op:
        batch_op.drop_index("uq_group_external")
        batch_op.drop_column("external_id")
