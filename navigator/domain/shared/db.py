"""The database engine and the one transaction helper every write goes through.

SQLite serialises writers, so a write transaction starts with BEGIN IMMEDIATE and
holds the write lock from its first statement; PostgreSQL rows are locked in the one order
of `locks.py`.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlmodel import Session, SQLModel, create_engine

from navigator.domain.shared.errors import Busy, Conflict, InvalidInput
from navigator.domain.shared.validation import is_row_id
from navigator.settings import get_settings

log = logging.getLogger(__name__)
SQLITE_BUSY_TIMEOUT_MS = 30_000
T = TypeVar("T")
M = TypeVar("M", bound=SQLModel)


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    """An engine with the project's connection rules for SQLite or PostgreSQL."""
    if database_url.startswith("sqlite"):
        engine = create_engine(
            database_url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    timeout = get_settings().lock_timeout_ms
    connect_args = {"options": f"-c lock_timeout={timeout}", **kwargs.pop("connect_args", {})}
    return create_engine(database_url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    """The app's engine: on PostgreSQL a connection for each handler thread, and a few for
    the relay, the scheduler and the cabinets' poll."""
    settings = get_settings()
    if settings.database_url.startswith("sqlite"):
        return make_engine(settings.database_url)
    threads = settings.handler_threads
    return make_engine(settings.database_url, pool_size=threads + 4, max_overflow=4)


@contextmanager
def transaction(engine: Engine | None = None) -> Iterator[Session]:
    """A write transaction: committed when the block ends, rolled back on any error.

    A constraint the database enforces (the backstop behind every rule) surfaces as a
    domain Conflict, an out-of-range value as InvalidInput, a deadlock or a lock that would
    not come as Busy: never as a raw database error. Work given to `after_commit` runs once
    the commit succeeded; work given to `after_rollback` once the change is gone.
    `atomically` runs a whole transaction again when it was only unlucky.
    """
    engine = engine or get_engine()
    session = Session(engine.execution_options(write=True), expire_on_commit=False)
    try:
        with session, session.begin():
            yield session
    except BaseException as error:
        _run(session, AFTER_ROLLBACK)
        if isinstance(error, IntegrityError):
            raise Conflict() from error
        if isinstance(error, (DataError, OverflowError)):
            raise InvalidInput() from error
        if is_contention(error):
            raise Busy() from error
        raise
    _run(session, AFTER_COMMIT)


# PostgreSQL: serialization_failure, deadlock_detected, lock_not_available
CONTENTION_SQLSTATES = {"40001", "40P01", "55P03"}
# SQLite: another writer kept the database past the busy timeout
CONTENTION_SQLITE = ("database is locked", "database is busy", "database table is locked")
MAX_ATTEMPTS = 4


def is_contention(error: BaseException) -> bool:
    """A failure that says only that other transactions were in the way."""
    if not isinstance(error, OperationalError):
        return False
    original = error.orig
    if getattr(original, "sqlstate", None) in CONTENTION_SQLSTATES:
        return True
    return any(text in str(original).lower() for text in CONTENTION_SQLITE)


def atomically(
    work: Callable[[Session], T], engine: Engine | None = None, *, attempts: int = MAX_ATTEMPTS
) -> T:
    """Run `work` in a transaction, again from the start (after a short random pause) when a
    deadlock or a serialization failure ended it; Busy once `attempts` were all unlucky.

    `work` must do nothing but database work: it may run more than once.
    """
    for attempt in range(1, attempts + 1):
        try:
            with transaction(engine) as session:
                return work(session)
        except Busy:
            if attempt == attempts:
                raise
            time.sleep(random.uniform(0, 0.05 * 2**attempt))
    raise AssertionError("unreachable")  # pragma: no cover


AFTER_COMMIT, AFTER_ROLLBACK = "after_commit", "after_rollback"


def after_commit(session: Session, work: Callable[[], object]) -> None:
    """Run `work` once this transaction has committed, never if it rolls back: mail goes
    out and a replaced file goes away only when the change that caused it is kept."""
    session.info.setdefault(AFTER_COMMIT, []).append(work)


def after_rollback(session: Session, work: Callable[[], object]) -> None:
    """Run `work` if this transaction rolls back: a file written for a change that is lost."""
    session.info.setdefault(AFTER_ROLLBACK, []).append(work)


def _run(session: Session, which: str) -> None:
    """Run the work queued for this outcome. The transaction's outcome is already final: a
    failure here is logged, never reported as the change failing (a letter left unsent is
    sent by the next delivery)."""
    for work in session.info.pop(which, []):
        try:
            work()
        except Exception:
            log.exception("work after the transaction failed")
    session.info.pop(AFTER_COMMIT, None)
    session.info.pop(AFTER_ROLLBACK, None)


# values in one `where … in (…)`: well under SQLite's 32 766 parameters and PostgreSQL's 65 535
IN_CHUNK = 500


def chunks(values: list[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """`values` a slice at a time, for an IN list the database takes whatever their number."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def get_row(session: Session, model: type[M], row_id: object) -> M | None:
    """The row with this id, or None: also for an id of the wrong type ("7", 7.0, True, a
    list), which a browser or an API client can send anywhere an id belongs."""
    if not is_row_id(row_id):
        return None
    return session.get(model, row_id)


@contextmanager
def read_session(engine: Engine | None = None) -> Iterator[Session]:
    """A read-only session; nothing it does is committed."""
    engine = engine or get_engine()
    with Session(engine, expire_on_commit=False) as session:
        yield session
