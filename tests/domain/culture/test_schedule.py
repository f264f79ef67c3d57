"""A provider reads its own culture services, sessions and bookings; the names of booked
pupils only for a confirmed booking on its own session that has begun."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from navigator.domain.culture.booking import confirm_booking, decline_booking
from navigator.domain.culture.schedule import provider_services
from navigator.domain.culture.services import submit_service, update_service
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import NotFound
from tests.domain.culture.world import NOW, SESSION_AT, build_culture, service_fields

AFTER = SESSION_AT + timedelta(minutes=5)


def _read(world, actor=None, provider_id=None, now=NOW):
    with read_session(world.engine) as s:
        return provider_services(
            s, actor or world.provider_user, provider_id or world.provider_id, now=now
        )


def test_the_provider_reads_its_services_sessions_and_bookings(engine):
    world = build_culture(engine)
    booking_id = world.book(world.classes["5A"], adults=2)
    [service] = _read(world)
    assert (service.service_id, service.status, service.bookable) == (
        world.service_id,
        "approved",
        True,
    )
    assert service.fields.price_per_pupil_minor == 500 and not service.change_waiting
    [scheduled] = service.sessions
    assert (scheduled.session_id, scheduled.starts_at, scheduled.booked, scheduled.capacity) == (
        world.session_id,
        SESSION_AT,
        10,
        60,
    )
    [booking] = scheduled.bookings
    assert (booking.booking_id, booking.class_names, booking.pupils, booking.adults) == (
        booking_id,
        "5A",
        10,
        2,
    )
    assert (booking.total_minor, booking.status, booking.register) == (5_000, "reserved", [])
    assert booking.school_name.startswith("Mokykla")


def test_another_provider_gets_not_found_and_never_the_bookings_or_names(engine):
    world = build_culture(engine)
    other = build_culture(engine)
    booking_id = world.book(world.classes["5A"])
    with world.tx() as s:
        confirm_booking(s, world.provider_user, booking_id)
    with pytest.raises(NotFound):
        _read(world, actor=other.provider_user, now=AFTER)
    with pytest.raises(NotFound):
        _read(world, actor=world.coordinator, now=AFTER)
    # its own screen holds its own service only, no booking of the first provider's
    [service] = _read(other, now=AFTER)
    assert service.service_id == other.service_id
    assert [b for s in service.sessions for b in s.bookings] == []


def test_names_appear_only_for_a_confirmed_booking_once_its_session_has_begun(engine):
    world = build_culture(engine)
    confirmed = world.book(world.classes["5A"])
    reserved = world.book(world.classes["5B"][:5])
    declined = world.book(world.classes["5B"][5:])
    with world.tx() as s:
        confirm_booking(s, world.provider_user, confirmed)
    with world.tx() as s:
        decline_booking(s, world.provider_user, declined, "Aktorius serga")

    def registers(now):
        [service] = _read(world, now=now)
        return {b.booking_id: b for b in service.sessions[0].bookings}

    before = registers(NOW)
    assert all(b.register == [] for b in before.values())
    after = registers(AFTER)
    assert {p.pupil_id for p in after[confirmed].register} == set(world.classes["5A"])
    assert {p.first_name for p in after[confirmed].register} >= {"Vardas1"}
    assert after[reserved].register == [] and after[declined].register == []
    assert (after[declined].status, after[declined].reason) == ("declined", "Aktorius serga")


def test_a_change_of_an_approved_service_waits_for_review_on_the_approved_price(engine):
    world = build_culture(engine)
    with world.tx() as s:
        update_service(
            s, world.provider_user, world.service_id, service_fields(price_per_pupil_minor=700)
        )
    with world.tx() as s:
        submit_service(s, world.provider_user, world.provider_id, service_fields(title="Nauja"))
    new, changed = _read(world)
    assert (changed.status, changed.change_waiting, changed.bookable) == ("submitted", True, True)
    assert (changed.fields.price_per_pupil_minor, changed.approved_price_minor) == (700, 500)
    assert (new.status, new.change_waiting, new.bookable, new.sessions) == (
        "submitted",
        False,
        False,
        [],
    )


def test_the_schedule_reads_in_the_same_few_queries_however_many_rows(engine):
    world = build_culture(engine)

    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            _read(world, now=AFTER)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    one = world.book(world.classes["5A"][:3])
    with world.tx() as s:
        confirm_booking(s, world.provider_user, one)
    few = statements()
    for n in range(3):
        world.add_session(SESSION_AT + timedelta(days=n + 1))
    for pupils in (world.classes["5A"][3:6], world.classes["5B"][:4]):
        booking = world.book(pupils)
        with world.tx() as s:
            confirm_booking(s, world.provider_user, booking)
    assert statements() == few
