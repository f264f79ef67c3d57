"""The provider's culture-pass screen: every handler asks who is asking; another provider or
someone signed out changes nothing and reads nothing; the provider submits and changes a
service, publishes a session in Vilnius time, confirms, declines and records attendance."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

import navigator.domain.shared.db as db
import navigator.state.provider_culture as screen
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.signin import start_session
from navigator.domain.culture.booking import confirm_booking
from navigator.domain.culture.models import (
    BookingPupil,
    CultureBooking,
    CultureService,
    CultureSession,
)
from navigator.domain.shared.errors import Conflict
from navigator.domain.shared.models import utcnow
from navigator.state.app import AppState
from navigator.state.provider_culture import ProviderCultureState
from tests.domain.culture.world import NOW, PASSWORD, SESSION_AT, YEAR, build_culture
from tests.domain.programs.test_photos import image_bytes
from tests.support.handlers import settle

AFTER = SESSION_AT + timedelta(hours=2)
APRIL_FIRST = date(YEAR, 4, 1)  # always summer time in Vilnius: its clocks move in March
VILNIUS = ZoneInfo("Europe/Vilnius")
SERVICE_FORM = {
    "title": "Muzikos pamoka",
    "description": "Koncertas ir pokalbis.",
    "art_form": "music",
    "grade_min": "3",
    "grade_max": "8",
    "duration_minutes": "45",
    "language": "lt",
    "place": "at_school",
    "address": "Mokyklos g. 1",
    "price": "4,50",
    "free_adults": "2",
}


@pytest.fixture
def culture(engine, monkeypatch):
    """A world, another provider's world, and a tab whose signed-in person the test picks."""
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    clock = {"now": NOW}
    monkeypatch.setattr(screen, "utcnow", lambda: clock["now"])
    world = build_culture(engine)
    other = build_culture(engine)
    with world.tx() as s:
        parent = create_user(s, "parent.culture@example.org", PASSWORD)
        tokens = {
            "provider": start_session(s, world.provider_user.user_id, utcnow()).token,
            "other": start_session(s, other.provider_user.user_id, utcnow()).token,
            "parent": start_session(s, parent.id, utcnow()).token,
            "out": None,
        }
    holder = {"token": None}
    monkeypatch.setattr(AppState, "_session_token", lambda self: holder["token"])

    def tab(who: str) -> ProviderCultureState:
        holder["token"] = tokens[who]
        state = ProviderCultureState(_reflex_internal_init=True)
        ProviderCultureState.load.fn(state)
        return state

    return world, other, tab, clock


class _Upload:
    """What the browser's upload hands a handler: a file to read."""

    def __init__(self, content: bytes) -> None:
        self.content = content

    async def read(self, size: int = -1) -> bytes:
        return self.content[:size] if size >= 0 else self.content


