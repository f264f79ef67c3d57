"""One narrow row per catalog program, so the SQL fallback filters, counts and sorts 100 000
programs without joining providers and municipalities or aggregating groups per query.

`catalog_row` holds what the search document holds for filters, facets and sorts (the
certified version's values, like search/documents.py), only for programs in the catalog;
`catalog_group` holds the groups parents may apply to apart from the date (open, on terms
the municipality certified, or a free program's free ones). Both are written with every
change to a program, its groups, its provider's admission or its municipality, by the
session's flush and by bulk Core inserts (the seed), in the writer's transaction; and with
every application made, decided, withdrawn or promoted, as free seats count them
(navigator/domain/enrollment/seats.py).

What depends on today stays right without a daily job: a row's group values were worked out
for the groups not over on the day it was written, and it keeps the days between which that
set of groups is the live one (`fresh_from` … `fresh_until`). On another day the fallback
reads the row's groups from `catalog_group` instead (search/fallback.py).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from functools import reduce
from operator import or_
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    Index,
    Insert,
    delete,
    event,
    insert,
    select,
    text,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import object_session
from sqlmodel import Field, Session, SQLModel

from navigator.domain.enrollment.models import Enrollment
from navigator.domain.enrollment.seats import (
    SeatClaims,
    group_free_seats,
    moves_free_seats,
    seat_claims,
)
from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.models import NEW_PROGRAM_HOOKS, Group, Program
from navigator.domain.providers.models import Provider
from navigator.domain.shared import outbox
from navigator.domain.shared.migrate import AFTER_UPGRADE

BATCH = 2_000
LOCK_SPACE = 0x6361  # "ca": the advisory locks of catalog rows (PostgreSQL)
LOCK_BUCKETS = 1024
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


class CatalogRow(SQLModel, table=True):
    """A program in the catalog as its search document filters and sorts it."""

    __tablename__ = "catalog_row"
    __table_args__ = (
        # the four facets first, then every filtered column: counting reads only this index,
        # in the order the counts group by
        Index("ix_catalog_row_facets", *FACET_INDEX),
        Index("ix_catalog_row_lowest_price", "lowest_price"),
        Index("ix_catalog_row_first_start", "first_start"),
    )

    program_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    municipality: str = Field(max_length=40)
    currency: str = Field(max_length=3)
    direction: str = Field(max_length=30)
    format: str = Field(max_length=20)
    language: str = Field(max_length=5)
    age_min: int
    age_max: int
    payable: bool
    is_free: bool
    latitude: float | None = None
    longitude: float | None = None
    # over the live groups on the days fresh_from … fresh_until (None: no bound that side)
    lowest_price: int | None = Field(default=None, sa_type=BigInteger)
    free_seats: int = 0
    weekdays: int = 0  # bit (weekday - 1) for each ISO weekday a live group meets on
    first_start: date | None = None  # the earliest start; "nearest start" is max(it, today)
    fresh_from: date | None = None
    fresh_until: date | None = None


class CatalogGroup(SQLModel, table=True):
    """A group of a catalog program that takes applications until it ends."""

    __tablename__ = "catalog_group"
    __table_args__ = (Index("ix_catalog_group_program", "program_id", "ends_on"),)

    group_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    program_id: int
    starts_on: date
    ends_on: date
    price: int = Field(sa_type=BigInteger)
    free_seats: int
    weekdays: int


class _ProgramView(SimpleNamespace):
    """A program's stored columns read by the model's own rules (building SQLModel objects
    for 100 000 programs in the seed's insert would cost more than the insert)."""

    terms = Program.terms
    shown = Program.shown
    payable_by_certificate = Program.payable_by_certificate
    takes_applications = Program.takes_applications


class _GroupView(SimpleNamespace):
    terms = Group.terms
    certified = Group.certified


def weekday_mask(days: Iterable[int]) -> int:
    mask = 0
    for day in days:
        mask |= 1 << (int(day) - 1)
    return mask


def _program_columns() -> list[Any]:
    table = Program.__table__  # type: ignore[attr-defined]
    return [c for c in table.c if c.name not in ("created_at", "updated_at")]


def _group_columns() -> list[Any]:
    table = Group.__table__  # type: ignore[attr-defined]
    return [c for c in table.c if c.name not in ("created_at", "teacher", "name", "external_id")]


def _rows_of(
    program: Any,
    municipality: str,
    currency: str,
    groups: list[Any],
    today: date,
    claims: dict[int, SeatClaims],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The row and the group rows, by the rules the search document uses (free seats:
    enrollment.seats, given the groups' applications)."""
    shown = program.shown
    taking = [g for g in groups if g.enrollment_open and program.takes_applications(g)]
    live = [g for g in taking if g.ends_on >= today]
    over = [g for g in taking if g.ends_on < today]
    masks = {g.id: weekday_mask(int(s["weekday"]) for s in g.timetable) for g in taking}
    row = {
        "program_id": program.id,
        "municipality": municipality,
        "currency": currency,
        "direction": shown["direction"],
        "format": shown["format"],
        "language": shown["language"],
        "age_min": shown["age_min"],
        "age_max": shown["age_max"],
        "payable": program.payable_by_certificate,
        "is_free": bool(shown["is_free"]),
        "latitude": program.latitude,
        "longitude": program.longitude,
        "lowest_price": min((g.price_per_lesson_minor for g in live), default=None),
        "free_seats": sum(group_free_seats(g, claims) for g in live),
        "weekdays": reduce(or_, (masks[g.id] for g in live), 0),
        "first_start": min((g.starts_on for g in live), default=None),
        "fresh_from": max((g.ends_on for g in over), default=None),
        "fresh_until": min((g.ends_on for g in live), default=None),
    }
    if row["fresh_from"] is not None:
        row["fresh_from"] += timedelta(days=1)  # the day after the last of them ended
    group_rows = [
        {
            "group_id": g.id,
            "program_id": program.id,
            "starts_on": g.starts_on,
            "ends_on": g.ends_on,
            "price": g.price_per_lesson_minor,
            "free_seats": group_free_seats(g, claims),
            "weekdays": masks[g.id],
        }
        for g in taking
    ]
    return row, group_rows


def refresh_catalog_rows(
    connection: Connection, program_ids: Iterable[int] | None = None, today: date | None = None
) -> int:
    """Write the rows of these programs (every program: None) from what is stored now, and
    remove those of programs no longer in the catalog. Plain columns, no ORM session: this
    runs inside someone's flush. Returns how many programs are in the catalog."""
    today = today or date.today()
    if program_ids is None:
        _lock_buckets(connection, range(LOCK_BUCKETS))
        return sum(_refresh(connection, batch, today) for batch in _every_program(connection))
    wanted = sorted({int(i) for i in program_ids})
    _lock_buckets(connection, wanted)
    return sum(
        _refresh(connection, wanted[i : i + BATCH], today) for i in range(0, len(wanted), BATCH)
    )


def _lock_buckets(connection: Connection, ids: Iterable[int]) -> None:
    """PostgreSQL: one writer of a program's rows at a time, until it commits: a second
    transaction (another group of the same program, say) then reads the first one's change
    too, instead of writing over it what it read before (or colliding on the row's key).
    Programs share LOCK_BUCKETS locks (a bulk insert of 25 000 programs in one transaction
    would not fit one lock each in the server's lock table), all taken in one statement in
    bucket order, and only as the transaction commits (`_write_at_commit`), after every
    other lock it takes: so no two writers wait for each other in a circle."""
    if connection.dialect.name != "postgresql":
        return  # SQLite: one writer at a time already
    connection.execute(
        text("SELECT pg_advisory_xact_lock(:space, b) FROM unnest(CAST(:buckets AS int[])) b"),
        {"space": LOCK_SPACE, "buckets": sorted({i % LOCK_BUCKETS for i in ids})},
    )


def fill_if_empty(connection: Connection) -> int:
    """After the migrations (navigator.domain.shared.migrate): the rows of a catalog that
    has none yet (a database upgraded across 0025), by the app's current rules, as a search
    index is rebuilt by the current code; 0 when there was nothing to do."""
    rows = CatalogRow.__table__  # type: ignore[attr-defined]
    programs = Program.__table__  # type: ignore[attr-defined]
    if connection.execute(select(rows.c.program_id).limit(1)).first() is not None:
        return 0
    if connection.execute(select(programs.c.id).limit(1)).first() is None:
        return 0
    return refresh_catalog_rows(connection)


def _every_program(connection: Connection) -> Iterator[list[int]]:
    table = Program.__table__  # type: ignore[attr-defined]
    last = 0
    while True:
        ids = list(
            connection.execute(
                select(table.c.id).where(table.c.id > last).order_by(table.c.id).limit(BATCH)
            ).scalars()
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def _refresh(connection: Connection, ids: list[int], today: date) -> int:
    from navigator.domain.programs.queries import catalog_filter  # it imports the models'

    if not ids:
        return 0
    programs = Program.__table__  # type: ignore[attr-defined]
    groups = Group.__table__  # type: ignore[attr-defined]
    rows_table = CatalogRow.__table__  # type: ignore[attr-defined]
    groups_table = CatalogGroup.__table__  # type: ignore[attr-defined]
    columns: list[Any] = [*_program_columns(), Municipality.code, Municipality.currency]
    found = connection.execute(
        select(*columns)
        .select_from(programs)
        .join(Provider, Provider.id == programs.c.provider_id)  # type: ignore[arg-type]
        .join(Municipality, Municipality.id == programs.c.municipality_id)  # type: ignore[arg-type]
        .where(programs.c.id.in_(ids), catalog_filter())
    ).all()
    by_program: dict[int, list[_GroupView]] = {}
    if found:
        for values in connection.execute(
            select(*_group_columns()).where(
                groups.c.program_id.in_([r.id for r in found]), groups.c.enrollment_open
            )
        ):
            by_program.setdefault(values.program_id, []).append(_GroupView(**values._asdict()))
    claims = seat_claims(connection, (g.id for gs in by_program.values() for g in gs))
    rows: list[dict[str, Any]] = []
    group_rows: list[dict[str, Any]] = []
    for values in found:
        fields = values._asdict()
        code, currency = fields.pop("code"), fields.pop("currency")
        program = _ProgramView(**fields)
        its = by_program.get(values.id, [])
        row, its_groups = _rows_of(program, code, currency, its, today, claims)
        rows.append(row)
        group_rows += its_groups
    connection.execute(delete(rows_table).where(rows_table.c.program_id.in_(ids)))
    connection.execute(delete(groups_table).where(groups_table.c.program_id.in_(ids)))
    if rows:
        connection.execute(insert(rows_table), rows)
    if group_rows:
        connection.execute(insert(groups_table), group_rows)
    return len(rows)


def _changed(obj: Any, names: tuple[str, ...]) -> bool:
    state = sa_inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def programs_touched(session: Session) -> set[int]:
    """Programs whose catalog row a flush may have changed: their own rows or groups, an
    application to one of their groups (free seats count the applications), or their
    provider's admission, or their municipality's code or currency."""
    ids: set[int] = set()
    groups: set[int] = set()
    providers: set[int] = set()
    municipalities: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Program) and obj.id is not None:
            ids.add(obj.id)
        elif isinstance(obj, Enrollment) and moves_free_seats(obj, obj in session.new):
            groups.add(obj.group_id)
        elif isinstance(obj, Group) and obj.program_id is not None:
            ids.add(obj.program_id)
            if obj in session.dirty and _changed(obj, ("program_id",)):
                ids.update(v for v in sa_inspect(obj).attrs.program_id.history.deleted if v)
        elif isinstance(obj, Provider) and obj.id is not None and obj in session.dirty:
            providers.update([obj.id] if _changed(obj, ("admitted",)) else [])
        elif isinstance(obj, Municipality) and obj.id is not None and obj in session.dirty:
            municipalities.update([obj.id] if _changed(obj, ("code", "currency")) else [])
    table = Program.__table__  # type: ignore[attr-defined]
    connection = session.connection()
    unknown: set[int] = set()
    for group_id in groups:  # a group the session holds (an application's, mostly) names it
        group = session.identity_map.get(session.identity_key(Group, group_id))
        program_id = sa_inspect(group).dict.get("program_id") if group is not None else None
        if program_id is None:
            unknown.add(group_id)
        else:
            ids.add(program_id)
    if unknown:
        group_table = Group.__table__  # type: ignore[attr-defined]
        ids.update(
            connection.execute(
                select(group_table.c.program_id).where(group_table.c.id.in_(unknown))
            ).scalars()
        )
    if providers:
        ids.update(
            connection.execute(
                select(table.c.id).where(table.c.provider_id.in_(providers))
            ).scalars()
        )
    if municipalities:
        ids.update(
            connection.execute(
                select(table.c.id).where(table.c.municipality_id.in_(municipalities))
            ).scalars()
        )
    return ids


def _program_of_application(enrollment: Enrollment, is_new: bool) -> outbox.ChangeRow | None:
    """The outbox row of an application's change that moves its group's free seats: its
    program's document is sent again (one more reindex of the program, which the relay
    coalesces with the other rows of its batch: one document per program)."""
    if not moves_free_seats(enrollment, is_new):
        return None
    session = object_session(enrollment)
    group = session.get(Group, enrollment.group_id) if session is not None else None
    # the same row as the group's own change: one row when both change in one flush
    return {"program_id": group.program_id, "provider_id": None} if group is not None else None


# the catalog's free seats count the applications awaiting a decision and the waiting list
outbox.publishes(Enrollment, _program_of_application)


# A session's flushes only note which programs they touched; the rows are written once, as
# the session commits, after every other lock the transaction takes (money paths lock places
# and accounts first): a row lock taken mid-transaction would put the catalog's locks between
# the money's, and a long CSV import would hold them all until its end.
PENDING = "catalog_rows_pending"  # in Session.info: program ids to write at commit
# the connections the ORM is flushing on: the engine hooks below leave their inserts to the
# session (weak: a connection is forgotten with its transaction, even after a failed flush)
_FLUSHING: weakref.WeakSet[Connection] = weakref.WeakSet()


@event.listens_for(Session, "before_flush")
def _flush_begins(session: Session, _flush_context: Any, _instances: Any) -> None:
    _FLUSHING.add(session.connection())


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session: Session, _flush_context: Any) -> None:
    ids = programs_touched(session)
    if ids:
        session.info.setdefault(PENDING, set()).update(ids)


@event.listens_for(Session, "after_flush_postexec")
def _flush_ends(session: Session, _flush_context: Any) -> None:
    _FLUSHING.discard(session.connection())


@event.listens_for(Session, "before_commit")
def _write_at_commit(session: Session) -> None:
    session.flush()  # the last changes note their programs first
    ids = session.info.pop(PENDING, None)
    if ids:
        refresh_catalog_rows(session.connection(), ids)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the whole transaction is over: committed or rolled back
        session.info.pop(PENDING, None)


def program_ids_of_inserted_groups(params: Any) -> set[int]:
    """The programs named by a Core insert's parameters (one dict or a list of them)."""
    found: set[int] = set()
    stack = [params]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("program_id") is not None:
                found.add(int(item["program_id"]))
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return found


@event.listens_for(Engine, "after_execute")
def _rows_of_bulk_groups(
    connection: Connection,
    statement: Any,
    multiparams: Any,
    params: Any,
    _options: Any,
    _result: Any,
) -> None:
    """Groups inserted without the ORM (the bulk seed) name their programs. (The ORM's own
    inserts are noted by the session's flush hook and written at its commit.)"""
    if not (isinstance(statement, Insert) and statement.table.name == "program_group"):
        return
    if connection in _FLUSHING:
        return
    ids = program_ids_of_inserted_groups([multiparams, params])
    if ids:
        refresh_catalog_rows(connection, ids)


def _rows_of_bulk_programs(connection: Connection, ids: list[int]) -> None:
    if connection not in _FLUSHING:  # the ORM's are written at the session's commit
        refresh_catalog_rows(connection, ids)


# programs inserted without the ORM: found by models.py's bulk hook, which knows which
NEW_PROGRAM_HOOKS.append(_rows_of_bulk_programs)

# a catalog upgraded across migration 0025 gets its rows after the migrations
AFTER_UPGRADE.append(fill_if_empty)
