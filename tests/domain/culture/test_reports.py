"""The culture pass's reports add up to the ledger: the wallets' entries and booked shares."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from navigator.domain.culture.booking import cancel_booking, confirm_booking, record_attendance
from navigator.domain.culture.disputes import accept_culture_dispute, open_culture_dispute
from navigator.domain.culture.models import CultureBooking, SchoolWallet, WalletEntry
from navigator.domain.culture.reports import (
    booking_amounts,
    operator_report,
    provider_booking_amounts,
    pupil_spend,
)
from navigator.domain.culture.wallet import wallet_sums
from navigator.domain.culture.years import import_schools
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import NotFound
from tests.domain.culture.world import NOW, SESSION_AT, build_culture


def _entries(engine, booking_id: int, kind: str) -> int:
    """The sum of one booking's wallet entries of a kind, read straight from the ledger."""
    with read_session(engine) as s:
        return sum(
            e.amount_minor
            for e in s.exec(
                select(WalletEntry).where(
                    WalletEntry.booking_id == booking_id, WalletEntry.kind == kind
                )
            ).all()
        )


def by_status(engine, status: str) -> int:
    with read_session(engine) as s:
        return s.exec(select(CultureBooking.id).where(CultureBooking.status == status)).one()


def test_the_operators_report_adds_up_to_the_wallets(engine):
    first = build_culture(engine)
    second = build_culture(engine)
    delivered = first.book(first.classes["5A"])
    first.book(first.classes["5B"])  # reserved
    cancelled = second.book(second.classes["5A"][:4])
    with first.tx() as s:
        confirm_booking(s, first.provider_user, delivered)
    with first.tx() as s:
        record_attendance(
            s,
            first.provider_user,
            delivered,
            first.classes["5A"][1:],
            now=SESSION_AT + timedelta(hours=2),
        )
    with second.tx() as s:
        cancel_booking(s, second.coordinator, cancelled, now=NOW)
    with first.tx() as s:  # a school the operator imported but nobody coordinates yet
        import_schools(
            s, first.operator, first.year_id, "code,name,municipality,pupils\nX9,Naujoji,Kaunas,30"
        )

    with read_session(engine) as s:
        report = operator_report(s, first.operator, first.year_id, unspent_on=date.today())
        sums = {
            w.school_id: wallet_sums(s, w.id)
            for w in s.exec(SchoolWallet.__table__.select()).all()  # type: ignore[attr-defined]
        }
    for school in report.schools:
        ledger = sums[school.school_id]
        assert (school.allocated_minor, school.held_minor, school.spent_minor) == (
            ledger.allocated,
            ledger.held,
            ledger.charged - ledger.refunded,
        )
        assert school.available_minor == ledger.available
    by_id = {s.school_id: s for s in report.schools}
    assert (by_id[first.school_id].reached, by_id[first.school_id].roster) == (9, 20)
    assert by_id[first.school_id].spent_minor == 4_500
    assert report.totals.reached == 9 and report.totals.roster == 40
    assert report.reached_share == pytest.approx(9 / 40)
    assert [s.name for s in report.without_coordinator] == ["Naujoji"]
    assert [m.name for m in report.municipalities] == ["Kaunas", "Vilnius"]
    assert dict(report.by_art_form) == {"theatre": 4_500}
    assert sum(amount for _name, amount in report.by_provider) == 4_500
    # each outcome's money is the ledger's: charged for the delivered one (one pupil absent:
    # 45.00, not the 50.00 booked), held for the reserved one, given back for the cancelled
    assert report.bookings_by_status["delivered"] == (1, _entries(engine, delivered, "charge"))
    assert report.bookings_by_status["delivered"] == (1, 4_500)
    reserved = by_status(engine, "reserved")
    assert report.bookings_by_status["reserved"] == (1, _entries(engine, reserved, "hold"))
    assert report.bookings_by_status["cancelled"] == (1, _entries(engine, cancelled, "release"))
    assert report.bookings_by_status["cancelled"] == (1, 2_000)
    assert report.bookings_by_status["expired"] == (0, 0)
    unspent = {use.school_id: left for use, left in report.unspent}
    assert unspent[first.school_id] == sums[first.school_id].available  # neither spent nor held
    with read_session(engine) as s:
        earlier = operator_report(
            s, first.operator, first.year_id, unspent_on=date.today() - timedelta(days=1)
        )
    assert earlier.unspent == []  # nothing was credited before today


