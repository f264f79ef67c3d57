"""The culture pass tells each side what the other did: the operator a service to review, the
provider a school's booking or cancellation and the operator's decision, the school's
coordinators every step of a booking and every movement of the wallet. In the reader's
language, leading to their own screen, and never with a pupil's name."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from sqlmodel import col, select

from navigator import routes
from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.models import User
from navigator.domain.culture.booking import (
    cancel_booking,
    confirm_booking,
    decline_booking,
    expire_reservation,
    record_attendance,
    release_unrecorded,
)
from navigator.domain.culture.coordinators import (
    accept_coordinator_invitation,
    invite_coordinator,
    remove_coordinator,
)
from navigator.domain.culture.models import Pupil, School
from navigator.domain.culture.photos import remove_service_photo, set_service_photo
from navigator.domain.culture.services import review_service, submit_service, update_service
from navigator.domain.culture.years import close_year, correct_pupils, import_schools, open_year
from navigator.domain.notifications.centre import list_notifications, set_preference
from navigator.domain.notifications.delivery import (
    dispatch_instant,
    send_digests,
    warn_culture_expiring,
)
from navigator.domain.providers.models import Provider
from navigator.domain.shared.db import read_session
from navigator.domain.shared.models import Notification, OutgoingMail
from tests.domain.culture.world import (
    NOW,
    PASSWORD,
    SESSION_AT,
    YEAR,
    build_culture,
    service_fields,
)
from tests.domain.programs.test_photos import image_bytes
from tests.support.mail import last_link

LANGUAGES = ("ru", "lt", "en")
AFTER = SESSION_AT + timedelta(hours=2)


def _told(engine, actor, kind, language="en"):
    with read_session(engine) as s:
        return [i for i in list_notifications(s, actor, language).items if i.kind == kind]


def _one(engine, actor, kind, link):
    """Exactly one line of the kind, with words of its own in each language."""
    lines = {}
    for language in LANGUAGES:
        items = _told(engine, actor, kind, language)
        assert len(items) == 1, (kind, language, items)
        assert items[0].link == link
        assert "—" not in items[0].line and "{" not in items[0].line, items[0].line
        lines[language] = items[0].line
    assert len(set(lines.values())) == 3, lines
    return lines


def test_the_operator_is_told_of_a_new_and_of_a_changed_service(engine):
    world = build_culture(engine)
    new = _one(engine, world.operator, "culture_queue.service", routes.CULTURE_OPERATOR)
    assert "Teatro pamoka" in new["en"] and "Teatras" in new["en"]
    with world.tx() as s:
        update_service(
            s, world.provider_user, world.service_id, service_fields(price_per_pupil_minor=600)
        )
    changed = _one(engine, world.operator, "culture_queue.service_changed", routes.CULTURE_OPERATOR)
    assert "изменена" in changed["ru"] and "pakeista" in changed["lt"]
    with world.tx() as s:  # the same content again is no change
        update_service(
            s, world.provider_user, world.service_id, service_fields(price_per_pupil_minor=600)
        )
    assert len(_told(engine, world.operator, "culture_queue.service_changed")) == 1


def test_the_provider_is_told_of_approval_rejection_and_suspension(engine):
    world = build_culture(engine)
    approved = _one(
        engine, world.provider_user, "culture_service.approved", routes.PROVIDER_CULTURE
    )
    assert "Teatro pamoka" in approved["lt"]
    with world.tx() as s:
        other = submit_service(
            s, world.provider_user, world.provider_id, service_fields(title="Koncertas")
        ).id
    with world.tx() as s:
        review_service(s, world.operator, other, "reject", "no programme for the pupils")
    rejected = _one(
        engine, world.provider_user, "culture_service.rejected", routes.PROVIDER_CULTURE
    )
    assert "Koncertas" in rejected["en"] and "no programme for the pupils" in rejected["en"]
    with world.tx() as s:
        update_service(
            s, world.provider_user, world.service_id, service_fields(price_per_pupil_minor=600)
        )
    with world.tx() as s:
        review_service(s, world.operator, world.service_id, "reject", "too expensive")
    _one(engine, world.provider_user, "culture_service.change_rejected", routes.PROVIDER_CULTURE)
    with world.tx() as s:
        review_service(s, world.operator, world.service_id, "suspend", "a justified complaint")
    suspended = _one(
        engine, world.provider_user, "culture_service.suspended", routes.PROVIDER_CULTURE
    )
    assert "a justified complaint" in suspended["en"]


def test_the_provider_is_told_of_a_booking_and_of_the_schools_cancellation(engine):
    world = build_culture(engine)
    booking = world.book(world.classes["5A"][:4])
    booked = _one(engine, world.provider_user, "culture_provider.booked", routes.PROVIDER_CULTURE)
    assert "5A" in booked["en"] and "Mokykla" in booked["en"] and "pupils: 4" in booked["en"]
    assert _told(engine, world.coordinator, "culture_provider.booked") == []
    with world.tx() as s:
        cancel_booking(s, world.coordinator, booking, now=NOW)
    with world.tx() as s:  # cancelling twice tells once
        cancel_booking(s, world.coordinator, booking, now=NOW)
    cancelled = _one(
        engine, world.provider_user, "culture_provider.cancelled", routes.PROVIDER_CULTURE
    )
    assert "5A" in cancelled["ru"] and "отменила" in cancelled["ru"]


def test_the_coordinators_are_told_of_a_confirmation_and_of_the_charge(engine):
    world = build_culture(engine)
    second = world.new_coordinator()
    booking = world.book(world.classes["5A"])
    for _ in range(2):  # confirming twice tells once
        with world.tx() as s:
            confirm_booking(s, world.provider_user, booking, now=NOW)
    for coordinator in (world.coordinator, second):
        confirmed = _one(engine, coordinator, "culture_booking.confirmed", routes.CULTURE)
        assert "Teatras" in confirmed["en"] and "5A" in confirmed["en"]
    with world.tx() as s:
        record_attendance(s, world.provider_user, booking, world.classes["5A"][2:], now=AFTER)
    delivered = _one(engine, world.coordinator, "culture_booking.delivered", routes.CULTURE)
    assert "€40.00" in delivered["en"]  # 8 of the 10 pupils came, 5.00 each


def test_the_coordinators_are_told_of_a_decline_with_its_reason(engine):
    world = build_culture(engine)
    booking = world.book(world.classes["5B"])
    with world.tx() as s:
        decline_booking(s, world.provider_user, booking, "the actor is ill", now=NOW)
    declined = _one(engine, world.coordinator, "culture_booking.declined", routes.CULTURE)
    assert "the actor is ill" in declined["en"] and "€50.00" in declined["en"]


def test_the_coordinators_are_told_when_a_booking_expires_or_is_released(engine):
    world = build_culture(engine)
    unconfirmed = world.book(world.classes["5A"])
    never_recorded = world.book(world.classes["5B"])
    with world.tx() as s:
        confirm_booking(s, world.provider_user, never_recorded, now=NOW)
    with world.tx() as s:
        assert expire_reservation(s, unconfirmed, now=SESSION_AT + timedelta(minutes=1))
    expired = _one(engine, world.coordinator, "culture_booking.expired", routes.CULTURE)
    assert "€50.00" in expired["en"]
    with world.tx() as s:
        assert release_unrecorded(s, never_recorded, now=SESSION_AT + timedelta(days=15))
    released = _one(engine, world.coordinator, "culture_booking.released", routes.CULTURE)
    assert "14" in released["lt"]


def test_the_coordinators_are_told_of_every_movement_of_the_wallet(engine):
    world = build_culture(engine, pupils=20, per_pupil=1054)
    with world.tx() as s:
        correct_pupils(s, world.operator, world.wallet_id, 22, reason="two new pupils")
    up = _one(engine, world.coordinator, "culture_wallet.adjust_up", routes.CULTURE)
    assert "€21.08" in up["en"] and str(YEAR) in up["en"]
    with world.tx() as s:
        correct_pupils(s, world.operator, world.wallet_id, 21, reason="one left")
    _one(engine, world.coordinator, "culture_wallet.adjust_down", routes.CULTURE)

    warned_at = datetime(YEAR, 12, 10, 9, 0, tzinfo=UTC)
    assert warn_culture_expiring(engine, warned_at, days=14) == 1
    assert warn_culture_expiring(engine, warned_at, days=14) == 0  # once per wallet
    expiring = _one(engine, world.coordinator, "culture_wallet.expiring", routes.CULTURE)
    assert "€221.34" in expiring["en"] and "Dec 20" in expiring["en"]  # 21 × 10.54

    with world.tx() as s:
        close_year(s, world.operator, world.year_id, date(YEAR, 12, 31))
    expired = _one(engine, world.coordinator, "culture_wallet.expired", routes.CULTURE)
    assert "€221.34" in expired["en"]

    with world.tx() as s:  # the next year credits the school's wallet again
        code = s.get(School, world.school_id).code
        next_year = open_year(
            s,
            world.operator,
            year=YEAR + 1,
            per_pupil_minor=1100,
            cap_minor=1500,
            window_start=date(YEAR + 1, 1, 1),
            window_end=date(YEAR + 1, 12, 20),
            reference_date=date(YEAR, 9, 1),
        )
        import_schools(
            s, world.operator, next_year.id, f"code,name,municipality,pupils\n{code},M,V,30"
        )
    credited = _one(engine, world.coordinator, "culture_wallet.credited", routes.CULTURE)
    assert "€330.00" in credited["en"] and str(YEAR + 1) in credited["en"]


def test_no_pupil_name_reaches_a_notification_or_a_letter(engine):
    world = build_culture(engine)
    kept = world.book(world.classes["5A"])
    with world.tx() as s:
        confirm_booking(s, world.provider_user, kept, now=NOW)
    declined = world.book(world.classes["5B"][:3])
    with world.tx() as s:
        decline_booking(s, world.provider_user, declined, "no room", now=NOW)
    with world.tx() as s:
        record_attendance(s, world.provider_user, kept, world.classes["5A"][1:], now=AFTER)
    assert dispatch_instant(engine) > 0
    with read_session(engine) as s:
        pupils = s.exec(select(Pupil)).all()
        names = {p.first_name for p in pupils} | {p.last_name for p in pupils}
        notifications = s.exec(select(Notification)).all()
        culture = [n for n in notifications if n.kind.startswith("culture_")]
        assert len(culture) >= 5
        letters = s.exec(select(OutgoingMail).order_by(col(OutgoingMail.id))).all()
        users = {u.id: u for u in s.exec(select(User)).all()}
        lines = [
            item.line
            for user_id in {n.user_id for n in culture}
            for language in LANGUAGES
            for item in list_notifications(s, Actor.user(user_id), language).items
        ]
    told = [str(n.payload) for n in culture] + lines
    told += [m.subject + m.body + m.html for m in letters]
    assert names and not [t for t in told if any(name in t for name in names)]
    # each letter in its reader's language: the coordinator's (Lithuanian) says "klasė"
    coordinator_email = users[world.coordinator.user_id].email
    theirs = [m for m in letters if m.recipient == coordinator_email and "5A" in m.subject]
    assert theirs and all("klasė" in m.subject for m in theirs)


def test_a_coordinator_wanting_only_what_the_law_requires_gets_the_schools_money(engine):
    """The wallet's movements and a booking's charge are money: at least in the digest."""
    world = build_culture(engine)
    with world.tx() as s:
        set_preference(s, world.coordinator, "required", True)
        email = s.get(User, world.coordinator.user_id).email
        language = s.get(User, world.coordinator.user_id).locale
    before = len(_mail_to(engine, email))  # the invitation
    booking = world.book(world.classes["5A"])
    with world.tx() as s:
        confirm_booking(s, world.provider_user, booking, now=NOW)
    with world.tx() as s:
        record_attendance(s, world.provider_user, booking, world.classes["5A"], now=AFTER)
    dispatch_instant(engine)
    assert _mail_to(engine, email)[before:] == []
    assert send_digests(engine, force=True) >= 1
    (digest,) = _mail_to(engine, email)[before:]
    [charged] = _told(engine, world.coordinator, "culture_booking.delivered", language)
    [confirmed] = _told(engine, world.coordinator, "culture_booking.confirmed", language)
    assert charged.line in digest.body and confirmed.line not in digest.body


def _mail_to(engine, email):
    with read_session(engine) as s:
        return s.exec(
            select(OutgoingMail)
            .where(OutgoingMail.recipient == email)
            .order_by(col(OutgoingMail.id))
        ).all()


def test_a_removed_coordinator_is_no_longer_told_what_the_school_was_told(engine):
    """The school's notices go with the role: the removed coordinator's page and digest have
    none of them (a decline's reason may name pupils); the one who stays keeps them all, and
    what another school of theirs told them stays."""
    world, other = build_culture(engine), build_culture(engine)
    leaving = world.new_coordinator("both@school.example")
    assert other.new_coordinator("both@school.example") == leaving
    for school in (world, other):
        booking = school.book(school.classes["5B"])
        with school.tx() as s:
            decline_booking(s, school.provider_user, booking, "Vardas1 was ill", now=NOW)
    with world.tx() as s:
        set_preference(s, leaving, "digest", True)
        email = s.get(User, leaving.user_id).email
    assert len(_told(engine, leaving, "culture_booking.declined")) == 2
    before = len(_mail_to(engine, email))
    with world.tx() as s:
        remove_coordinator(s, world.operator, world.school_id, leaving.user_id)
    with read_session(engine) as s:
        [kept] = list_notifications(s, leaving, "en").items
        assert s.get(Notification, kept.id).payload["school_id"] == other.school_id
    dispatch_instant(engine)
    send_digests(engine, force=True)
    [digest] = _mail_to(engine, email)[before:]  # the other school's decline alone
    with read_session(engine) as s:
        ours, theirs = (s.get(Provider, w.provider_id).name for w in (world, other))
    named = {name for name in (ours, theirs) if re.search(rf"\b{re.escape(name)}\b", digest.body)}
    assert named == {theirs}, digest.body
    stays = _one(engine, world.coordinator, "culture_booking.declined", routes.CULTURE)
    assert "Vardas1 was ill" in stays["en"]


def test_a_replaced_coordinator_is_no_longer_told_what_the_school_was_told(engine):
    world = build_culture(engine)
    booking = world.book(world.classes["5A"])
    with world.tx() as s:
        confirm_booking(s, world.provider_user, booking, now=NOW)
    assert _told(engine, world.coordinator, "culture_booking.confirmed")
    with world.tx() as s:
        invite_coordinator(
            s,
            world.operator,
            world.school_id,
            "replacement@school.example",
            app_url="http://test",
            replaces_user_id=world.coordinator.user_id,
            now=NOW,
        )
    link = last_link(engine, "replacement@school.example", routes.CULTURE_INVITE)
    with world.tx() as s:
        accept_coordinator_invitation(
            s,
            parse_qs(urlsplit(link).query)["token"][0],
            PASSWORD,
            PASSWORD,
            client_address="127.0.0.1",
            now=NOW,
        )
    with read_session(engine) as s:
        assert list_notifications(s, world.coordinator, "en").items == []
        assert (
            s.exec(
                select(Notification).where(Notification.user_id == world.coordinator.user_id)
            ).all()
            == []
        )


def test_the_operator_is_told_of_a_new_photo_as_of_any_change(engine, media):
    """A photo sends an approved service back to review: the operator hears of it, once per
    change (the same photo removed twice is one change)."""
    world = build_culture(engine)
    with world.tx() as s:
        set_service_photo(s, world.provider_user, world.service_id, image_bytes(), media)
    changed = _one(engine, world.operator, "culture_queue.service_changed", routes.CULTURE_OPERATOR)
    assert "Teatro pamoka" in changed["en"]
    with world.tx() as s:
        review_service(s, world.operator, world.service_id, "approve")
    for _ in range(2):
        with world.tx() as s:
            remove_service_photo(s, world.provider_user, world.service_id)
    assert len(_told(engine, world.operator, "culture_queue.service_changed")) == 2


def test_a_suspended_services_change_is_not_said_to_wait_for_review(engine, media):
    """A suspended service stays suspended when changed: the operator is told it waits for
    the decision on the suspension, never that it waits for review."""
    world = build_culture(engine)
    with world.tx() as s:
        review_service(s, world.operator, world.service_id, "suspend", "a complaint")
    with world.tx() as s:
        update_service(
            s, world.provider_user, world.service_id, service_fields(price_per_pupil_minor=600)
        )
    with world.tx() as s:
        set_service_photo(s, world.provider_user, world.service_id, image_bytes(), media)
    assert _told(engine, world.operator, "culture_queue.service_changed") == []
    lines = {}
    for language in LANGUAGES:
        items = _told(engine, world.operator, "culture_queue.suspended_changed", language)
        assert len(items) == 2 and {i.link for i in items} == {routes.CULTURE_OPERATOR}
        assert "{" not in items[0].line and "Teatro pamoka" in items[0].line
        lines[language] = items[0].line
    assert len(set(lines.values())) == 3 and "suspended" in lines["en"], lines


def test_the_provider_is_told_when_a_booking_expires_or_is_released(engine):
    """The clock frees a reservation nobody confirmed, and releases a booking whose register
    was never kept: the provider hears of both, leading to its culture screen."""
    world = build_culture(engine)
    unconfirmed = world.book(world.classes["5A"])
    never_recorded = world.book(world.classes["5B"])
    with world.tx() as s:
        confirm_booking(s, world.provider_user, never_recorded, now=NOW)
    with world.tx() as s:
        assert expire_reservation(s, unconfirmed, now=SESSION_AT + timedelta(minutes=1))
    with world.tx() as s:  # the clock again: told once
        assert not expire_reservation(s, unconfirmed, now=SESSION_AT + timedelta(minutes=2))
    expired = _one(engine, world.provider_user, "culture_provider.expired", routes.PROVIDER_CULTURE)
    assert "5A" in expired["en"] and "Mokykla" in expired["en"] and "истекло" in expired["ru"]
    with world.tx() as s:
        assert release_unrecorded(s, never_recorded, now=SESSION_AT + timedelta(days=15))
    released = _one(
        engine, world.provider_user, "culture_provider.released", routes.PROVIDER_CULTURE
    )
    assert "5B" in released["lt"] and "14" in released["en"] and "not charged" in released["en"]
    assert _told(engine, world.coordinator, "culture_provider.released") == []


def test_the_expiry_warning_counts_days_in_vilnius(engine):
    """At 23:30 UTC it is already the next day in Vilnius: on 20 December the services have
    ended there (no warning of money still to spend), and on 5 December the end is 14 days
    away there."""
    world = build_culture(engine)
    ended = datetime(YEAR, 12, 20, 23, 30, tzinfo=UTC)  # 21 December, 01:30 in Vilnius
    assert warn_culture_expiring(engine, ended, days=14) == 0
    fortnight = datetime(YEAR, 12, 5, 23, 30, tzinfo=UTC)  # 6 December in Vilnius
    assert warn_culture_expiring(engine, fortnight, days=14) == 1
    _one(engine, world.coordinator, "culture_wallet.expiring", routes.CULTURE)
