"""Sign-up, sessions, the log-in rate limit and password reset, on both databases."""

from __future__ import annotations

import email
import email.policy
import hashlib
from datetime import timedelta

import pytest
from sqlmodel import select

from navigator.domain.accounts.models import LoginSession, PasswordReset, User
from navigator.domain.accounts.signin import (
    MAX_FAILURES_PER_EMAIL,
    SESSION_LIFETIME,
    register_parent,
    request_password_reset,
    reset_password,
    sign_in,
    sign_out,
    user_for_token,
)
from navigator.domain.shared.db import read_session, transaction
from navigator.domain.shared.errors import Conflict, InvalidInput, TooManyAttempts
from navigator.domain.shared.mail import deliver_pending
from navigator.domain.shared.models import OutgoingMail, utcnow

PASSWORD = "first-pass-2026"


def _letter(path):
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def _register(engine, email="mama@example.org"):
    with transaction(engine) as s:
        return register_parent(s, email, PASSWORD, PASSWORD)


def test_registration_signs_in_and_stores_only_the_token_hash(engine):
    signed_in = _register(engine, "  Mama@Example.org ")
    with read_session(engine) as s:
        user = user_for_token(s, signed_in.token)
        assert user is not None and user.email == "mama@example.org"
        stored = s.exec(select(LoginSession.token_hash)).all()
    assert stored == [hashlib.sha256(signed_in.token.encode()).hexdigest()]
    assert signed_in.token not in stored


@pytest.mark.parametrize(
    ("email", "password", "again", "code"),
    [
        ("not-an-email", PASSWORD, PASSWORD, "email_invalid"),
        ("a@example.org", "short1", "short1", "password_too_short"),
        ("a@example.org", "onlyletterslong", "onlyletterslong", "password_too_simple"),
        ("a@example.org", "1234567890123", "1234567890123", "password_too_simple"),
        ("a@example.org", PASSWORD, PASSWORD + "x", "passwords_differ"),
        ("a@example.org", "x" * 300 + "1", "x" * 300 + "1", "field_too_long"),
        ("=?utf-8?q?victim?=@x.com", PASSWORD, PASSWORD, "email_invalid"),
        ("a<b@x.com", PASSWORD, PASSWORD, "email_invalid"),
        ("mama@пример.рф", PASSWORD, PASSWORD, "email_invalid"),
    ],
)
def test_bad_registrations_are_refused_and_save_nothing(engine, email, password, again, code):
    with pytest.raises(InvalidInput) as refused, transaction(engine) as s:
        register_parent(s, email, password, again)
    assert refused.value.code == code
    with read_session(engine) as s:
        assert s.exec(select(User)).all() == []


def test_an_email_registers_once(engine):
    _register(engine)
    with pytest.raises(Conflict) as refused, transaction(engine) as s:
        register_parent(s, "MAMA@example.org", PASSWORD, PASSWORD)
    assert refused.value.code == "email_taken"


def test_sign_in_sign_out_and_expiry(engine):
    _register(engine)
    with transaction(engine) as s:
        assert sign_in(s, "mama@example.org", "wrong-pass-2026", "10.0.0.1") is None
        signed_in = sign_in(s, "MAMA@example.org", PASSWORD, "10.0.0.1")
    assert signed_in is not None
    with read_session(engine) as s:
        assert user_for_token(s, signed_in.token) is not None
        later = utcnow() + SESSION_LIFETIME + timedelta(seconds=1)
        assert user_for_token(s, signed_in.token, now=later) is None
        assert user_for_token(s, signed_in.token + "x") is None
        assert user_for_token(s, "x" * 5000) is None
        assert user_for_token(s, None) is None
    with transaction(engine) as s:
        sign_out(s, signed_in.token)
    with read_session(engine) as s:
        assert user_for_token(s, signed_in.token) is None


