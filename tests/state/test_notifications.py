"""/notifications and the bell, called by name as a browser could: only the signed-in
person's notifications are counted, listed and marked read; another family's id, a forged
one or a signed-out caller changes nothing; the mail preference is checked."""

from __future__ import annotations

import pytest
from sqlmodel import select

import navigator.domain.shared.db as db
from navigator.domain.accounts.models import User
from navigator.domain.accounts.signin import start_session
from navigator.domain.notifications.centre import get_preference, unread_count
from navigator.domain.shared.models import Notification, OutgoingMail, utcnow
from navigator.state.app import AppState
from navigator.state.notifications import BellState, NotificationsState
from tests.factories import build_world
from tests.support.handlers import settle


@pytest.fixture
def families(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    world = build_world(engine)
    other, *_ = world.add_parent_with_child()
    with world.tx() as s:
        tokens = {
            "mine": start_session(s, world.parent.user_id, utcnow()).token,
            "other": start_session(s, other.user_id, utcnow()).token,
        }
    holder = {"token": tokens["mine"]}
    monkeypatch.setattr(AppState, "_session_token", lambda self: holder["token"])
    return world, other, holder


def _ids(engine, user_id):
    with db.read_session(engine) as s:
        return s.exec(select(Notification.id).where(Notification.user_id == user_id)).all()


def _unread(engine, actor):
    with db.read_session(engine) as s:
        return unread_count(s, actor)


def test_the_bell_and_the_list_show_only_ones_own(engine, families):
    world, other, _holder = families
    bell = BellState(_reflex_internal_init=True)
    settle(BellState.load_bell.fn(bell))
    assert bell.unread == _unread(engine, world.parent) > 0
    state = NotificationsState(_reflex_internal_init=True)
    NotificationsState.load.fn(state)
    assert {item["id"] for item in state.items} == set(_ids(engine, world.parent.user_id))
    assert not {item["id"] for item in state.items} & set(_ids(engine, other.user_id))
    assert all("Аня" in item["line"] for item in state.items)
    assert state.unread == bell.unread


def test_another_familys_or_a_forged_id_marks_nothing(engine, families):
    world, other, _holder = families
    before = _unread(engine, other)
    state = NotificationsState(_reflex_internal_init=True)
    NotificationsState.load.fn(state)
    for bad in [*_ids(engine, other.user_id), -1, 0, "1", None, 99_999]:
        NotificationsState.read_one.fn(state, bad)
        assert state.error
    assert _unread(engine, other) == before
    mine = _ids(engine, world.parent.user_id)
    NotificationsState.read_one.fn(state, mine[0])
    assert state.error == "" and state.unread == len(mine) - 1
    NotificationsState.read_all.fn(state)
    assert state.unread == 0 and state.notice
    assert _unread(engine, world.parent) == 0 and _unread(engine, other) == before


def test_signed_out_nothing_is_shown_nor_changed(engine, families):
    world, _other, holder = families
    holder["token"] = None
    bell = BellState(_reflex_internal_init=True)
    settle(BellState.load_bell.fn(bell))
    assert bell.unread == 0
    state = NotificationsState(_reflex_internal_init=True)
    NotificationsState.load.fn(state)
    assert state.items == []
    NotificationsState.read_all.fn(state)
    assert state.error
    NotificationsState.save_preference.fn(state, {"mode": "digest"})
    assert state.pref_error
    assert _unread(engine, world.parent) > 0
    with db.read_session(engine) as s:
        assert get_preference(s, world.parent).mode == "instant"


def test_the_preference_is_saved_for_the_asker_and_refused_when_unknown(engine, families):
    world, other, _holder = families
    state = NotificationsState(_reflex_internal_init=True)
    NotificationsState.load.fn(state)
    for bad in ({"mode": "hourly"}, {"mode": ["digest"]}, "x", None):
        NotificationsState.save_preference.fn(state, bad)
        assert state.pref_error and not state.pref_notice
    NotificationsState.toggle_digests.fn(state, False)
    NotificationsState.save_preference.fn(state, {"mode": "required"})
    assert state.pref_error == "" and state.pref_notice
    with db.read_session(engine) as s:
        mine = get_preference(s, world.parent)
        theirs = get_preference(s, other)
    assert (mine.mode, mine.digests) == ("required", False)
    assert (theirs.mode, theirs.digests) == ("instant", True)


def test_letters_given_up_warn_their_addressee_only(engine, families):
    """The other family's mailbox refused a letter: they see it in their own language on
    /notifications; the first family sees nothing of it."""
    world, other, holder = families
    with world.tx() as s:
        theirs = s.get(User, other.user_id)
        s.expunge(theirs)
        s.add(
            OutgoingMail(
                recipient=theirs.email,
                subject="Тема",
                body="текст",
                given_up_at=utcnow(),
                last_error="550 5.1.1 No such mailbox here",
            )
        )
    state = NotificationsState(_reflex_internal_init=True)
    NotificationsState.load.fn(state)
    assert state.undelivered == ""
    holder["token"] = _session_of(engine, other.user_id)
    NotificationsState.load.fn(state)
    assert theirs.email in state.undelivered and "550 5.1.1" in state.undelivered


def _session_of(engine, user_id):
    with db.transaction(engine) as s:
        return start_session(s, user_id, utcnow()).token