def _complete(coroutine) -> None:
    """Run an async handler to its end on a loop of its own (the suite may have one running
    in this thread), as the upload tests of the operator's screen do."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def _booking(world, booking_id) -> CultureBooking:
    with db.read_session(world.engine) as s:
        return s.get(CultureBooking, booking_id)


def test_the_provider_sees_its_services_sessions_and_bookings(culture):
    world, _other, tab, _clock = culture
    booking_id = world.book(world.classes["5A"], adults=1)
    state = tab("provider")
    assert state.error == "" and state.has_provider
    assert [s.id for s in state.services] == [str(world.service_id)]
    assert [s.id for s in state.sessions] == [str(world.session_id)]
    # 10:00 UTC in March is noon in Vilnius
    assert "12:00" in state.sessions[0].starts
    [card] = state.bookings
    assert (card.id, card.classes, card.can_confirm, card.register) == (
        str(booking_id),
        "5A",
        True,
        [],
    )


@pytest.mark.parametrize("who", ["out", "other"])
def test_signed_out_or_another_provider_changes_and_reads_nothing(culture, who):
    world, other, tab, clock = culture
    booking_id = world.book(world.classes["5A"])
    declined = world.book(world.classes["5B"])
    state = tab(who)
    assert all(str(world.service_id) != s.id for s in state.services)
    assert state.bookings == []

    settle(ProviderCultureState.confirm.fn(state, str(booking_id)))
    assert state.error != ""
    state.declining = str(declined)
    settle(ProviderCultureState.decline.fn(state, {"reason": "Ne"}))
    assert state.error != ""
    ProviderCultureState.start_edit.fn(state, str(world.service_id))
    assert state.error != "" and state.editing == ""
    state.editing = str(world.service_id)  # as if the browser had set it
    settle(ProviderCultureState.save_service.fn(state, {**SERVICE_FORM, "price": "1"}))
    assert state.error != ""
    settle(ProviderCultureState.remove_photo.fn(state))  # a forged photo change: refused too
    assert state.error != ""
    upload = ProviderCultureState.upload_photo.fn(state, [_Upload(image_bytes())])
    _complete(upload)
    assert state.error != ""
    settle(
        ProviderCultureState.publish.fn(
            state,
            {
                "service_id": str(world.service_id),
                "starts_at": APRIL_FIRST.isoformat(),
                "start_time": "10:00",
                "capacity": "30",
            },
        )
    )
    assert state.error != ""
    # the register form names a booking this screen never listed: not found, nothing charged
    with world.tx() as s:
        confirm_booking(s, world.provider_user, booking_id)
    clock["now"] = AFTER
    settle(
        ProviderCultureState.record_attendance.fn(
            state, {"booking_id": str(booking_id), f"pupil_{world.classes['5A'][0]}": "on"}
        )
    )
    assert state.error != ""

    assert _booking(world, booking_id).status == "confirmed"
    assert _booking(world, declined).status == "reserved"
    with db.read_session(world.engine) as s:
        service = s.get(CultureService, world.service_id)
        assert (service.price_per_pupil_minor, service.status, service.photo) == (
            500,
            "approved",
            "",
        )
        assert len(s.exec(select(CultureSession)).all()) == 2  # one per world
    # and the other provider's own screen, after the session began, holds no pupil's name
    if who == "other":
        state = tab("other")
        assert [s.id for s in state.services] == [str(other.service_id)]
        assert all(card.register == [] for card in state.bookings)


def test_the_provider_submits_and_changes_a_service(culture):
    world, _other, tab, _clock = culture
    state = tab("provider")
    settle(ProviderCultureState.save_service.fn(state, SERVICE_FORM))
    assert state.error == "" and state.notice != ""
    with db.read_session(world.engine) as s:
        new = s.exec(select(CultureService).where(CultureService.title == "Muzikos pamoka")).one()
    assert (new.price_per_pupil_minor, new.place, new.status) == (450, "at_school", "submitted")

    # a change of the approved service goes back to review, and the screen says so
    ProviderCultureState.start_edit.fn(state, str(world.service_id))
    assert state.editing == str(world.service_id) and state.editing_reviewed
    assert (state.form_price, state.form_title) == ("5.00", "Teatro pamoka")
    settle(
        ProviderCultureState.save_service.fn(
            state, {**SERVICE_FORM, "title": "Teatras", "price": "6"}
        )
    )
    assert state.error == ""
    assert state.notice == screen.text("culture_change_in_review", state.lang)
    assert state.editing == ""
    card = next(c for c in state.services if c.id == str(world.service_id))
    assert card.change_waiting != ""
    with db.read_session(world.engine) as s:
        changed = s.get(CultureService, world.service_id)
    assert (changed.status, changed.price_per_pupil_minor) == ("submitted", 600)

    # a price the domain refuses names its field
    settle(ProviderCultureState.save_service.fn(state, {**SERVICE_FORM, "price": "4.55"}))
    assert state.error != "" and state.error_field == "price"
    settle(ProviderCultureState.save_service.fn(state, {**SERVICE_FORM, "price": "abc"}))
    assert state.error_field == "price"


def test_a_session_is_published_at_the_vilnius_time_typed(culture):
    world, _other, tab, _clock = culture
    state = tab("provider")
    assert [c.value for c in state.session_services] == [str(world.service_id)]
    settle(
        ProviderCultureState.publish.fn(
            state,
            {
                "service_id": str(world.service_id),
                "starts_at": APRIL_FIRST.isoformat(),
                "start_time": "10:30",
                "capacity": "25",
            },
        )
    )
    assert state.error == "" and state.notice != ""
    with db.read_session(world.engine) as s:
        published = s.exec(
            select(CultureSession).where(CultureSession.service_id == world.service_id)
        ).all()
    typed = datetime.combine(APRIL_FIRST, time(10, 30), tzinfo=VILNIUS)
    assert typed.utcoffset() == timedelta(hours=3)  # summer time in Vilnius: UTC+3
    assert {(p.starts_at, p.capacity) for p in published} >= {
        (typed.astimezone(UTC), 25)  # 07:30 UTC
    }
    assert len(state.sessions) == 2
    settle(
        ProviderCultureState.publish.fn(
            state,
            {
                "service_id": str(world.service_id),
                "starts_at": APRIL_FIRST.isoformat(),
                "start_time": "25:00",
                "capacity": "25",
            },
        )
    )
    assert state.error_field == "start_time"


def test_the_provider_confirms_declines_and_records_who_came(culture):
    world, _other, tab, clock = culture
    confirmed = world.book(world.classes["5A"])
    declined = world.book(world.classes["5B"])
    state = tab("provider")

    settle(ProviderCultureState.confirm.fn(state, str(confirmed)))
    assert state.error == "" and _booking(world, confirmed).status == "confirmed"
    ProviderCultureState.start_decline.fn(state, str(declined))
    settle(ProviderCultureState.decline.fn(state, {"reason": "Aktorius serga"}))
    assert state.error == "" and state.declining == ""
    assert (_booking(world, declined).status, _booking(world, declined).reason) == (
        "declined",
        "Aktorius serga",
    )
    assert all(card.register == [] for card in state.bookings)  # before the session: no names

    clock["now"] = AFTER
    state = tab("provider")
    card = next(c for c in state.bookings if c.id == str(confirmed))
    assert {line.pupil_id for line in card.register} == {str(p) for p in world.classes["5A"]}
    assert all(line.name.startswith("Vardas") for line in card.register)
    came = world.classes["5A"][:7]
    form = {"booking_id": str(confirmed), **{f"pupil_{p}": "on" for p in came}}
    form[f"pupil_{world.classes['5B'][0]}"] = "on"  # not booked on it: never read
    settle(ProviderCultureState.record_attendance.fn(state, form))
    assert state.error == "" and state.notice != ""
    assert _booking(world, confirmed).status == "delivered"
    with db.read_session(world.engine) as s:
        seats = s.exec(select(BookingPupil).where(BookingPupil.booking_id == confirmed)).all()
    assert {p.pupil_id for p in seats if p.status == "charged"} == set(came)
    assert all(card.register == [] for card in state.bookings)  # delivered: the names go
    # the card says what the ledger charged for the seven who came, not the ten booked
    card = next(c for c in state.bookings if c.id == str(confirmed))
    assert card.total == screen.format_money(7 * 500, "EUR", state.lang)


def test_a_tab_signed_in_as_another_provider_forgets_the_pupils_names(culture):
    world, _other, tab, clock = culture
    booking_id = world.book(world.classes["5A"])
    with world.tx() as s:
        confirm_booking(s, world.provider_user, booking_id)
    clock["now"] = AFTER
    state = tab("provider")
    assert any(card.register for card in state.bookings) and state._registers
    other_tab = tab("other")  # the same browser's cookie now names the other provider
    assert other_tab.bookings == []
    state._user_id()  # the first screen's next action sees the new person first
    assert state.bookings == [] and state._registers == {}


def test_the_provider_adds_a_photo_to_a_service_and_it_goes_to_review(culture, media):
    world, _other, tab, _clock = culture
    state = tab("provider")
    ProviderCultureState.start_edit.fn(state, str(world.service_id))
    assert state.editing == str(world.service_id) and state.editing_photo_url == ""
    _complete(ProviderCultureState.upload_photo.fn(state, [_Upload(b"not a picture")]))
    assert state.error and state.editing_photo_url == ""
    _complete(ProviderCultureState.upload_photo.fn(state, [_Upload(image_bytes())]))
    assert state.error == "" and state.notice  # said: the change waits for review
    [card] = state.services
    assert card.photo_url and state.editing_photo_url == card.photo_url
    with db.read_session(world.engine) as s:
        service = s.get(CultureService, world.service_id)
    assert service.status == "submitted" and card.photo_url.endswith(service.photo)
    assert [p.name for p in media.iterdir()] == [service.photo]
    settle(ProviderCultureState.remove_photo.fn(state))
    assert state.error == "" and state.editing_photo_url == ""


def _sessions(world) -> dict[int, tuple[datetime, int]]:
    with db.read_session(world.engine) as s:
        rows = s.exec(
            select(CultureSession).where(CultureSession.service_id == world.service_id)
        ).all()
    return {r.id: (r.starts_at.replace(tzinfo=UTC), r.capacity) for r in rows}


def _change_form(day: date, at: str, capacity: int) -> dict:
    return {"starts_at": day.isoformat(), "start_time": at, "capacity": str(capacity)}


def test_the_provider_moves_an_empty_session_and_resizes_a_booked_one(culture):
    world, _other, tab, _clock = culture
    empty = world.add_session(SESSION_AT + timedelta(days=1), capacity=30)
    world.book(world.classes["5A"])  # 10 pupils on the world's session
    state = tab("provider")
    row = next(r for r in state.sessions if r.id == str(empty))
    # the form starts from the session as it is, in Vilnius time (UTC+2 in March)
    assert (row.day, row.start_time, row.capacity, row.can_change) == (
        (SESSION_AT + timedelta(days=1)).date().isoformat(),
        "12:00",
        "30",
        True,
    )
    ProviderCultureState.start_change_session.fn(state, str(empty))
    assert state.changing == str(empty) and state.change_time == "12:00"
    settle(ProviderCultureState.save_session.fn(state, _change_form(APRIL_FIRST, "09:15", 40)))
    assert state.error == "" and state.notice == screen.text("culture_session_changed", state.lang)
    assert state.changing == ""
    moved = datetime.combine(APRIL_FIRST, time(9, 15), tzinfo=VILNIUS).astimezone(UTC)
    assert _sessions(world)[empty] == (moved, 40)

    # the booked session keeps its time but may grow or shrink down to what is booked
    ProviderCultureState.start_change_session.fn(state, str(world.session_id))
    settle(
        ProviderCultureState.save_session.fn(
            state, _change_form(SESSION_AT.date(), state.change_time, 10)
        )
    )
    assert state.error == "", state.error
    assert _sessions(world)[world.session_id] == (SESSION_AT, 10)


def test_moving_a_booked_session_or_shrinking_it_below_booked_is_refused(culture):
    world, _other, tab, _clock = culture
    world.book(world.classes["5A"])  # 10 pupils
    state = tab("provider")
    lang = state.lang
    said = {Conflict("session_has_bookings", booked=10).message(x) for x in ("ru", "lt", "en")}
    assert len(said) == 3  # said in each language, not a key
    before = _sessions(world)
    ProviderCultureState.start_change_session.fn(state, str(world.session_id))
    settle(ProviderCultureState.save_session.fn(state, _change_form(APRIL_FIRST, "10:00", 60)))
    assert state.error == Conflict("session_has_bookings", booked=10).message(lang)
    assert "session_has_bookings" not in state.error and state.notice == ""
    settle(ProviderCultureState.save_session.fn(state, _change_form(SESSION_AT.date(), "12:00", 9)))
    assert state.error == Conflict("capacity_below_booked", booked=10).message(lang)
    assert "capacity_below_booked" not in state.error
    assert state.changing == str(world.session_id)  # the form stays open to correct it
    assert _sessions(world) == before


@pytest.mark.parametrize("who", ["other", "parent", "out"])
def test_another_provider_or_a_parent_cannot_change_a_session(culture, who):
    world, _other, tab, _clock = culture
    empty = world.add_session(SESSION_AT + timedelta(days=1), capacity=30)
    before = _sessions(world)
    state = tab(who)
    ProviderCultureState.start_change_session.fn(state, str(empty))
    assert state.changing == "" and state.error != ""  # never listed on their screen
    state.changing = str(empty)  # as if the browser had sent it
    settle(ProviderCultureState.save_session.fn(state, _change_form(APRIL_FIRST, "09:00", 5)))
    assert state.error != "" and state.notice == ""
    assert _sessions(world) == before
