"""Many session tokens resolved at once (the open cabinets' poll) by the same rules as one:
a token signed out, ended, expired, of a disabled account or malformed signs nobody in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

import navigator.domain.accounts.signin as signin
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role, User
from navigator.domain.accounts.signin import (
    SESSION_LIFETIME,
    sign_out,
    start_session,
    user_for_token,
    user_ids_for_tokens,
)
from navigator.domain.shared.db import read_session, transaction
from navigator.domain.shared.models import utcnow

PASSWORD = "first-pass-2026"


@pytest.fixture
def tokens(engine) -> dict[str, tuple[str | None, int | None]]:
    """Each token by what it is, with the user it must sign in (None: nobody)."""
    with transaction(engine) as s:
        mama, papa, gone = (
            create_user(s, f"{name}@example.org", PASSWORD, roles=((Role.PARENT, None, None),))
            for name in ("mama", "papa", "gone")
        )
        now = utcnow()
        found: dict[str, tuple[str | None, int | None]] = {
            "phone": (start_session(s, mama.id, now).token, mama.id),
            "laptop": (start_session(s, mama.id, now).token, mama.id),
            "papa": (start_session(s, papa.id, now).token, papa.id),
            "expired": (
                start_session(s, papa.id, now - SESSION_LIFETIME - timedelta(seconds=1)).token,
                None,
            ),
            "signed_out": (start_session(s, papa.id, now).token, None),
            "disabled": (start_session(s, gone.id, now).token, None),
            "forged": ("forged-token", None),
            "too_long": ("x" * 5000, None),
            "empty": ("", None),
            "none": (None, None),
        }
        sign_out(s, found["signed_out"][0])
        account = s.exec(select(User).where(User.id == gone.id)).one()
        account.is_active = False
        s.add(account)
    return found


def test_many_tokens_sign_in_whom_each_would_alone(engine, tokens):
    with read_session(engine) as s:
        users = user_ids_for_tokens(s, [token for token, _user in tokens.values()])
        for name, (token, user_id) in tokens.items():
            alone = user_for_token(s, token)
            assert (alone.id if alone else None) == user_id, name
            assert users.get(token) == user_id, name  # type: ignore[arg-type]
    assert len(users) == 3  # the phone, the laptop and papa's


def test_every_token_ends_with_its_session_s_lifetime(engine, tokens):
    later = utcnow() + SESSION_LIFETIME + timedelta(seconds=1)
    with read_session(engine) as s:
        assert user_ids_for_tokens(s, [token for token, _user in tokens.values()], now=later) == {}


def test_tokens_are_read_in_one_statement_per_chunk(engine, tokens, monkeypatch):
    everything = [token for token, _user in tokens.values()]
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if statement.strip().upper() != "BEGIN":  # SQLite's own, once a transaction
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with read_session(engine) as s:
            expected = user_ids_for_tokens(s, everything)
        assert len(statements) == 1
        monkeypatch.setattr(signin, "TOKENS_PER_STATEMENT", 2)
        statements.clear()
        with read_session(engine) as s:
            assert user_ids_for_tokens(s, everything) == expected
        assert len(statements) == 4  # seven well-formed tokens, two a statement
        statements.clear()
        with read_session(engine) as s:
            assert user_ids_for_tokens(s, [None, "", "x" * 5000]) == {}
        assert statements == []  # nothing worth asking about
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize("wrong", [None, "token", 7, 2**70, {"a": 1}, [7, ["x"], None]])
def test_what_is_not_a_list_of_tokens_signs_nobody_in(engine, wrong):
    with read_session(engine) as s:
        assert user_ids_for_tokens(s, wrong) == {}
