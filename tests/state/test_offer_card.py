"""An offer is confirmed on the figures its card showed when the button was pressed: a card
whose figures the page no longer shows (refreshed while the parent read it) holds nothing;
one confirmed into a group that filled meanwhile says the child waits, not "done"."""

from __future__ import annotations

from sqlmodel import select

import navigator.domain.shared.db as db
from navigator.domain.accounts.signin import start_session
from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.models import Enrollment
from navigator.domain.municipalities.models import Municipality
from navigator.domain.shared.calendar import local_today
from navigator.domain.shared.models import utcnow
from navigator.i18n import text, translate
from navigator.state.app import AppState
from navigator.state.cabinet import CabinetState
from tests.domain.enrollment.test_offers import _number_and_birth, _offer
from tests.factories import build_world
from tests.support.handlers import settle


def test_only_the_figures_on_the_card_can_be_confirmed(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    world = build_world(engine, today=local_today(Municipality(timezone="Europe/Moscow")))
    number, born = _number_and_birth(world)
    offer_id = _offer(world, number, born)
    with world.tx() as s:
        token = start_session(s, world.parent.user_id, utcnow()).token
    monkeypatch.setattr(AppState, "_session_token", lambda self: token)
    cabinet = CabinetState(_reflex_internal_init=True)
    cabinet._reload()
    (card,) = cabinet.offers
    assert card.terms_key and not card.changed

    settle(
        CabinetState.accept_offer.fn(cabinet, str(offer_id), card.terms_key + "0")
    )  # not what it showed
    assert cabinet.error == translate("terms_changed", cabinet.lang)
    with db.read_session(engine) as s:
        assert s.exec(select(Enrollment)).all() == []

    settle(CabinetState.accept_offer.fn(cabinet, str(offer_id), card.terms_key))
    assert cabinet.error == ""
    with db.read_session(engine) as s:
        (enrollment,) = s.exec(select(Enrollment)).all()
        assert enrollment.status == "accepted"
    assert cabinet.notice == text("done", cabinet.lang)


def test_an_offer_confirmed_into_a_group_that_filled_meanwhile_says_the_child_waits(
    engine, monkeypatch
):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    world = build_world(engine, seats=1, today=local_today(Municipality(timezone="Europe/Moscow")))
    number, born = _number_and_birth(world)
    offer_id = _offer(world, number, born)
    other_parent, other_child, *_ = world.add_parent_with_child()
    seated = world.apply(child_id=other_child, parent=other_parent)
    with world.tx() as s:  # the provider seated another child while the parent read the card
        accept_application(s, world.provider_user, seated, today=world.today)
    with world.tx() as s:
        token = start_session(s, world.parent.user_id, utcnow()).token
    monkeypatch.setattr(AppState, "_session_token", lambda self: token)
    cabinet = CabinetState(_reflex_internal_init=True)
    cabinet._reload()
    (card,) = cabinet.offers
    settle(CabinetState.accept_offer.fn(cabinet, str(offer_id), card.terms_key))
    assert cabinet.error == ""
    assert cabinet.notice == text("applied_waitlisted", cabinet.lang)
    with db.read_session(engine) as s:
        mine = s.exec(select(Enrollment).where(Enrollment.child_id == world.child_id)).one()
    assert mine.status == "waitlisted" and mine.held_minor == 0
