"""The one order in which a transaction locks rows, and the only way rows are locked.

Two transactions that lock the same rows in different orders can each wait for the other
forever (a deadlock). So every service locks through `locked` or `locked_rows`, and they
check, for each transaction, that tables are locked in LOCK_ORDER: a lock on a table that
comes earlier in the order, taken after a lock on a later one, is refused at once with
LockOrderError (a programming error, found by the tests) instead of deadlocking under load.
Rows of one table may be locked in any order for now; a row already locked may be locked
again, and so may a row the transaction inserted itself (`note_created`: nobody else can
see it yet). A table not named here is locked on its own, never together with another.

On SQLite the BEGIN IMMEDIATE of every write transaction already serialises writers; the
order is checked there too, so a mistake shows on either database.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, select

from navigator.domain.shared.validation import is_row_id

T = TypeVar("T", bound=SQLModel)

# Earlier first. Why this order:
#   municipality, app_user   a child is added under its municipality and guardian (shared)
#   enrollment_offer → child the offer decides which child; the child serialises its family
#   child → funding_period   a child's applications and certificate before the period money
#   funding_period → group   an acceptance fixes the period (budget, not closing) first
#   program_group → program  a group's new price sends its program back to review
#   program → enrollment     then the child's place in the group
#   enrollment → attendance  then a lesson of that place
#   → certificate_account    money last: the ledger locks the account when it posts
# The culture pass's tables are never locked with the certificates' (they only come after):
#   culture_booking → culture_session   a booking's status, then its session's capacity
#   → school_wallet                     the school's money serialises its bookings
#   → pupil_year                        each pupil's yearly cap, in id order
LOCK_ORDER: tuple[str, ...] = (
    "municipality",
    "app_user",
    "enrollment_offer",
    "child",
    "funding_period",
    "program_group",
    "program",
    "enrollment",
    "attendance",
    "certificate_account",
    "culture_booking",
    "culture_session",
    "school_wallet",
    "pupil_year",
)
_RANK = {table: rank for rank, table in enumerate(LOCK_ORDER)}


class LockOrderError(RuntimeError):
    """A service locked rows against LOCK_ORDER: fix the service, not the order."""


def _check_order(session: Session, model: type[SQLModel]) -> str:
    """Refuse a lock on a table that comes before one this transaction already locked."""
    table = str(model.__tablename__)
    rank = _RANK.get(table)
    highest = session.info.get("lock_rank_highest", -1)
    if rank is not None and rank < highest:
        raise LockOrderError(
            f"{table} locked after {LOCK_ORDER[highest]}: see navigator/domain/shared/locks.py"
        )
    return table


def _note_lock(session: Session, model: type[SQLModel], row_ids: list[Any]) -> None:
    table = str(model.__tablename__)
    held: set[tuple[str, Any]] = session.info.setdefault("locks_held", set())
    new = [row_id for row_id in row_ids if (table, row_id) not in held]
    rank = _RANK.get(table)
    if rank is not None and new:
        _check_order(session, model)
        session.info["lock_rank_highest"] = max(rank, session.info.get("lock_rank_highest", -1))
    held.update((table, row_id) for row_id in new)


def note_created(session: Session, model: type[SQLModel], row_ids: list[Any]) -> None:
    """Rows this transaction inserted (call after the flush that gave them ids): no other
    transaction can see them until it ends, so they are held already, whatever it locked
    before; a later `locked` on one of them takes nothing new and checks no order. Without
    this, a mark written after its account was locked could not be locked to be corrected."""
    table = str(model.__tablename__)
    held: set[tuple[str, Any]] = session.info.setdefault("locks_held", set())
    held.update((table, row_id) for row_id in row_ids if row_id is not None)


def locked(session: Session, model: type[T], row_id: object, *, shared: bool = False) -> T | None:
    """Load one row fresh and lock it until the transaction ends; None for a bad or unknown id.

    FOR NO KEY UPDATE, or FOR SHARE when `shared` (others may read-lock it too). Not FOR
    UPDATE: no id ever changes, and FOR UPDATE would wait for the FOR KEY SHARE lock that
    PostgreSQL takes on a parent row whenever a row pointing at it is written, which is how
    two transactions writing children of the same parent deadlocked.
    """
    if not is_row_id(row_id):
        return None
    _note_lock(session, model, [row_id])
    statement = (
        select(model)
        .where(model.id == row_id)  # type: ignore[attr-defined]
        .with_for_update(read=shared, key_share=not shared)
        .execution_options(populate_existing=True)
    )
    return session.exec(statement).first()


def locked_rows(session: Session, model: type[T], statement: Any) -> list[T]:
    """Every row of `model` the select finds, loaded fresh and locked FOR NO KEY UPDATE."""
    _check_order(session, model)  # before waiting for any of them
    rows = list(
        session.exec(
            statement.with_for_update(key_share=True).execution_options(populate_existing=True)
        ).all()
    )
    _note_lock(session, model, [getattr(row, "id", row) for row in rows])
    return rows
