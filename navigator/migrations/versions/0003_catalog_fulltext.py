"""catalog full-text search for degraded mode

SQLite: an FTS5 index over program titles, descriptions and tags, kept in step by
triggers (the standard external-content pattern). PostgreSQL: a GIN index over the same
text as a 'simple' tsvector. Used only when Meilisearch cannot answer.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PG_DOCUMENT = "to_tsvector('simple', title || ' ' || description || ' ' || tags)"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE program_fts USING fts5(title, description, tags,"
            " content='program', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER program_fts_insert AFTER INSERT ON program BEGIN"
            " INSERT INTO program_fts(rowid, title, description, tags)"
            " VALUES (new.id, new.title, new.description, new.tags); END"
        )
        op.execute(
            "CREATE TRIGGER program_fts_delete AFTER DELETE ON program BEGIN"
            " INSERT INTO program_fts(program_fts, rowid, title, description, tags)"
            " VALUES ('delete', old.id, old.title, old.description, old.tags); END"
        )
        op.execute(
            "CREATE TRIGGER program_fts_update AFTER UPDATE ON program BEGIN"
            " INSERT INTO program_fts(program_fts, rowid, title, description, tags)"
            " VALUES ('delete', old.id, old.title, old.description, old.tags);"
            " INSERT INTO program_fts(rowid, title, description, tags)"
            " VALUES (new.id, new.title, new.description, new.tags); END"
        )
        op.execute("INSERT INTO program_fts(program_fts) VALUES ('rebuild')")
    else:
        op.execute(f"CREATE INDEX ix_program_fulltext ON program USING gin ({PG_DOCUMENT})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("program_fts_insert", "program_fts_delete", "program_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS program_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_program_fulltext")
