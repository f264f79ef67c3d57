"""The ledger itself: idempotency keys, append-only entries, the certificate card."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from navigator.domain.certificates import ledger
from navigator.domain.certificates.models import CertificateAccount, EntryKind, LedgerEntry
from navigator.domain.certificates.queries import certificate_summary
from navigator.domain.enrollment.api import accept_application
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict, NotFound
from tests.factories import build_world


def test_the_same_idempotency_key_twice_posts_once(engine):
    world = build_world(engine, nominal=1_000_000)
    for _ in range(3):
        with world.tx() as s:
            entry = ledger.post(
                s,
                world.account_id,
                EntryKind.HOLD,
                1_000,
                "request-42",
                actor_id=None,
                notify_user_id=None,
            )
    with read_session(engine) as s:
        assert (
            s.exec(
                select(func.count())
                .select_from(LedgerEntry)
                .where(LedgerEntry.idempotency_key == "request-42")
            ).one()
            == 1
        )
        assert s.get(CertificateAccount, world.account_id).held_minor == 1_000
    assert entry.amount_minor == 1_000


@pytest.mark.parametrize("amount", [0, -5])
def test_a_movement_must_be_a_positive_integer(engine, amount):
    world = build_world(engine)
    with pytest.raises(ValueError), world.tx() as s:
        ledger.post(
            s, world.account_id, EntryKind.CREDIT, amount, "bad", actor_id=None, notify_user_id=None
        )


def test_a_hold_or_expiry_beyond_the_balance_is_refused(engine):
    world = build_world(engine, nominal=1_000)
    for kind in (EntryKind.HOLD, EntryKind.EXPIRE):
        with pytest.raises(Conflict), world.tx() as s:
            ledger.post(
                s,
                world.account_id,
                kind,
                1_001,
                f"too-much-{kind}",
                actor_id=None,
                notify_user_id=None,
            )
    with pytest.raises(Conflict), world.tx() as s:
        ledger.post(
            s,
            world.account_id,
            EntryKind.CAPTURE,
            1,
            "nothing-held",
            actor_id=None,
            notify_user_id=None,
        )


def test_entries_cannot_be_edited_or_deleted(engine):
    world = build_world(engine)
    with pytest.raises(PermissionError), world.tx() as s:
        entry = s.exec(select(LedgerEntry)).first()
        entry.amount_minor = 1
        s.add(entry)
    with pytest.raises(PermissionError), world.tx() as s:
        s.delete(s.exec(select(LedgerEntry)).first())
    with read_session(engine) as s:
        assert s.exec(select(LedgerEntry.amount_minor)).all() == [1_000_000]


def test_the_certificate_card_shows_balance_holds_and_expiry_to_the_guardian_only(engine):
    world = build_world(engine, nominal=1_000_000)
    enrollment_id = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)
    with read_session(engine) as s:
        card = certificate_summary(s, world.parent, world.certificate_id, today=world.today)
    assert (card.available_minor, card.held_minor, card.spent_minor) == (600_000, 400_000, 0)
    assert card.expires_on.isoformat() == "2027-08-31" and card.currency == "RUB"
    assert len(card.number.replace(" ", "")) == 12
    intruder, *_ = world.add_parent_with_child()
    with pytest.raises(NotFound), read_session(engine) as s:
        certificate_summary(s, intruder, world.certificate_id)
