"""search: a full-text index over the programs' title words (PostgreSQL)

The SQL fallback ranks a match by its title's words (search/fallback.py). A broad word
("program*") matches most of the catalog through descriptions, but few titles: this GIN
index finds the titles holding a word of the query, so only those are ranked; every other
title gets the rank ts_rank gives a title without the query's words, worked out once. SQLite ranks with FTS5's bm25 over its own index (migration 0021) and
needs nothing. Like 0021's index it lives outside the models (env_filters.py).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-01 00:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_program_fulltext_title ON program_words"
            " USING gin (to_tsvector('simple', title))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_program_fulltext_title")
