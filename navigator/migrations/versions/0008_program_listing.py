"""program listing

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 00:38:13.058252
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK = "listing IN ('listed', 'suspended', 'archived')"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # ADD COLUMN in place: a batch copy of the table would drop its full-text triggers
        op.execute(
            "ALTER TABLE program ADD COLUMN listing VARCHAR(10) NOT NULL DEFAULT 'listed'"
            f" CONSTRAINT ck_program_listing CHECK ({CHECK})"
        )
        return
    op.add_column(
        "program",
        sa.Column(
            "listing",
            sqlmodel.sql.sqltypes.AutoString(length=10),
            nullable=False,
            server_default="listed",
        ),
    )
    op.create_check_constraint("ck_program_listing", "program", CHECK)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE program DROP COLUMN listing")
        return
    op.drop_constraint("ck_program_listing", "program", type_="check")
    op.drop_column("program", "listing")
