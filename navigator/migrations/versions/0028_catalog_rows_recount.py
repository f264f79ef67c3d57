"""catalog: recount the catalog rows' free seats (applications awaiting a decision count)

Free seats became one count everywhere (navigator/domain/enrollment/seats.py): seats not
taken and not promised to applications awaiting a decision, none while a waiting list
exists. The catalog's per-program rows of an existing database still hold the old count
until their program changes. They are derived rows: emptying them here makes the upgrade
write them all again right after the migrations, by the current code
(navigator.domain.shared.migrate.upgrade → catalog_rows.fill_if_empty), as 0025 did.
The search index is derived too: rebuild it after this upgrade (`navigator search reindex`).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-01 01:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM catalog_group")
    op.execute("DELETE FROM catalog_row")


def downgrade() -> None:
    # the older code fills them again by its own count
    op.execute("DELETE FROM catalog_group")
    op.execute("DELETE FROM catalog_row")
