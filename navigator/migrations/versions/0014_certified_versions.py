"""certified versions: the program content and group terms the municipality last certified

Programs certified before this revision are taken as certified exactly as they are now.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 07:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import navigator.domain.models
from navigator.domain.programs.models import CERTIFIED_PROGRAM_FIELDS

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "certified_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("certified_version", sa.JSON(none_as_null=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_program_certified_at"), ["certified_at"])
    with op.batch_alter_table("program_group", schema=None) as batch_op:
        batch_op.add_column(sa.Column("certified_terms", sa.JSON(none_as_null=True), nullable=True))
    _stamp_certified_programs()


def _stamp_certified_programs() -> None:
    """A program certified (or suspended after certification) today keeps what it has."""
    bind = op.get_bind()
    program = sa.table(
        "program",
        sa.column("id", sa.Integer),
        sa.column("certification_status", sa.String),
        sa.column("updated_at", navigator.domain.models.UTCDateTime(timezone=True)),
        sa.column("certified_at", navigator.domain.models.UTCDateTime(timezone=True)),
        sa.column("certified_version", sa.JSON(none_as_null=True)),
        *(sa.column(name) for name in CERTIFIED_PROGRAM_FIELDS),
    )
    group = sa.table(
        "program_group",
        sa.column("id", sa.Integer),
        sa.column("program_id", sa.Integer),
        sa.column("starts_on", sa.Date),
        sa.column("ends_on", sa.Date),
        sa.column("timetable", sa.JSON),
        sa.column("excluded_dates", sa.JSON),
        sa.column("price_per_lesson_minor", sa.BigInteger),
        sa.column("certified_terms", sa.JSON(none_as_null=True)),
    )
    rows = (
        bind.execute(
            sa.select(program).where(program.c.certification_status.in_(["certified", "suspended"]))
        )
        .mappings()
        .all()
    )
    for row in rows:
        version = {name: row[name] for name in CERTIFIED_PROGRAM_FIELDS}
        version["is_free"] = bool(version["is_free"])
        bind.execute(
            program.update()
            .where(program.c.id == row["id"])
            .values(certified_at=row["updated_at"], certified_version=version)
        )
        groups = bind.execute(sa.select(group).where(group.c.program_id == row["id"]))
        for g in groups.mappings().all():
            terms = {
                "starts_on": g["starts_on"].isoformat(),
                "ends_on": g["ends_on"].isoformat(),
                "timetable": [
                    {"weekday": int(s["weekday"]), "start": str(s["start"]), "end": str(s["end"])}
                    for s in g["timetable"]
                ],
                "excluded_dates": sorted(str(d) for d in g["excluded_dates"]),
                "price_per_lesson_minor": int(g["price_per_lesson_minor"]),
            }
            bind.execute(group.update().where(group.c.id == g["id"]).values(certified_terms=terms))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # plain DROP COLUMN: a batch copy of `program` would lose its full-text triggers
        op.drop_index("ix_program_certified_at", table_name="program")
        op.execute("ALTER TABLE program DROP COLUMN certified_version")
        op.execute("ALTER TABLE program DROP COLUMN certified_at")
        op.execute("ALTER TABLE program_group DROP COLUMN certified_terms")
        return
    op.drop_column("program_group", "certified_terms")
    op.drop_index("ix_program_certified_at", table_name="program")
    op.drop_column("program", "certified_version")
    op.drop_column("program", "certified_at")
