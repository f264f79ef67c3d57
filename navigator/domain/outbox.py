"""The catalog outbox: every change to a program, group or provider leaves a row, written
in the same transaction as the change itself.

The search relay turns rows into index updates after commit, so the index can never miss
a committed change and never sees an uncommitted one. Rows are written from the session's
after-flush hook, so no service can forget to: a new rule touching a group's seats is
published without anyone remembering to publish it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, event, insert
from sqlmodel import Field, Session, SQLModel

from navigator.domain.models import Group, Program, Provider, UTCDateTime, utcnow


class CatalogChange(SQLModel, table=True):
    """One program (or every program of one provider) whose search document is stale."""

    __tablename__ = "catalog_outbox"

    id: int | None = Field(
        default=None,
        # BIGINT on PostgreSQL; SQLite autoincrements only an INTEGER primary key
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    )
    program_id: int | None = Field(default=None, index=True)
    provider_id: int | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def _changes(session: Session) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Program) and obj.id is not None:
            rows.append({"program_id": obj.id, "provider_id": None})
        elif isinstance(obj, Group) and obj.program_id is not None:
            rows.append({"program_id": obj.program_id, "provider_id": None})
        elif isinstance(obj, Provider) and obj.id is not None and obj not in session.new:
            rows.append({"program_id": None, "provider_id": obj.id})
    return rows


@event.listens_for(Session, "after_flush")
def _record_catalog_changes(session: Session, _flush_context: Any) -> None:
    rows = [dict(t) for t in {tuple(sorted(r.items())) for r in _changes(session)}]
    if rows:
        now = utcnow()
        session.connection().execute(
            insert(CatalogChange), [{**row, "created_at": now} for row in rows]
        )
