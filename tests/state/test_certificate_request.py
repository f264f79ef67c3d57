"""The certificate request on a child's card: the answer comes back in that card, a wrong
identifier changes nothing, another family's child id is refused at the top of the page."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

import navigator.domain.shared.db as db
from navigator.domain.accounts.children import add_child
from navigator.domain.accounts.signin import start_session
from navigator.domain.certificates.models import Certificate, VerificationRequest
from navigator.domain.shared.models import utcnow
from navigator.i18n import translate
from navigator.state.app import AppState
from navigator.state.cabinet import CabinetState
from seed.identifiers import snils
from tests.factories import build_world
from tests.support.handlers import settle

BORN = date(2016, 4, 1)


@pytest.fixture
def cabinet(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    world = build_world(engine)
    with world.tx() as s:
        child = add_child(
            s,
            world.parent,
            guardian_id=world.parent.user_id,
            municipality_id=world.municipality_id,
            first_name="Миша",
            last_name="Новый",
            birth_date=BORN,
        )
        world.new_child = child.id
        token = start_session(s, world.parent.user_id, utcnow()).token
    monkeypatch.setattr(AppState, "_session_token", lambda self: token)
    state = CabinetState(_reflex_internal_init=True)
    state._reload()
    return world, state


def _requests(engine, child_id: int) -> list[VerificationRequest]:
    with db.read_session(engine) as s:
        return list(
            s.exec(select(VerificationRequest).where(VerificationRequest.child_id == child_id))
        )


def test_a_wrong_identifier_is_answered_in_the_childs_card(engine, cabinet):
    world, state = cabinet
    child = str(world.new_child)
    settle(
        CabinetState.get_certificate.fn(state, {"child_id": child, "national_id": "900-000-001 83"})
    )
    assert (state.card_child, state.error) == (child, "")
    assert state.card_error == translate("national_id_checksum", state.lang)
    assert _requests(engine, world.new_child) == []


def test_a_request_without_a_registry_match_waits_and_the_card_says_so(engine, cabinet):
    world, state = cabinet
    child = str(world.new_child)
    settle(CabinetState.get_certificate.fn(state, {"child_id": child, "national_id": snils(4242)}))
    assert state.card_error == "" and state.card_notice
    [card] = [c for c in state.children if c.id == child]
    assert card.waiting and not card.has_certificate and not card.verified
    [request] = _requests(engine, world.new_child)
    assert request.status == "pending"
    with db.read_session(engine) as s:
        assert (
            s.exec(select(Certificate).where(Certificate.child_id == world.new_child)).all() == []
        )


@pytest.mark.parametrize("payload", [None, "x", {"child_id": "1.5"}, {"child_id": ["1"]}])
def test_malformed_payloads_change_nothing(engine, cabinet, payload):
    world, state = cabinet
    settle(CabinetState.get_certificate.fn(state, payload))
    settle(CabinetState.ask_category.fn(state, payload))
    assert state.error or state.card_error
    assert _requests(engine, world.new_child) == []


def test_another_familys_child_is_refused_at_the_top(engine, cabinet):
    _world, state = cabinet
    other = build_world(engine)
    settle(
        CabinetState.get_certificate.fn(
            state, {"child_id": str(other.child_id), "national_id": snils(4243)}
        )
    )
    settle(
        CabinetState.ask_category.fn(
            state, {"child_id": str(other.child_id), "category": "disability"}
        )
    )
    assert state.error == translate("not_found", state.lang) and state.card_child == ""
    # only the approved identity request the other family's child was verified by
    assert [(r.kind, r.status) for r in _requests(engine, other.child_id)] == [
        ("identity", "approved")
    ]


def test_a_verified_child_asks_for_a_category_from_its_card(engine, cabinet):
    world, state = cabinet
    child = str(world.child_id)
    settle(CabinetState.ask_category.fn(state, {"child_id": child, "category": "disability"}))
    assert state.card_error == "" and state.card_child == child
    [card] = [c for c in state.children if c.id == child]
    assert card.category_waiting
    settle(CabinetState.ask_category.fn(state, {"child_id": child, "category": "noble"}))
    assert state.card_error
