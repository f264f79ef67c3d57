"""The catalog outbox: every change to a program, group or provider leaves a row, written
in the same transaction as the change itself.

The search relay turns rows into index updates after commit, so the index can never miss
a committed change and never sees an uncommitted one. Rows are written from the session's
after-flush hook, so no service can forget to: a new rule touching a group's seats is
published without anyone remembering to publish it.

A table whose rows the catalog shows says so where it is defined, with `publishes`:
shared code never imports a concept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event, insert
from sqlmodel import Session

from navigator.domain.shared.models import CatalogChange, utcnow

# for each published table: the outbox row a changed object stands for (None: nothing yet)
ChangeRow = dict[str, int | None]
_PUBLISHED: dict[type, Callable[[Any, bool], ChangeRow | None]] = {}


def publishes(model: type, row_for: Callable[[Any, bool], ChangeRow | None]) -> None:
    """Every flushed change of `model` leaves `row_for(obj, is_new)` in the outbox."""
    _PUBLISHED[model] = row_for


def culture_service_change(service_id: int | None) -> ChangeRow | None:
    """The row for a culture service (its document in the culture index)."""
    return {"culture_service_id": service_id} if service_id else None


def _changes(session: Session) -> list[ChangeRow]:
    rows: list[ChangeRow] = []
    for obj in (*session.new, *session.dirty, *session.deleted):
        row_for = _PUBLISHED.get(type(obj))
        row = row_for(obj, obj in session.new) if row_for else None
        if row is not None:
            rows.append(row)
    return rows


@event.listens_for(Session, "after_flush")
def _record_catalog_changes(session: Session, _flush_context: Any) -> None:
    rows = [dict(t) for t in {tuple(sorted(r.items())) for r in _changes(session)}]
    if rows:
        now = utcnow()
        empty = {"program_id": None, "provider_id": None, "culture_service_id": None}
        session.connection().execute(
            insert(CatalogChange), [{**empty, **row, "created_at": now} for row in rows]
        )
