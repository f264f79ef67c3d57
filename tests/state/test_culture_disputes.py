"""A culture charge disputed through the three screens, as their handlers are called from a
browser: the coordinator disputes with a comment, the provider sees it first and contests
(a reason required), the operator upholds the school; nobody else moves anything."""

from __future__ import annotations

from datetime import timedelta

import pytest

import navigator.domain.shared.db as db
from navigator.domain.accounts.signin import start_session
from navigator.domain.culture.booking import confirm_booking, record_attendance
from navigator.domain.culture.models import SchoolWallet
from navigator.domain.disputes.models import Dispute
from navigator.domain.shared.models import utcnow
from navigator.state.app import AppState
from navigator.state.culture import CultureState
from navigator.state.culture_operator import CultureOperatorState
from navigator.state.provider_culture import ProviderCultureState
from tests.domain.culture.world import SESSION_AT, build_culture
from tests.support.handlers import settle

AFTER = SESSION_AT + timedelta(hours=2)


@pytest.fixture
def delivered(engine, monkeypatch):
    """A booking of 10 pupils, 9 came and were charged; a tab whose person the test picks."""
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    world = build_culture(engine)
    other = build_culture(engine)
    booking = world.book(world.classes["5A"])
    with world.tx() as s:
        confirm_booking(s, world.provider_user, booking)
    with world.tx() as s:
        record_attendance(s, world.provider_user, booking, world.classes["5A"][1:], now=AFTER)
    holder: dict[str, str | None] = {"token": None}
    monkeypatch.setattr(AppState, "_session_token", lambda self: holder["token"])

    def tab(state_class, user_id):
        with db.transaction(engine) as s:
            holder["token"] = start_session(s, user_id, utcnow()).token
        state = state_class(_reflex_internal_init=True)
        state_class.load.fn(state)
        return state

    return world, other, booking, tab


def _dispute(world) -> Dispute | None:
    with db.read_session(world.engine) as s:
        return s.exec(Dispute.__table__.select()).first()  # type: ignore[attr-defined]


def _available(world) -> int:
    with db.read_session(world.engine) as s:
        return s.get(SchoolWallet, world.wallet_id).available_minor


def test_a_charge_is_disputed_contested_and_upheld_through_the_screens(delivered):
    world, _other, booking, tab = delivered
    school = tab(CultureState, world.coordinator.user_id)
    [line] = [b for b in school.bookings if b.id == str(booking)]
    assert line.can_dispute and line.dispute == ""
    CultureState.start_dispute.fn(school, str(booking))
    settle(CultureState.dispute.fn(school, {"comment": "Muziejus buvo uždarytas"}))
    assert school.error == "" and school.notice and school.disputing == ""
    [line] = [b for b in school.bookings if b.id == str(booking)]
    assert not line.can_dispute and "ждёт ответа" in line.dispute  # said at once

    provider = tab(ProviderCultureState, world.provider_user.user_id)
    [card] = provider.disputes  # the disputes come first on the provider's screen
    assert card.comment == "Muziejus buvo uždarytas" and card.can_contest and card.answer_by
    ProviderCultureState.start_contest.fn(provider, card.id)
    settle(ProviderCultureState.contest.fn(provider, {"reason": "  "}))
    assert provider.error and provider.contesting == card.id  # a reason is required
    settle(ProviderCultureState.contest.fn(provider, {"reason": "Užsiėmimas įvyko"}))
    assert provider.error == "" and provider.contesting == ""
    assert not provider.disputes[0].can_contest

    before = _available(world)
    operator = tab(CultureOperatorState, world.operator.user_id)
    [row] = operator.disputes
    assert row.provider_reason == "Užsiėmimas įvyko"
    CultureOperatorState.start_dispute_decision.fn(operator, "uphold", row.id)
    settle(CultureOperatorState.decide_dispute.fn(operator, {"reason": "Muziejus patvirtino"}))
    assert operator.error == "" and operator.disputes == []
    assert _available(world) == before + 9 * 500  # the nine charged pupils' shares
    school = tab(CultureState, world.coordinator.user_id)
    [line] = [b for b in school.bookings if b.id == str(booking)]
    assert "вернул деньги" in line.dispute


def test_nobody_else_disputes_answers_or_decides(delivered):
    world, other, booking, tab = delivered
    stranger = tab(CultureState, other.coordinator.user_id)  # another school's coordinator
    stranger.disputing = str(booking)
    settle(CultureState.dispute.fn(stranger, {"comment": "x"}))
    assert stranger.error and _dispute(world) is None
    school = tab(CultureState, world.coordinator.user_id)
    school.disputing = str(booking)
    settle(CultureState.dispute.fn(school, {"comment": ""}))
    dispute = _dispute(world)
    assert dispute is not None and dispute.status == "open"
    rival = tab(ProviderCultureState, other.provider_user.user_id)  # another provider
    assert rival.disputes == []
    settle(ProviderCultureState.accept_dispute.fn(rival, str(dispute.id)))
    assert rival.error
    rival.contesting = str(dispute.id)
    settle(ProviderCultureState.contest.fn(rival, {"reason": "Ne"}))
    assert rival.error
    coordinator_as_operator = tab(CultureOperatorState, world.coordinator.user_id)
    coordinator_as_operator.deciding_dispute = f"uphold:{dispute.id}"
    settle(CultureOperatorState.decide_dispute.fn(coordinator_as_operator, {"reason": "Taip"}))
    assert coordinator_as_operator.error and coordinator_as_operator.disputes == []
    assert _dispute(world).status == "open"  # untouched by all of them
