"""Refusals at booking time that publishing cannot catch (the year closed over a session, a
price or grades approved after the session was published, a request key reused): each says
what failed, in every language, and nothing is held or booked."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import func, select

from navigator.domain.culture.models import BookingPupil, CultureBooking, PupilYear, SchoolWallet
from navigator.domain.culture.services import review_service, update_service
from navigator.domain.culture.years import close_year, open_year
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import DomainError
from tests.domain.culture.world import NOW, YEAR, build_culture, service_fields
from tests.support.invariants import assert_culture_invariants


def _money_and_bookings(world) -> tuple:
    """What a refusal must leave as it was: the wallet, the pupils' years, the bookings."""
    with read_session(world.engine) as s:
        wallet = s.get(SchoolWallet, world.wallet_id)
        return (
            wallet.held_minor,
            wallet.available_minor,
            s.exec(select(func.count()).select_from(CultureBooking)).one(),
            s.exec(select(func.count()).select_from(BookingPupil)).one(),
            sorted((p.pupil_id, p.held_minor) for p in s.exec(select(PupilYear)).all()),
        )


def _refused(world, code: str, pupils: list[int], **kwargs) -> DomainError:
    before = _money_and_bookings(world)
    with pytest.raises(DomainError) as refused:
        world.book(pupils, **kwargs)
    assert refused.value.code == code
    said = {refused.value.message(lang) for lang in ("ru", "lt", "en")}
    assert len(said) == 3 and code not in "".join(said)  # words in each language, not a key
    assert _money_and_bookings(world) == before
    assert_culture_invariants(world.engine)
    return refused.value


def _approve_change(world, **changes) -> None:
    with world.tx() as s:
        update_service(s, world.provider_user, world.service_id, service_fields(**changes))
    with world.tx() as s:
        review_service(s, world.operator, world.service_id, "approve")


def test_a_session_of_a_year_closed_since_it_was_published_is_outside_the_window(engine):
    world = build_culture(engine)
    with world.tx() as s:  # the operator closes the year (a closing day after its window)
        close_year(s, world.operator, world.year_id, date(YEAR, 12, 21))
    _refused(world, "outside_window", world.classes["5A"], now=NOW)


def test_a_price_approved_above_the_sessions_years_amount_is_not_booked(engine):
    world = build_culture(engine)  # this year: 10.54 a pupil; the session is in it
    with world.tx() as s:  # next year pays more, and the provider's new price follows it
        open_year(
            s,
            world.operator,
            year=YEAR + 1,
            per_pupil_minor=2_000,
            cap_minor=3_000,
            window_start=date(YEAR + 1, 1, 1),
            window_end=date(YEAR + 1, 12, 20),
            reference_date=date(YEAR, 9, 1),
        )
    _approve_change(world, price_per_pupil_minor=1_500)
    refused = _refused(world, "price_above_per_pupil", world.classes["5A"][:2])
    assert refused.params["max"] == "10.54"


def test_a_class_outside_the_grades_approved_is_refused(engine):
    world = build_culture(engine)  # classes 5A and 5B
    _approve_change(world, grade_min=1, grade_max=4)
    refused = _refused(world, "grade_not_served", world.classes["5A"])
    assert (refused.params["min"], refused.params["max"]) == (1, 4)


@pytest.mark.parametrize("reuse", ["another session", "another coordinator"])
def test_a_request_key_used_for_another_booking_is_refused(engine, reuse):
    world = build_culture(engine)
    world.book(world.classes["5A"][:2], key="click-0001")
    if reuse == "another session":
        kwargs: dict = {"session_id": world.add_session()}
    else:
        kwargs = {"actor": world.new_coordinator()}
    _refused(world, "request_key_used", world.classes["5B"][:2], key="click-0001", **kwargs)
