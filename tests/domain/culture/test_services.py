"""Culture services and their sessions, as providers offer them, the operator reviews them
and schools book them, and as another provider or a school tries to change them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role
from navigator.domain.culture.booking import cancel_booking
from navigator.domain.culture.models import (
    CultureBooking,
    CultureService,
    CultureSession,
    ServiceStatus,
)
from navigator.domain.culture.services import (
    bookable_terms,
    change_session,
    publish_session,
    review_service,
    submit_service,
    update_service,
)
from navigator.domain.municipalities.api import create_municipality
from navigator.domain.providers.api import create_provider
from navigator.domain.shared.db import read_session, transaction
from navigator.domain.shared.errors import Conflict, DomainError, InvalidInput, NotFound
from tests.domain.culture.people import a_parent, assert_translated, count
from tests.domain.culture.world import (
    NOW,
    PASSWORD,
    SESSION_AT,
    YEAR,
    build_culture,
    service_fields,
)
from tests.support.invariants import assert_culture_invariants


def _service(world, service_id: int | None = None) -> CultureService:
    with read_session(world.engine) as s:
        return s.get(CultureService, service_id or world.service_id)


def _submit(world, **changes) -> int:
    with world.tx() as s:
        return submit_service(
            s, world.provider_user, world.provider_id, service_fields(**changes)
        ).id  # type: ignore[return-value]


def _publish(world, service_id: int, starts_at: datetime = SESSION_AT, capacity: int = 30):
    with world.tx() as s:
        return publish_session(s, world.provider_user, service_id, starts_at, capacity, now=NOW)


def test_a_submitted_service_waits_for_the_operator_and_cannot_be_booked(engine):
    world = build_culture(engine)
    service_id = _submit(world, title="Muziejaus pamoka", art_form="museum")
    service = _service(world, service_id)
    assert (service.status, service.approved_version) == (ServiceStatus.SUBMITTED, None)
    assert bookable_terms(service) is None
    with pytest.raises(Conflict) as refused:
        _publish(world, service_id)
    assert refused.value.code == "service_not_approved"
    with world.tx() as s:
        review_service(s, world.operator, service_id, "approve")
    assert bookable_terms(_service(world, service_id))["title"] == "Muziejaus pamoka"
    assert _publish(world, service_id).capacity == 30


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"price_per_pupil_minor": 505}, "price_step", "price"),
        ({"price_per_pupil_minor": 1}, "price_step", "price"),
        ({"price_per_pupil_minor": -500}, "amount_negative", "price"),
        ({"price_per_pupil_minor": 5.0}, "must_be_whole_number", "price"),
        ({"price_per_pupil_minor": "500"}, "must_be_whole_number", "price"),
        ({"price_per_pupil_minor": True}, "must_be_whole_number", "price"),
        ({"price_per_pupil_minor": 1060}, "price_above_per_pupil", "price"),  # 10.54 a pupil
        ({"grade_min": 7, "grade_max": 5}, "grades_reversed", "grade_max"),
        ({"grade_min": 0}, "query_out_of_range", "grade_min"),
        ({"grade_max": 13}, "query_out_of_range", "grade_max"),
        ({"grade_min": True}, "must_be_whole_number", "grade_min"),
        ({"place": "on_site", "address": ""}, "field_required", "address"),
        ({"place": "at_school", "address": "   "}, "field_required", "address"),
        ({"place": "moon"}, "field_not_allowed", "place"),
        ({"art_form": "circus"}, "field_not_allowed", "art_form"),
        ({"title": ""}, "field_required", "title"),
        ({"duration_minutes": 5}, "query_out_of_range", "duration_minutes"),
        ({"free_adults": 11}, "query_out_of_range", "free_adults"),
    ],
)
def test_a_service_with_bad_terms_is_refused_naming_the_field(engine, changes, code, field):
    world = build_culture(engine)
    with pytest.raises(InvalidInput) as refused:
        _submit(world, **changes)
    assert refused.value.code == code
    assert_translated(refused.value, field)
    assert count(engine, CultureService) == 1  # the world's own
    with world.tx() as s, pytest.raises(InvalidInput):
        update_service(s, world.provider_user, world.service_id, service_fields(**changes))
    assert _service(world).status == ServiceStatus.APPROVED


def test_a_free_online_service_needs_no_address_and_the_price_may_equal_the_amount(engine):
    world = build_culture(engine)
    free = _service(world, _submit(world, price_per_pupil_minor=0, place="online", address=""))
    assert (free.price_per_pupil_minor, free.place, free.address) == (0, "online", "")
    assert _service(world, _submit(world, price_per_pupil_minor=1050)).price_per_pupil_minor == 1050


def test_an_organisation_not_admitted_cannot_offer_a_service(engine):
    world = build_culture(engine)
    with transaction(engine) as s:
        town = create_municipality(
            s,
            code="culture-unadmitted",
            name="Kaunas",
            country="LT",
            currency="EUR",
            locale="lt",
            timezone="Europe/Vilnius",
        )
        provider = create_provider(
            s, municipality_id=town.id, name="Naujas teatras", kind="private"
        )
        owner = create_user(
            s, "naujas@example.org", PASSWORD, roles=((Role.PROVIDER_OWNER, None, provider.id),)
        )
        provider_id, owner_actor = provider.id, Actor.user(owner.id)  # type: ignore[arg-type]
    with world.tx() as s, pytest.raises(Conflict) as refused:
        submit_service(s, owner_actor, provider_id, service_fields())
    assert refused.value.code == "culture_provider_not_admitted"
    assert_translated(refused.value)
    assert "staff" not in refused.value.message("en")  # it is about services, not invitations
    assert count(engine, CultureService) == 1


def test_another_providers_staff_and_schools_cannot_touch_a_service(engine):
    world = build_culture(engine)
    other = build_culture(engine)
    outsiders = (other.provider_user, world.coordinator, world.operator, a_parent(engine))
    for outsider in outsiders:
        with world.tx() as s, pytest.raises(NotFound):
            submit_service(s, outsider, world.provider_id, service_fields(title="Svetima"))
        with world.tx() as s, pytest.raises(NotFound):
            update_service(s, outsider, world.service_id, service_fields(price_per_pupil_minor=0))
        with world.tx() as s, pytest.raises(NotFound):
            publish_session(s, outsider, world.service_id, SESSION_AT, 10, now=NOW)
        with world.tx() as s, pytest.raises(NotFound):
            change_session(s, outsider, world.session_id, SESSION_AT, 1, now=NOW)
    service = _service(world)
    assert (service.status, service.price_per_pupil_minor) == (ServiceStatus.APPROVED, 500)
    assert count(engine, CultureService, CultureService.title == "Svetima") == 0
    with read_session(engine) as s:
        assert s.get(CultureSession, world.session_id).capacity == 60
        assert len(s.exec(select(CultureSession)).all()) == 2  # one per world


def test_a_new_price_goes_back_to_review_while_schools_book_the_approved_one(engine):
    world = build_culture(engine)
    with world.tx() as s:
        update_service(
            s, world.provider_user, world.service_id, service_fields(price_per_pupil_minor=900)
        )
    service = _service(world)
    assert (service.status, service.price_per_pupil_minor) == (ServiceStatus.SUBMITTED, 900)
    assert bookable_terms(service)["price_per_pupil_minor"] == 500
    waiting = world.book(world.classes["5A"][:2])
    with world.tx() as s:
        review_service(s, world.operator, world.service_id, "approve")
    assert bookable_terms(_service(world))["price_per_pupil_minor"] == 900
    approved = world.book(world.classes["5B"][:2])
    with read_session(engine) as s:
        prices = [s.get(CultureBooking, b).price_per_pupil_minor for b in (waiting, approved)]
    assert prices == [500, 900]
    assert_culture_invariants(engine)


def test_saving_a_service_unchanged_keeps_its_approval(engine):
    world = build_culture(engine)
    with world.tx() as s:
        update_service(s, world.provider_user, world.service_id, service_fields())
    assert _service(world).status == ServiceStatus.APPROVED


def test_editing_a_suspended_service_does_not_lift_the_suspension(engine):
    world = build_culture(engine)
    with world.tx() as s:
        review_service(s, world.operator, world.service_id, "suspend", "Skundas dėl saugumo")
    with world.tx() as s:
        update_service(
            s, world.provider_user, world.service_id, service_fields(title="Nauja pamoka")
        )
    service = _service(world)
    assert (service.status, service.reason) == (ServiceStatus.SUSPENDED, "Skundas dėl saugumo")
    assert bookable_terms(service) is None
    with pytest.raises(Conflict) as refused:
        world.book(world.classes["5A"][:1])
    assert refused.value.code == "service_not_approved"
    with pytest.raises(Conflict):
        _publish(world, world.service_id)


def test_only_the_operator_reviews_and_a_refusal_says_why(engine):
    world = build_culture(engine)
    other = build_culture(engine)
    service_id = _submit(world, title="Šokio pamoka", art_form="dance")
    for outsider in (world.provider_user, world.coordinator, other.provider_user, a_parent(engine)):
        with world.tx() as s, pytest.raises(NotFound):
            review_service(s, outsider, service_id, "approve")
    for decision in ("reject", "suspend"):
        for reason in ("", "   ", None):
            with world.tx() as s, pytest.raises(InvalidInput) as refused:
                review_service(s, world.operator, service_id, decision, reason)  # type: ignore[arg-type]
            assert refused.value.code == "field_required"
            assert_translated(refused.value, "reason")
    with world.tx() as s, pytest.raises(InvalidInput) as refused:
        review_service(s, world.operator, service_id, "APPROVE")
    assert refused.value.code == "field_not_allowed"
    assert _service(world, service_id).status == ServiceStatus.SUBMITTED
    with world.tx() as s:
        review_service(s, world.operator, service_id, "reject", "Neatitinka kriterijų")
    rejected = _service(world, service_id)
    assert (rejected.status, rejected.reason) == (ServiceStatus.REJECTED, "Neatitinka kriterijų")
    with world.tx() as s, pytest.raises(Conflict) as refused:
        review_service(s, world.operator, world.service_id, "reject", "jau patvirtinta")
    assert refused.value.code == "service_not_waiting"
    assert_translated(refused.value)


@pytest.mark.parametrize(
    ("starts_at", "code"),
    [
        (datetime(YEAR, 12, 21, 10, 0, tzinfo=UTC), "outside_window"),  # after the window
        (datetime(YEAR + 1, 2, 1, 10, 0, tzinfo=UTC), "outside_window"),  # no such year
        (datetime(YEAR - 1, 12, 1, 10, 0, tzinfo=UTC), "outside_window"),
        (NOW - timedelta(days=1), "date_in_past"),
        (NOW, "date_in_past"),
        (SESSION_AT.replace(tzinfo=None), "date_invalid"),  # no time zone
        (SESSION_AT.isoformat(), "date_invalid"),
    ],
)
def test_a_session_outside_the_window_or_in_the_past_is_refused(engine, starts_at, code):
    world = build_culture(engine)
    with pytest.raises(InvalidInput) as refused:
        _publish(world, world.service_id, starts_at)
    assert refused.value.code == code
    assert_translated(refused.value, "starts_at")
    assert count(engine, CultureSession) == 1


def test_a_session_with_bookings_keeps_its_time_and_never_shrinks_below_them(engine):
    world = build_culture(engine)
    booking = world.book(world.classes["5A"])  # 10 pupils
    later = SESSION_AT + timedelta(days=7)
    with world.tx() as s, pytest.raises(Conflict) as refused:
        change_session(s, world.provider_user, world.session_id, later, 60, now=NOW)
    assert refused.value.code == "session_has_bookings"
    assert_translated(refused.value)
    with world.tx() as s, pytest.raises(Conflict) as refused:
        change_session(s, world.provider_user, world.session_id, SESSION_AT, 9, now=NOW)
    assert refused.value.code == "capacity_below_booked"
    assert_translated(refused.value)
    with world.tx() as s:
        change_session(s, world.provider_user, world.session_id, SESSION_AT, 10, now=NOW)
    with pytest.raises(Conflict) as refused:
        world.book(world.classes["5B"][:1])
    assert refused.value.code == "session_full"
    with world.tx() as s:
        cancel_booking(s, world.coordinator, booking, now=NOW)
    with world.tx() as s:  # nothing booked any more: it may move
        moved = change_session(s, world.provider_user, world.session_id, later, 5, now=NOW)
    assert (moved.starts_at, moved.capacity) == (later, 5)
    for refused_time, code in (
        (NOW - timedelta(hours=1), "date_in_past"),
        (datetime(YEAR + 1, 1, 5, 10, 0, tzinfo=UTC), "outside_window"),
    ):
        with world.tx() as s, pytest.raises(DomainError) as refused:
            change_session(s, world.provider_user, world.session_id, refused_time, 5, now=NOW)
        assert refused.value.code == code
    with read_session(engine) as s:
        assert s.get(CultureSession, world.session_id).starts_at == later
    assert_culture_invariants(engine)
