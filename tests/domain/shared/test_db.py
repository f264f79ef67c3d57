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
