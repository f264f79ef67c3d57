"""Class bookings hold their money from the first click, and every way out releases it once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from navigator.domain.culture.booking import (
    cancel_booking,
    confirm_booking,
    decline_booking,
    due_reservations,
    expire_reservation,
    quote_booking,
    record_attendance,
)
from navigator.domain.culture.models import (
    BookingPupil,
    BookingStatus,
    CultureBooking,
    CultureSession,
    PupilYear,
    SchoolWallet,
)
from navigator.domain.culture.services import review_service
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict, DomainError, InvalidInput, NotFound
from tests.domain.culture.world import NOW, SESSION_AT, build_culture, later
from tests.support.invariants import assert_culture_invariants


def _wallet(world) -> SchoolWallet:
    with read_session(world.engine) as s:
        return s.get(SchoolWallet, world.wallet_id)


def _spent(world, pupil_id: int) -> int:
    with read_session(world.engine) as s:
        row = s.exec(select(PupilYear).where(PupilYear.pupil_id == pupil_id)).first()
        return 0 if row is None else row.held_minor + row.charged_minor


def test_a_booking_holds_the_wallet_and_every_pupils_share_at_once(engine):
    world = build_culture(engine)  # 20 pupils × 10.54 = 210.80; 5.00 a pupil
    assert _wallet(world).available_minor == 21_080
    with read_session(engine) as s:
        quote = quote_booking(s, world.coordinator, world.session_id, world.classes["5A"], now=NOW)
    assert (quote.total_minor, quote.wallet_before_minor, quote.wallet_after_minor) == (
        5_000,
        21_080,
        16_080,
    )
    assert {cap.remaining_minor for cap in quote.caps} == {1_500}
    booking_id = world.book(world.classes["5A"], adults=2)
    wallet = _wallet(world)
    assert (wallet.held_minor, wallet.available_minor) == (5_000, 16_080)
    assert _spent(world, world.classes["5A"][0]) == 500
    with read_session(engine) as s:
        assert s.get(CultureSession, world.session_id).booked == 10
        assert s.get(CultureBooking, booking_id).status == BookingStatus.RESERVED
    assert_culture_invariants(engine)


def test_the_same_request_twice_books_once(engine):
    world = build_culture(engine)
    first = world.book(world.classes["5A"], key="same-click-0001")
    again = world.book(world.classes["5A"], key="same-click-0001")
    assert first == again
    assert _wallet(world).held_minor == 5_000
    assert_culture_invariants(engine)


def test_a_pupil_past_the_yearly_cap_is_named_and_nothing_is_held(engine):
    world = build_culture(engine)  # cap 15.00, price 5.00: three bookings fit
    pupil = world.classes["5A"][0]
    for _ in range(3):
        world.book([pupil], session_id=world.add_session())
    before = _wallet(world)
    with pytest.raises(Conflict) as refused:
        world.book(world.classes["5A"][:3], session_id=world.add_session())
    assert refused.value.code == "pupil_cap_exceeded"
    assert "Vardas1 Pavardė1 (5A)" in refused.value.message("lt")
    assert "Vardas2" not in refused.value.params["pupils"]  # only the pupils that fail
    after = _wallet(world)
    assert (after.held_minor, after.available_minor) == (before.held_minor, before.available_minor)
    assert _spent(world, world.classes["5A"][1]) == 0
    assert_culture_invariants(engine)


def test_a_wallet_is_never_overdrawn(engine):
    world = build_culture(engine, pupils=2, classes={"5A": 10})  # 21.08 for ten pupils
    with pytest.raises(Conflict) as refused:
        world.book(world.classes["5A"])  # 50.00
    assert refused.value.code == "wallet_insufficient"
    assert _wallet(world).held_minor == 0
    world.book(world.classes["5A"][:4])  # 20.00 fits
    assert _wallet(world).available_minor == 108
    assert_culture_invariants(engine)


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("twice", "pupil_twice"),
        ("empty", "pupils_required"),
        ("past", "session_past"),
        ("full", "session_full"),
        ("adults", "too_many_adults"),
        ("suspended", "service_not_approved"),
        ("bad key", "field_not_allowed"),
    ],
)
def test_a_refused_booking_says_what_failed_and_holds_nothing(engine, case, code):
    world = build_culture(engine, capacity=12)
    pupils = world.classes["5A"]
    kwargs: dict = {}
    if case == "twice":
        pupils = [pupils[0], pupils[1], pupils[0]]
    elif case == "empty":
        pupils = []
    elif case == "past":
        kwargs["now"] = SESSION_AT + timedelta(minutes=1)
    elif case == "full":
        world.book(world.classes["5B"][:5])
        pupils = world.classes["5A"][:8]  # 5 + 8 > 12
    elif case == "adults":
        kwargs["adults"] = 3  # two come free
    elif case == "suspended":
        with world.tx() as s:
            review_service(s, world.operator, world.service_id, "suspend", "skundas")
    elif case == "bad key":
        kwargs["key"] = "x'; DROP TABLE pupil; --"
    held = _wallet(world).held_minor
    with pytest.raises(DomainError) as refused:
        world.book(pupils, **kwargs)
    assert refused.value.code == code
    assert refused.value.message("ru") and refused.value.message("lt")
    assert _wallet(world).held_minor == held
    assert_culture_invariants(engine)


def test_another_schools_pupils_and_sessions_of_no_one_are_not_found(engine):
    world = build_culture(engine)
    other = build_culture(engine)
    with pytest.raises(NotFound):
        world.book(other.classes["5A"][:2])  # the other school's pupils
    with pytest.raises(NotFound):
        world.book(world.classes["5A"][:2], actor=other.coordinator)  # not their school
    with pytest.raises(NotFound):
        world.book(world.classes["5A"][:2], session_id=999_999)
    assert _wallet(world).held_minor == 0


def test_declining_and_cancelling_release_everything_once(engine):
    world = build_culture(engine)
    declined = world.book(world.classes["5A"])
    with world.tx() as s, pytest.raises(InvalidInput):
        decline_booking(s, world.provider_user, declined, "")  # a reason is required
    with world.tx() as s:
        decline_booking(s, world.provider_user, declined, "Aktorius serga")
    with world.tx() as s, pytest.raises(Conflict):
        decline_booking(s, world.provider_user, declined, "dar kartą")
    cancelled = world.book(world.classes["5B"])
    with world.tx() as s:
        cancel_booking(s, world.coordinator, cancelled, now=NOW)
    with world.tx() as s:
        cancel_booking(s, world.coordinator, cancelled, now=NOW)  # twice: no second release
    wallet = _wallet(world)
    assert (wallet.held_minor, wallet.available_minor) == (0, 21_080)
    with read_session(engine) as s:
        assert s.get(CultureSession, world.session_id).booked == 0
    assert _spent(world, world.classes["5A"][0]) == 0
    assert_culture_invariants(engine)


def test_cancelling_after_the_deadline_is_refused(engine):
    world = build_culture(engine)  # the year's deadline: 7 days before
    booking = world.book(world.classes["5A"])
    with world.tx() as s, pytest.raises(Conflict) as refused:
        cancel_booking(s, world.coordinator, booking, now=SESSION_AT - timedelta(days=6))
    assert refused.value.code == "cancel_deadline_passed"
    assert _wallet(world).held_minor == 5_000


def test_attendance_charges_who_came_and_releases_who_did_not(engine):
    world = build_culture(engine)
    booking = world.book(world.classes["5A"])
    after = SESSION_AT + timedelta(hours=2)
    with world.tx() as s, pytest.raises(Conflict):  # not before the provider confirmed
        record_attendance(s, world.provider_user, booking, world.classes["5A"], now=after)
    with world.tx() as s:
        confirm_booking(s, world.provider_user, booking)
    with world.tx() as s, pytest.raises(Conflict):  # nor before the session
        record_attendance(s, world.provider_user, booking, world.classes["5A"], now=NOW)
    came = world.classes["5A"][1:]  # one pupil absent
    with world.tx() as s:
        record_attendance(s, world.provider_user, booking, came, now=after)
    with world.tx() as s:  # the same register again charges nothing more
        record_attendance(s, world.provider_user, booking, came, now=after)
    wallet = _wallet(world)
    assert (wallet.held_minor, wallet.charged_minor, wallet.available_minor) == (
        0,
        4_500,
        16_580,
    )
    assert _spent(world, world.classes["5A"][0]) == 0  # the absent pupil's cap is whole again
    assert _spent(world, world.classes["5A"][1]) == 500
    assert_culture_invariants(engine)


def test_only_the_services_provider_confirms_and_records(engine):
    world = build_culture(engine)
    other = build_culture(engine)
    booking = world.book(world.classes["5A"])
    for actor in (other.provider_user, world.coordinator):
        with world.tx() as s, pytest.raises(NotFound):
            confirm_booking(s, actor, booking)
    with world.tx() as s, pytest.raises(NotFound):
        cancel_booking(s, other.coordinator, booking, now=NOW)


def test_an_unconfirmed_reservation_expires_when_its_session_begins(engine):
    world = build_culture(engine)
    waiting = world.book(world.classes["5A"])
    confirmed = world.book(world.classes["5B"])
    with world.tx() as s:
        confirm_booking(s, world.provider_user, confirmed)
    with read_session(engine) as s:
        assert due_reservations(s, now=NOW) == []
        due = due_reservations(s, now=SESSION_AT)
    assert due == [waiting]
    with world.tx() as s:
        assert expire_reservation(s, waiting, now=SESSION_AT)
    with world.tx() as s:
        assert not expire_reservation(s, waiting, now=SESSION_AT)  # once
    assert _wallet(world).held_minor == 5_000  # the confirmed class still holds
    assert_culture_invariants(engine)


def test_a_booking_keeps_its_price_when_the_service_changes(engine):
    from navigator.domain.culture.services import update_service
    from tests.domain.culture.world import service_fields

    world = build_culture(engine)
    with world.tx() as s:
        update_service(
            s, world.provider_user, world.service_id, service_fields(price_per_pupil_minor=900)
        )
    booking = world.book(world.classes["5A"][:2])  # the approved price, until reviewed
    with read_session(engine) as s:
        assert s.get(CultureBooking, booking).price_per_pupil_minor == 500
    assert later(0) == NOW


def test_the_apps_clock_expires_due_reservations_once(engine):
    from navigator.jobs import run_due_jobs

    world = build_culture(engine)
    world.book(world.classes["5A"])
    assert run_due_jobs(engine, NOW)["culture_reservations_expired"] == 0
    assert run_due_jobs(engine, SESSION_AT)["culture_reservations_expired"] == 1
    assert run_due_jobs(engine, SESSION_AT)["culture_reservations_expired"] == 0
    assert _wallet(world).held_minor == 0
    assert_culture_invariants(engine)


def test_the_clock_releases_unrecorded_bookings_and_closes_the_year_once(engine):
    from navigator.domain.culture.models import CulturePassYear, YearStatus
    from navigator.jobs import run_due_jobs

    world = build_culture(engine)
    booking = world.book(world.classes["5A"])
    with world.tx() as s:
        confirm_booking(s, world.provider_user, booking)
    assert run_due_jobs(engine, SESSION_AT + timedelta(days=13))["culture_unrecorded_released"] == 0
    assert run_due_jobs(engine, SESSION_AT + timedelta(days=15))["culture_unrecorded_released"] == 1
    with read_session(engine) as s:
        assert s.get(CultureBooking, booking).status == BookingStatus.EXPIRED
        window_end = s.get(CulturePassYear, world.year_id).window_end
    end = datetime.combine(window_end, datetime.min.time(), tzinfo=NOW.tzinfo)
    assert run_due_jobs(engine, end + timedelta(days=5))["culture_years_closed"] == 0
    assert run_due_jobs(engine, end + timedelta(days=20))["culture_years_closed"] == 1
    assert run_due_jobs(engine, end + timedelta(days=21))["culture_years_closed"] == 0
    wallet = _wallet(world)
    assert (wallet.available_minor, wallet.expired_minor) == (0, 21_080)
    with read_session(engine) as s:
        assert s.get(CulturePassYear, world.year_id).status == YearStatus.CLOSED
    assert_culture_invariants(engine)


def test_the_database_itself_refuses_a_pupil_twice_on_one_session(engine):
    """The booking checks it first; the partial unique index is the backstop, and it counts
    only places held or charged: a pupil released by a cancellation can come back."""
    world = build_culture(engine)
    pupil = world.classes["5A"][0]
    first = world.book([pupil])
    with read_session(engine) as s:
        seat = s.exec(select(BookingPupil).where(BookingPupil.booking_id == first)).one()
        assert seat.session_id == world.session_id
    other = world.book([world.classes["5A"][1]])  # another booking of the same session
    with pytest.raises(Conflict) as refused, world.tx() as s:  # a path that forgot the check
        s.add(
            BookingPupil(
                booking_id=other,
                session_id=world.session_id,
                pupil_id=pupil,
                pupil_year_id=seat.pupil_year_id,
                amount_minor=0,
            )
        )
    cause = str(refused.value.__cause__)
    assert isinstance(refused.value.__cause__, IntegrityError)
    assert "uq_booking_pupil_session_taken" in cause or "booking_pupil.session_id" in cause
    with world.tx() as s:
        cancel_booking(s, world.coordinator, first, now=NOW)
    again = world.book([pupil])  # released: the same pupil, the same session, booked again
    assert again != first
    assert_culture_invariants(engine)
