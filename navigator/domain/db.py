"""The database engine and the one transaction helper every write goes through.

SQLite serialises writers, so a write transaction starts with BEGIN IMMEDIATE and
holds the write lock from its first statement; PostgreSQL rows are locked with
SELECT … FOR UPDATE in a fixed order (period → group → enrollment → account).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session, SQLModel, create_engine, select

from navigator.domain import outbox  # noqa: F401  (every flush records catalog changes)
from navigator.domain.errors import Conflict, InvalidInput
from navigator.settings import get_settings

SQLITE_BUSY_TIMEOUT_MS = 30_000
T = TypeVar("T", bound=SQLModel)


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
    return create_engine(database_url, pool_pre_ping=True, **kwargs)


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
    return make_engine(get_settings().database_url)


@contextmanager
def transaction(engine: Engine | None = None) -> Iterator[Session]:
    """A write transaction: committed when the block ends, rolled back on any error.

    A constraint the database enforces (the backstop behind every rule) surfaces as a
    domain Conflict, an out-of-range value as InvalidInput: never as a crash.
    """
    engine = engine or get_engine()
    try:
        with (
            Session(engine.execution_options(write=True), expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session
    except IntegrityError as error:
        raise Conflict() from error
    except (DataError, OverflowError) as error:
        raise InvalidInput() from error


@contextmanager
def read_session(engine: Engine | None = None) -> Iterator[Session]:
    """A read-only session; nothing it does is committed."""
    engine = engine or get_engine()
    with Session(engine, expire_on_commit=False) as session:
        yield session


def locked(session: Session, model: type[T], row_id: object, *, shared: bool = False) -> T | None:
    """Load one row fresh and lock it until the transaction ends.

    FOR UPDATE, or FOR SHARE when `shared` (others may read-lock it too); on SQLite the
    BEGIN IMMEDIATE of the write transaction already serialises everything.
    """
    if not isinstance(row_id, int) or isinstance(row_id, bool):
        return None
    statement = (
        select(model)
        .where(model.id == row_id)  # type: ignore[attr-defined]
        .with_for_update(read=shared)
        .execution_options(populate_existing=True)
    )
    return session.exec(statement).first()
