"""An offer is confirmed on the figures its card showed when the button was pressed: a card
whose figures the page no longer shows (refreshed while the parent read it) holds nothing."""

from __future__ import annotations

from sqlmodel import select

import navigator.domain.shared.db as db
from navigator.domain.accounts.signin import start_session
from navigator.domain.enrollment.models import Enrollment
from navigator.domain.municipalities.models import Municipality
from navigator.domain.shared.calendar import local_today
from navigator.domain.shared.models import utcnow
from navigator.i18n import translate
from navigator.state.app import AppState
from navigator.state.cabinet import CabinetState
from tests.domain.enrollment.test_offers import _number_and_birth, _offer
from tests.factories import build_world


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

    CabinetState.accept_offer.fn(cabinet, str(offer_id), card.terms_key + "0")  # not what it showed
    assert cabinet.error == translate("terms_changed", cabinet.lang)
    with db.read_session(engine) as s:
        assert s.exec(select(Enrollment)).all() == []

    CabinetState.accept_offer.fn(cabinet, str(offer_id), card.terms_key)
    assert cabinet.error == ""
    with db.read_session(engine) as s:
        (enrollment,) = s.exec(select(Enrollment)).all()
        assert enrollment.status == "accepted"
