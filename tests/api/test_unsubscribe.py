"""One-click unsubscribe (RFC 8058) as a mail provider sends it: POST with the digest's
signed token stops that person's digests only; a GET changes nothing; a forged, another
person's or a malformed token gets one empty 404."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import navigator.domain.shared.db as db
from navigator.api.unsubscribe import unsubscribe
from navigator.domain.notifications.centre import get_preference, unsubscribe_token
from tests.factories import build_world


@pytest.fixture
def world(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    return build_world(engine)


def _digests(engine, actor) -> bool:
    with db.read_session(engine) as s:
        return get_preference(s, actor).digests


def test_one_click_stops_only_that_persons_digests(engine, world):
    other, *_ = world.add_parent_with_child()
    with world.tx() as s:
        token = unsubscribe_token(s, world.parent.user_id)
        unsubscribe_token(s, other.user_id)
    client = TestClient(unsubscribe)
    shown = client.get("/mail/unsubscribe", params={"token": token})
    assert shown.status_code == 200 and 'method="post"' in shown.text
    assert _digests(engine, world.parent)  # a scanner opening the link changes nothing
    user_part, signature = token.split(".")
    for forged in (
        f"{other.user_id}.{signature}",
        f"{user_part}.{'f' * 64}",
        f"{user_part}.é",  # compare_digest refuses non-ASCII text: never reached
        f"²{user_part}.{signature}",  # a digit to str.isdigit(), not to int()
        "x",
        "",
    ):
        refused = client.post("/mail/unsubscribe", params={"token": forged})
        assert refused.status_code == 404 and refused.text == ""
    assert client.get("/mail/unsubscribe", params={"token": "²"}).status_code == 200
    assert _digests(engine, world.parent) and _digests(engine, other)
    done = client.post(
        "/mail/unsubscribe",
        params={"token": token},
        data={"List-Unsubscribe": "One-Click"},
    )
    assert done.status_code == 200 and "Сводки отключены" in done.text
    assert not _digests(engine, world.parent) and _digests(engine, other)
    again = client.post("/mail/unsubscribe", params={"token": token})
    assert again.status_code == 200
