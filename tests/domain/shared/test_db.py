"""The one transaction helper: all or nothing, and the database's refusals become domain errors."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from navigator.domain.municipalities.models import Municipality
from navigator.domain.shared.db import read_session, transaction
from navigator.domain.shared.errors import Conflict, DomainError
from navigator.domain.shared.locks import locked


def town(code: str) -> Municipality:
    return Municipality(
        code=code, name="T", country="RU", currency="RUB", locale="ru", timezone="Europe/Moscow"
    )


def test_a_unique_key_violation_is_a_conflict_and_rolls_everything_back(engine):
    with transaction(engine) as s:
        s.add(town("a"))
    with pytest.raises(Conflict), transaction(engine) as s:
        s.add(town("b"))
        s.flush()
        s.add(town("a"))
        s.flush()
    with read_session(engine) as s:
        assert s.exec(select(func.count()).select_from(Municipality)).one() == 1


def test_a_check_constraint_backstops_a_missed_rule(engine):
    # SQLite: the CHECK on the length; PostgreSQL: VARCHAR(3) itself (InvalidInput)
    with pytest.raises(DomainError), transaction(engine) as s:
        s.add(
            Municipality(
                code="x", name="T", country="RU", currency="RUBLES", locale="ru", timezone="UTC"
            )
        )


def test_locking_a_malformed_id_finds_nothing(engine):
    with transaction(engine) as s:
        s.add(town("a"))
    with transaction(engine) as s:
        assert locked(s, Municipality, "1") is None
        assert locked(s, Municipality, True) is None
        assert locked(s, Municipality, 1).code == "a"


def test_the_app_keeps_a_connection_for_each_handler_thread(monkeypatch):
    """On PostgreSQL the app's pool holds a connection for every handler thread and a few
    for its background threads, and a few more at most."""
    from navigator.domain.shared import db
    from navigator.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("NAVIGATOR_HANDLER_THREADS", "12")
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    try:
        pool = db.get_engine().pool
        assert (pool.size(), pool._max_overflow) == (16, 4)  # type: ignore[attr-defined]
    finally:
        db.get_engine.cache_clear()
        get_settings.cache_clear()
