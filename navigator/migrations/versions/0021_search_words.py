"""search: normalised words for the SQL fallback

A program's words as search keys (search/words.py) in `program_words`, written by the ORM
with every change to what the catalog shows, and filled here for the programs that exist.
SQLite: an FTS5 index over them (external content, kept in step by triggers, as 0003);
PostgreSQL: a GIN index over a weighted 'simple' tsvector (title A, body B), the expression
the fallback ranks with.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PG_DOCUMENT = (
    "(setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'B'))"
)


def upgrade() -> None:
    op.create_table(
        "program_words",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"]),
        sa.PrimaryKeyConstraint("program_id"),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE program_fts_words USING fts5(title, body,"
            " content='program_words', content_rowid='program_id', tokenize='unicode61')"
        )
        op.execute(
            "CREATE TRIGGER program_fts_words_insert AFTER INSERT ON program_words BEGIN"
            " INSERT INTO program_fts_words(rowid, title, body)"
            " VALUES (new.program_id, new.title, new.body); END"
        )
        op.execute(
            "CREATE TRIGGER program_fts_words_delete AFTER DELETE ON program_words BEGIN"
            " INSERT INTO program_fts_words(program_fts_words, rowid, title, body)"
            " VALUES ('delete', old.program_id, old.title, old.body); END"
        )
        op.execute(
            "CREATE TRIGGER program_fts_words_update AFTER UPDATE ON program_words BEGIN"
            " INSERT INTO program_fts_words(program_fts_words, rowid, title, body)"
            " VALUES ('delete', old.program_id, old.title, old.body);"
            " INSERT INTO program_fts_words(rowid, title, body)"
            " VALUES (new.program_id, new.title, new.body); END"
        )
    else:
        op.execute(
            f"CREATE INDEX ix_program_fulltext_words ON program_words USING gin ({PG_DOCUMENT})"
        )
    _fill_words()


def _fill_words() -> None:
    """The programs that exist get the words of what the catalog shows (the certified
    version, else the program as it is); the app writes them from now on. Plain SQL: the
    model may have columns this revision does not know yet."""
    import json

    from search.words import document_words

    bind = op.get_bind()
    words = sa.table(
        "program_words", sa.column("program_id"), sa.column("title"), sa.column("body")
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.text(
                "SELECT id, title, description, tags, certified_version FROM program"
                " WHERE id > :last ORDER BY id LIMIT 2000"
            ),
            {"last": last},
        ).all()
        if not rows:
            return
        batch = []
        for program_id, title, description, tags, certified in rows:
            if isinstance(certified, str):
                certified = json.loads(certified)
            shown = certified or {"title": title, "description": description, "tags": tags}
            batch.append(
                {
                    "program_id": program_id,
                    "title": document_words(shown["title"]),
                    "body": document_words(shown["tags"], shown["description"]),
                }
            )
        bind.execute(sa.insert(words), batch)
        last = rows[-1][0]


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS program_fts_words_{trigger}")
        op.execute("DROP TABLE IF EXISTS program_fts_words")
    else:
        op.execute("DROP INDEX IF EXISTS ix_program_fulltext_words")
    op.drop_table("program_words")
