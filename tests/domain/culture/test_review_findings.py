"""What an independent review of the culture pass found, each now a test: a pupil booked
twice on one session, a reservation confirmed or declined after its session began, the
platform operator acting as a provider, a day taken in UTC instead of Vilnius, a removed
coordinator's invitations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role
from navigator.domain.culture.booking import confirm_booking, decline_booking
from navigator.domain.culture.coordinators import invite_coordinator, remove_coordinator
from navigator.domain.culture.models import CoordinatorInvitation, SchoolWallet
from navigator.domain.culture.schedule import provider_services
from navigator.domain.culture.services import publish_session
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict, DomainError, NotFound
from tests.domain.culture.world import NOW, SESSION_AT, YEAR, build_culture
from tests.support.invariants import assert_culture_invariants


def test_a_pupil_is_never_booked_twice_on_one_session(engine):
    world = build_culture(engine)
    world.book(world.classes["5A"][:3])
    second = world.new_coordinator()
    with pytest.raises(Conflict) as refused:
        world.book(world.classes["5A"][2:6], actor=second)  # one of them is on it already
    assert refused.value.code == "pupil_already_booked"
    assert "Vardas3" in refused.value.message("lt")
    with read_session(engine) as s:
        assert s.get(SchoolWallet, world.wallet_id).held_minor == 1_500
    assert_culture_invariants(engine)


def test_a_reservation_is_neither_confirmed_nor_declined_after_its_session_began(engine):
    world = build_culture(engine)
    booking = world.book(world.classes["5A"])
    after = SESSION_AT + timedelta(minutes=1)
    with world.tx() as s, pytest.raises(Conflict) as late:
        confirm_booking(s, world.provider_user, booking, now=after)
    assert late.value.code == "booking_expired_at_start"
    with world.tx() as s, pytest.raises(Conflict) as declined:
        decline_booking(s, world.provider_user, booking, "zu spät", now=after)
    assert declined.value.code == "session_started_record_attendance"


def test_the_platform_operator_is_not_a_culture_providers_staff(engine):
    world = build_culture(engine)
    booking = world.book(world.classes["5A"])
    with world.tx() as s:
        platform = create_user(
            s, "platform@example.org", "platform pass 2027", roles=((Role.OPERATOR, None, None),)
        )
    operator = Actor.user(platform.id)
    with world.tx() as s, pytest.raises(NotFound):
        confirm_booking(s, operator, booking)
    with read_session(engine) as s, pytest.raises(NotFound):
        provider_services(s, operator, world.provider_id, now=NOW)


def test_a_session_after_the_window_in_vilnius_is_outside_it_though_not_in_utc(engine):
    world = build_culture(engine)  # the window ends on 20 December
    vilnius_early_21st = datetime(YEAR, 12, 20, 23, 30, tzinfo=UTC)  # 01:30 on the 21st there
    with world.tx() as s, pytest.raises(DomainError) as refused:
        publish_session(s, world.provider_user, world.service_id, vilnius_early_21st, 20, now=NOW)
    assert refused.value.code == "outside_window"


def test_a_removed_coordinators_unused_invitations_go_with_them(engine):
    world = build_culture(engine)
    second = world.new_coordinator()
    with world.tx() as s:
        invite_coordinator(
            s, second, world.school_id, "private@elsewhere.example", app_url="http://t", now=NOW
        )
    with world.tx() as s:
        remove_coordinator(s, world.coordinator, world.school_id, second.user_id)
    with read_session(engine) as s:
        invitation = s.exec(
            select(CoordinatorInvitation).where(
                CoordinatorInvitation.email == "private@elsewhere.example"
            )
        ).one()
    assert invitation.revoked_at is not None


def test_reinstating_an_edited_suspended_service_keeps_the_terms_approved_before(engine):
    from navigator.domain.culture.models import CultureService, ServiceStatus
    from navigator.domain.culture.services import bookable_terms, review_service, update_service
    from tests.domain.culture.world import service_fields

    world = build_culture(engine)  # approved at 5.00
    with world.tx() as s:
        review_service(s, world.operator, world.service_id, "suspend", "skundas")
    with world.tx() as s:
        update_service(
            s, world.provider_user, world.service_id, service_fields(price_per_pupil_minor=1_000)
        )
    with world.tx() as s:
        review_service(s, world.operator, world.service_id, "approve")  # reinstated
    with read_session(engine) as s:
        service = s.get(CultureService, world.service_id)
        assert service.status == ServiceStatus.SUBMITTED  # the 10.00 edit waits for review
        assert bookable_terms(service)["price_per_pupil_minor"] == 500
    with world.tx() as s, pytest.raises(Conflict) as moved:  # what the operator saw is stale
        review_service(
            s, world.operator, world.service_id, "approve", seen={"price_per_pupil_minor": 500}
        )
    assert moved.value.code == "service_changed"
    with world.tx() as s:
        review_service(s, world.operator, world.service_id, "reject", "per brangu")
    with read_session(engine) as s:
        service = s.get(CultureService, world.service_id)
        assert (service.status, service.price_per_pupil_minor) == (ServiceStatus.APPROVED, 500)
        assert service.reason == "per brangu"  # the provider reads why its change was refused
