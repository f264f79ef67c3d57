"""catalog rows: one narrow row per catalog program for the SQL fallback

`catalog_row` (what the search document filters, counts and sorts by: the certified
version's values, the municipality's code and currency, the live groups' lowest price, free
seats, weekdays and first start, and the days those values hold) and `catalog_group` (the
groups that take applications until they end), written by the app with every change
(navigator/domain/programs/catalog_rows.py), and for the programs that exist right after the
migrations (navigator.domain.shared.migrate.upgrade).

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-30 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FACET_INDEX = (
    "direction",
    "format",
    "language",
    "municipality",
    "age_min",
    "age_max",
    "payable",
    "is_free",
    "currency",
    "free_seats",
    "lowest_price",
    "weekdays",
    "first_start",
    "fresh_from",
    "fresh_until",
    "latitude",
    "longitude",
)


def upgrade() -> None:
    op.create_table(
        "catalog_row",
        sa.Column("program_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("municipality", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("direction", sa.String(length=30), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("age_min", sa.Integer(), nullable=False),
        sa.Column("age_max", sa.Integer(), nullable=False),
        sa.Column("payable", sa.Boolean(), nullable=False),
        sa.Column("is_free", sa.Boolean(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("lowest_price", sa.BigInteger(), nullable=True),
        sa.Column("free_seats", sa.Integer(), nullable=False),
        sa.Column("weekdays", sa.Integer(), nullable=False),
        sa.Column("first_start", sa.Date(), nullable=True),
        sa.Column("fresh_from", sa.Date(), nullable=True),
        sa.Column("fresh_until", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("program_id"),
    )
    # the four facets, then every filtered column: the counts read only this index
    op.create_index("ix_catalog_row_facets", "catalog_row", list(FACET_INDEX))
    op.create_index("ix_catalog_row_lowest_price", "catalog_row", ["lowest_price"])
    op.create_index("ix_catalog_row_first_start", "catalog_row", ["first_start"])
    op.create_table(
        "catalog_group",
        sa.Column("group_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("free_seats", sa.Integer(), nullable=False),
        sa.Column("weekdays", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("group_id"),
    )
    op.create_index("ix_catalog_group_program", "catalog_group", ["program_id", "ends_on"])
    # the rows of the programs that exist are written after the migrations, by the app's
    # rules of that day (navigator.domain.shared.migrate.upgrade → catalog_rows.fill_if_empty),
    # as a search index is rebuilt: code here would break once the models change


def downgrade() -> None:
    op.drop_index("ix_catalog_group_program", table_name="catalog_group")
    op.drop_table("catalog_group")
    for name in ("first_start", "lowest_price", "facets"):
        op.drop_index(f"ix_catalog_row_{name}", table_name="catalog_row")
    op.drop_table("catalog_row")