def test_guessing_is_stopped_even_with_the_right_password(engine):
    _register(engine)
    for _ in range(MAX_FAILURES_PER_EMAIL):
        with transaction(engine) as s:
            assert sign_in(s, "mama@example.org", "guess-1234567", "10.0.0.2") is None
    with pytest.raises(TooManyAttempts), transaction(engine) as s:
        sign_in(s, "mama@example.org", PASSWORD, "10.0.0.3")
    # an unknown e-mail is counted the same way, so the limit tells nobody who has an account
    for _ in range(MAX_FAILURES_PER_EMAIL):
        with transaction(engine) as s:
            assert sign_in(s, "nobody@example.org", "guess-1234567", "10.0.0.4") is None
    with pytest.raises(TooManyAttempts), transaction(engine) as s:
        sign_in(s, "nobody@example.org", "guess-1234567", "10.0.0.4")
    # after the window the right password works again
    with transaction(engine) as s:
        later = utcnow() + timedelta(minutes=16)
        assert sign_in(s, "mama@example.org", PASSWORD, "10.0.0.3", now=later) is not None


def test_password_reset_by_mailed_link(engine, tmp_path):
    old_session = _register(engine)
    with transaction(engine) as s:
        request_password_reset(s, "mama@example.org", app_url="http://localhost:3000", locale="lt")
        request_password_reset(s, "nobody@example.org", app_url="http://localhost:3000")
    written = deliver_pending(engine, tmp_path / "mail")
    assert len(written) == 1  # nothing for an unknown address, and the answer was the same
    letter = _letter(written[0])
    assert letter["To"] == "mama@example.org" and "slapta" in letter.get_content().lower()
    token = letter.get_content().split("/password/reset?token=")[1].split()[0]
    assert deliver_pending(engine, tmp_path / "mail") == []  # sent once

    with pytest.raises(InvalidInput) as refused, transaction(engine) as s:
        reset_password(s, token, "new-pass-2026", "other-pass-2026")
    assert refused.value.code == "passwords_differ"
    with transaction(engine) as s:
        reset_password(s, token, "new-pass-2026", "new-pass-2026")
    with read_session(engine) as s:
        assert user_for_token(s, old_session.token) is None  # every session ended
    with transaction(engine) as s:
        assert sign_in(s, "mama@example.org", PASSWORD, "10.0.0.5") is None
        assert sign_in(s, "mama@example.org", "new-pass-2026", "10.0.0.5") is not None
    for bad in (token, "", "x" * 500, token[:-1] + "A"):
        with pytest.raises(InvalidInput) as refused, transaction(engine) as s:
            reset_password(s, bad, "again-pass-2026", "again-pass-2026")
        assert refused.value.code == "reset_link_invalid"


def test_reset_links_expire_and_are_not_sent_in_floods(engine, tmp_path):
    _register(engine)
    for _ in range(5):
        with transaction(engine) as s:
            request_password_reset(s, "mama@example.org", app_url="http://x")
    with read_session(engine) as s:
        assert len(s.exec(select(OutgoingMail)).all()) == 3
    token = (
        _letter(deliver_pending(engine, tmp_path)[0]).get_content().split("token=")[1].split()[0]
    )
    with pytest.raises(InvalidInput), transaction(engine) as s:
        reset_password(
            s, token, "new-pass-2026", "new-pass-2026", now=utcnow() + timedelta(hours=2)
        )
    with read_session(engine) as s:
        assert all(r.used_at is None for r in s.exec(select(PasswordReset)).all())


def test_one_reset_spends_every_open_link(engine, tmp_path):
    _register(engine)
    for _ in range(2):
        with transaction(engine) as s:
            request_password_reset(s, "mama@example.org", app_url="http://x")
    first, second = (
        _letter(path).get_content().split("token=")[1].split()[0]
        for path in deliver_pending(engine, tmp_path)
    )
    with transaction(engine) as s:
        reset_password(s, second, "new-pass-2026", "new-pass-2026")
    with pytest.raises(InvalidInput) as refused, transaction(engine) as s:
        reset_password(s, first, "other-pass-2026", "other-pass-2026")
    assert refused.value.code == "reset_link_invalid"
