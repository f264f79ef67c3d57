"""Contention is never a raw database error: a deadlock or a lock that will not come is
retried, then refused as "busy", translated; locks never wait on foreign-key checks."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from navigator.domain.certificates.models import CertificateAccount
from navigator.domain.enrollment.api import accept_application
from navigator.domain.programs.models import Group
from navigator.domain.shared.db import atomically, is_contention, transaction
from navigator.domain.shared.errors import Busy
from navigator.domain.shared.locks import LockOrderError, locked
from tests.factories import build_world

LOCK_GROUP = text("SELECT 1 FROM program_group WHERE id = :i FOR UPDATE")


def _deadlock(engine) -> list[BaseException]:
    """Two PostgreSQL transactions that lock two rows in opposite orders: one must die."""
    world = build_world(engine)
    second = world.add_group()
    ready = threading.Barrier(2)
    errors: list[BaseException] = []

    def lock(first: int, then: int) -> None:
        try:
            with transaction(engine) as s:
                s.execute(
                    text("SELECT 1 FROM program_group WHERE id = :i FOR UPDATE"), {"i": first}
                )
                ready.wait(timeout=10)
                s.execute(text("SELECT 1 FROM program_group WHERE id = :i FOR UPDATE"), {"i": then})
        except BaseException as error:
            errors.append(error)

    threads = [
        threading.Thread(target=lock, args=(world.group_id, second)),
        threading.Thread(target=lock, args=(second, world.group_id)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_a_real_deadlock_reaches_the_caller_as_busy_never_as_a_database_error(postgres_engine):
    errors = _deadlock(postgres_engine)
    assert len(errors) == 1
    assert isinstance(errors[0], Busy)
    assert isinstance(errors[0].__cause__, OperationalError)
    assert errors[0].http_status == 503
    assert "попробуйте ещё раз" in errors[0].message("ru")


def test_atomically_runs_an_unlucky_transaction_again_and_gives_up_as_busy(engine):
    world = build_world(engine)
    tries = []

    def unlucky_twice(s):
        tries.append(1)
        s.exec(select(Group.id)).all()
        if len(tries) < 3:
            raise Busy()
        return "done"

    assert atomically(unlucky_twice, engine) == "done"
    assert len(tries) == 3

    def always_unlucky(s):
        tries.append(1)
        raise Busy()

    tries.clear()
    with pytest.raises(Busy):
        atomically(always_unlucky, engine)
    assert len(tries) == 4
    assert world.group_id


def test_locks_taken_against_the_order_are_refused_at_once(engine):
    world = build_world(engine)
    with pytest.raises(LockOrderError), transaction(engine) as s:
        locked(s, CertificateAccount, world.account_id)
        locked(s, Group, world.group_id)
    with transaction(engine) as s:  # the same row again, or in order, is fine
        locked(s, Group, world.group_id)
        locked(s, CertificateAccount, world.account_id)
        locked(s, Group, world.group_id)


def test_exclusive_row_locks_do_not_wait_for_foreign_key_checks(postgres_engine):
    """A row locked FOR NO KEY UPDATE still lets another transaction insert a row that
    points at it (PostgreSQL takes FOR KEY SHARE on the parent for that)."""
    world = build_world(postgres_engine)
    other = world.apply()
    with transaction(postgres_engine) as holder:
        locked(holder, Group, world.group_id)
        with postgres_engine.connect() as connection:
            connection.execute(text("SET lock_timeout = '2s'"))
            connection.execute(
                text("SELECT 1 FROM program_group WHERE id = :i FOR KEY SHARE"),
                {"i": world.group_id},
            )
            connection.rollback()
    with transaction(postgres_engine) as s:
        accept_application(s, world.provider_user, other, today=world.today)


def test_is_contention_knows_postgres_and_sqlite_contention_and_nothing_else():
    class Original(Exception):
        def __init__(self, message: str, sqlstate: str | None = None) -> None:
            super().__init__(message)
            self.sqlstate = sqlstate

    assert is_contention(OperationalError("x", {}, Original("deadlock", "40P01")))
    assert is_contention(OperationalError("x", {}, Original("could not serialize", "40001")))
    assert is_contention(OperationalError("x", {}, Original("database is locked")))
    assert not is_contention(OperationalError("x", {}, Original("no such table", "42P01")))
    assert not is_contention(ValueError("database is locked"))
