"""A school coordinator disputes a culture session's charge within 14 days; the provider
accepts (the wallet and the pupils' caps get it back) or contests; the programme operator
decides. One dispute per booking, the refund once, the culture invariants hold."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from navigator.domain.culture.booking import confirm_booking, record_attendance
from navigator.domain.culture.disputes import (
    accept_culture_dispute,
    contest_culture_dispute,
    decide_culture_dispute,
    escalate_culture_dispute,
    open_culture_dispute,
    operator_dispute_queue,
    overdue_culture_disputes,
    provider_culture_disputes,
    school_disputes,
    undecided_culture_disputes,
)
from navigator.domain.culture.models import SchoolWallet, WalletEntry
from navigator.domain.culture.years import close_year
from navigator.domain.disputes.models import Dispute
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from navigator.domain.shared.models import Notification
from tests.domain.culture.world import SESSION_AT, YEAR, build_culture
from tests.support.invariants import assert_culture_invariants

AFTER = SESSION_AT + timedelta(hours=2)


def _delivered(engine):
    world = build_culture(engine)
    booking = world.book(world.classes["5A"])
    with world.tx() as s:
        confirm_booking(s, world.provider_user, booking)
    with world.tx() as s:
        record_attendance(s, world.provider_user, booking, world.classes["5A"][1:], now=AFTER)
    return world, booking


def _wallet(world):
    with read_session(world.engine) as s:
        return s.get(SchoolWallet, world.wallet_id)


def _open(world, booking, days=1):
    with world.tx() as s:
        return open_culture_dispute(
            s,
            world.coordinator,
            booking,
            comment="the museum was closed",
            now=AFTER + timedelta(days=days),
        ).id


def test_the_provider_accepts_and_the_charge_goes_back_once(engine):
    world, booking = _delivered(engine)
    charged = _wallet(world).charged_minor
    available = _wallet(world).available_minor
    dispute_id = _open(world, booking)
    with read_session(engine) as s:
        assert [d.id for d in school_disputes(s, world.coordinator, world.school_id)] == [
            dispute_id
        ]
        assert [
            d.id for d in provider_culture_disputes(s, world.provider_user, world.provider_id)
        ] == [dispute_id]
        kinds = s.exec(select(Notification.kind)).all()
    assert "culture_dispute.opened" in kinds
    with pytest.raises(Conflict) as twice, world.tx() as s:
        open_culture_dispute(s, world.coordinator, booking, now=AFTER)
    assert twice.value.code == "dispute_already_opened"
    for _ in range(2):  # accepting again moves nothing
        with world.tx() as s:
            accept_culture_dispute(s, world.provider_user, dispute_id)
    wallet = _wallet(world)
    assert wallet.refunded_minor == charged and wallet.available_minor == available + charged
    with read_session(engine) as s:
        refunds = s.exec(select(WalletEntry).where(WalletEntry.kind == "refund")).all()
    assert [r.amount_minor for r in refunds] == [charged]
    assert_culture_invariants(engine)


def test_bad_culture_disputes_are_refused(engine):
    world, booking = _delivered(engine)
    reserved = world.book(world.classes["5B"])
    other = world.new_coordinator()
    with pytest.raises(InvalidInput) as hold, world.tx() as s:  # a hold, not a charge
        open_culture_dispute(s, world.coordinator, reserved, now=AFTER)
    assert hold.value.code == "dispute_not_a_charge"
    with pytest.raises(NotFound), world.tx() as s:  # the provider is no coordinator
        open_culture_dispute(s, world.provider_user, booking, now=AFTER)
    with pytest.raises(Conflict) as late, world.tx() as s:
        open_culture_dispute(s, world.coordinator, booking, now=AFTER + timedelta(days=15))
    assert late.value.code == "dispute_window_closed" and late.value.params == {"days": 14}
    # a second coordinator of the same school may dispute it: it is the school's charge
    with world.tx() as s:
        open_culture_dispute(s, other, booking, now=AFTER)
    with read_session(engine) as s:
        assert len(s.exec(select(Dispute)).all()) == 1


def test_contested_goes_to_the_operator_who_decides(engine):
    world, booking = _delivered(engine)
    dispute_id = _open(world, booking)
    with pytest.raises(InvalidInput), world.tx() as s:
        contest_culture_dispute(s, world.provider_user, dispute_id, " ")
    with pytest.raises(NotFound), world.tx() as s:  # only the operator decides
        decide_culture_dispute(s, world.coordinator, dispute_id, "uphold", "yes")
    with pytest.raises(NotFound), world.tx() as s:  # only the service's provider answers
        accept_culture_dispute(s, world.coordinator, dispute_id)
    with world.tx() as s:
        contest_culture_dispute(s, world.provider_user, dispute_id, "the class came")
    with read_session(engine) as s:
        assert [d.id for d in operator_dispute_queue(s, world.operator)] == [dispute_id]
        assert undecided_culture_disputes(s, world.year_id) == 1
    before = _wallet(world).available_minor
    with world.tx() as s:
        decide_culture_dispute(s, world.operator, dispute_id, "reject", "photos show the class")
    assert _wallet(world).available_minor == before
    with pytest.raises(Conflict), world.tx() as s:
        decide_culture_dispute(s, world.operator, dispute_id, "uphold", "changed")
    assert_culture_invariants(engine)


def test_an_unanswered_culture_dispute_escalates_and_is_upheld(engine):
    world, booking = _delivered(engine)
    dispute_id = _open(world, booking)
    with read_session(engine) as s:
        due = s.get(Dispute, dispute_id).answer_due_at
        assert overdue_culture_disputes(s, now=due - timedelta(seconds=1)) == []
        assert overdue_culture_disputes(s, now=due) == [dispute_id]
    with world.tx() as s:
        assert escalate_culture_dispute(s, dispute_id, now=due)
    with world.tx() as s:
        assert not escalate_culture_dispute(s, dispute_id, now=due)
    charged = _wallet(world).charged_minor
    with world.tx() as s:
        decide_culture_dispute(s, world.operator, dispute_id, "uphold", "no answer, no proof")
    assert _wallet(world).refunded_minor == charged
    assert_culture_invariants(engine)


def test_a_year_with_an_undecided_dispute_does_not_close_until_it_is_decided(engine):
    world, booking = _delivered(engine)
    dispute_id = _open(world, booking)
    after_the_year = date(YEAR, 12, 21)  # the window's end has passed
    with world.tx() as s, pytest.raises(Conflict) as refused:
        close_year(s, world.operator, world.year_id, after_the_year)
    assert refused.value.code == "culture_year_has_open_disputes"
    assert refused.value.message("lt") != refused.value.code  # translated
    assert _wallet(world).expired_minor == 0
    with world.tx() as s:
        accept_culture_dispute(s, world.provider_user, dispute_id, now=AFTER + timedelta(days=2))
    with world.tx() as s:
        close_year(s, world.operator, world.year_id, after_the_year)
    wallet = _wallet(world)  # the charge came back: the whole allocation expires unspent
    assert wallet.expired_minor == wallet.allocated_minor
    assert_culture_invariants(engine)
