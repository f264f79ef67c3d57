"""program photo

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a plain ADD COLUMN (no batch copy), so SQLite keeps the program table's FTS triggers
    op.add_column(
        "program",
        sa.Column(
            "photo",
            sqlmodel.sql.sqltypes.AutoString(length=60),
            nullable=False,
            server_default="",
        ),
    )


def downgrade() -> None:
    op.drop_column("program", "photo")