def test_only_the_operator_reads_the_programmes_report(engine):
    world = build_culture(engine)
    for actor in (world.coordinator, world.provider_user):
        with read_session(engine) as s, pytest.raises(NotFound):
            operator_report(s, actor, world.year_id)


def test_the_coordinators_report_has_each_pupils_year(engine):
    world = build_culture(engine)
    other = build_culture(engine)
    booking = world.book(world.classes["5A"])
    world.deliver(booking, world.classes["5A"][1:], hours_after=1)
    world.book(world.classes["5B"][:2], session_id=world.add_session())
    with read_session(engine) as s:
        rows = pupil_spend(s, world.coordinator, world.school_id, world.year_id)
        with pytest.raises(NotFound):
            pupil_spend(s, other.coordinator, world.school_id, world.year_id)
    absent, present = rows[0], rows[1]
    assert (absent.services, absent.spent_minor, absent.remaining_minor) == (0, 0, 1_500)
    assert (present.services, present.spent_minor, present.remaining_minor) == (1, 500, 1_000)
    held = [r for r in rows if r.class_name == "5B" and r.held_minor]
    assert len(held) == 2 and held[0].remaining_minor == 1_000


def test_each_bookings_money_is_the_ledgers(engine):
    """The coordinator's list shows what the ledger holds, charged or gave back for each
    booking: a delivered one with an absent pupil its charge, less a refund once a dispute
    is accepted; another school's booking is never read."""
    world = build_culture(engine)
    other = build_culture(engine)
    delivered = world.book(world.classes["5A"])
    reserved = world.book(world.classes["5B"][:3], session_id=world.add_session())
    theirs = other.book(other.classes["5A"])
    world.deliver(delivered, world.classes["5A"][1:])

    def amounts() -> dict[int, int]:
        with read_session(engine) as s:
            return booking_amounts(
                s, world.coordinator, world.school_id, [delivered, reserved, theirs]
            )

    assert amounts() == {
        delivered: _entries(engine, delivered, "charge"),
        reserved: _entries(engine, reserved, "hold"),
    }
    assert amounts()[delivered] == 4_500  # nine of ten came; 50.00 was booked
    with world.tx() as s:
        dispute_id = open_culture_dispute(
            s, world.coordinator, delivered, now=SESSION_AT + timedelta(days=1)
        ).id
    with world.tx() as s:
        accept_culture_dispute(
            s, world.provider_user, dispute_id, now=SESSION_AT + timedelta(days=2)
        )
    assert amounts()[delivered] == _entries(engine, delivered, "charge") - _entries(
        engine, delivered, "refund"
    )
    with read_session(engine) as s, pytest.raises(NotFound):
        booking_amounts(s, other.coordinator, world.school_id, [delivered])


def test_the_providers_bookings_show_the_ledgers_money_and_only_its_own(engine):
    world = build_culture(engine)
    other = build_culture(engine)
    delivered = world.book(world.classes["5A"])
    theirs = other.book(other.classes["5A"])
    with world.tx() as s:
        confirm_booking(s, world.provider_user, delivered)
    with world.tx() as s:
        record_attendance(
            s,
            world.provider_user,
            delivered,
            world.classes["5A"][2:],
            now=SESSION_AT + timedelta(hours=2),
        )
    with read_session(engine) as s:
        amounts = provider_booking_amounts(
            s, world.provider_user, world.provider_id, [delivered, theirs]
        )
        with pytest.raises(NotFound):
            provider_booking_amounts(s, other.provider_user, world.provider_id, [delivered])
    assert amounts == {delivered: _entries(engine, delivered, "charge")}
    assert amounts[delivered] == 4_000  # eight of ten came
