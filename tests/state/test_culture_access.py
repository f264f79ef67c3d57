"""Every handler of the coordinator's and the provider's culture screens, called by name as
a browser could, by someone it does not belong to: another school's coordinator, another
provider, a parent, someone signed out. Each changes nothing and shows nothing of the
school or the provider it was aimed at; a handler added without a row here fails the test."""

from __future__ import annotations

import asyncio
import inspect
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlmodel import func, select

import navigator.domain.shared.db as db
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.signin import start_session
from navigator.domain.culture.booking import confirm_booking, record_attendance
from navigator.domain.culture.disputes import open_culture_dispute
from navigator.domain.culture.models import (
    BookingPupil,
    CoordinatorInvitation,
    CultureBooking,
    CultureService,
    CultureSession,
    Pupil,
    SchoolCoordinator,
    SchoolWallet,
    WalletEntry,
)
from navigator.domain.disputes.models import Dispute
from navigator.domain.shared.models import Notification, OutgoingMail, utcnow
from navigator.state.app import AppState
from navigator.state.culture import CultureState
from navigator.state.provider_culture import ProviderCultureState
from tests.domain.culture.world import PASSWORD, SESSION_AT, build_culture, roster_csv
from tests.domain.programs.test_photos import image_bytes
from tests.state.test_culture_operator import Upload


@pytest.fixture
def culture(engine, monkeypatch):
    """A school with a reserved, a delivered and a disputed booking on its provider's
    sessions; another school and provider; a parent; the tab's signed-in person is chosen
    per call."""
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    world = build_culture(engine)
    other = build_culture(engine)
    world.reserved = world.book(  # type: ignore[attr-defined]
        world.classes["5B"][:3], session_id=world.add_session(SESSION_AT + timedelta(days=30))
    )
    world.delivered = world.book(world.classes["5A"])  # type: ignore[attr-defined]
    disputed = world.book(world.classes["5B"][3:])
    after = SESSION_AT + timedelta(hours=2)
    came = {world.delivered: world.classes["5A"], disputed: world.classes["5B"][3:]}  # type: ignore[attr-defined]
    for booking, pupils in came.items():
        with world.tx() as s:
            confirm_booking(s, world.provider_user, booking)
        with world.tx() as s:
            record_attendance(s, world.provider_user, booking, pupils, now=after)
    with world.tx() as s:
        world.dispute = open_culture_dispute(  # type: ignore[attr-defined]
            s, world.coordinator, disputed, now=SESSION_AT + timedelta(days=1)
        ).id
        world.disputed = disputed  # type: ignore[attr-defined]
        parent = create_user(s, "parent.access@example.org", PASSWORD)
        world.tokens = {  # type: ignore[attr-defined]
            "other coordinator": start_session(s, other.coordinator.user_id, utcnow()).token,
            "other provider": start_session(s, other.provider_user.user_id, utcnow()).token,
            "coordinator": start_session(s, world.coordinator.user_id, utcnow()).token,
            "provider": start_session(s, world.provider_user.user_id, utcnow()).token,
            "parent": start_session(s, parent.id, utcnow()).token,
            "out": None,
        }
    return world


def sign_in(monkeypatch, token: str | None) -> None:
    monkeypatch.setattr(AppState, "_session_token", lambda self: token)


def _run(cls, state, name: str, args: tuple) -> object:
    result = getattr(cls, name).fn(state, *args)
    if not inspect.iscoroutine(result):
        return result
    with ThreadPoolExecutor(max_workers=1) as pool:  # an upload runs on its own loop
        return pool.submit(asyncio.run, result).result()


def snapshot(engine) -> tuple:
    """Everything either screen could change: bookings and seats, money, the roster, the
    coordinators, the services, sessions and disputes, and what anyone was told or mailed."""
    with db.read_session(engine) as s:

        def count(model) -> int:
            return s.exec(select(func.count()).select_from(model)).one()

        return (
            sorted((b.id, b.status, b.reason) for b in s.exec(select(CultureBooking)).all()),
            sorted((p.id, p.status) for p in s.exec(select(BookingPupil)).all()),
            count(WalletEntry),
            sorted((w.id, w.held_minor, w.charged_minor) for w in s.exec(select(SchoolWallet))),
            sorted(
                (p.id, p.class_name, p.first_name, p.last_name, p.active)
                for p in s.exec(select(Pupil)).all()
            ),
            count(SchoolCoordinator),
            count(CoordinatorInvitation),
            sorted(
                (c.id, c.status, c.title, c.price_per_pupil_minor, c.photo)
                for c in s.exec(select(CultureService)).all()
            ),
            sorted(
                (c.id, c.starts_at.isoformat(), c.capacity, c.booked)
                for c in s.exec(select(CultureSession)).all()
            ),
            sorted((d.id, d.status, d.provider_reason) for d in s.exec(select(Dispute)).all()),
            count(Notification),  # a notice about a school, to anyone
            count(OutgoingMail),  # a letter: an invitation, a notice mailed at once
        )


# ---------------------------------------------------------------- the coordinator's screen


def coordinator_calls(world) -> list[tuple[str, tuple]]:
    pupil = str(world.classes["5A"][0])
    return [
        ("load", ()),
        ("choose_school", (str(world.school_id),)),
        ("choose_session", (str(world.session_id),)),
        ("choose_class", ("5A",)),
        ("toggle_pupil", (pupil,)),
        ("set_adults", ("1",)),
        ("book", ()),
        ("cancel", (str(world.reserved),)),
        ("start_dispute", (str(world.delivered),)),
        ("cancel_dispute", ()),
        ("dispute", ({"comment": "Ne visi buvo"},)),
        ("download_report", ("csv",)),
        ("import_roster", ([Upload(roster_csv({"7C": 2}, prefix="X").encode())],)),
        ("save_pupil", ({"class": "5A", "first_name": "A", "last_name": "B", "register_id": "Z"},)),
        ("set_pupil_active", (pupil, False)),
        ("invite", ({"email": "intruder@example.org"},)),
        ("start_remove", (str(world.coordinator.user_id),)),
        ("cancel_remove", ()),
        ("remove", ()),
    ]


# handlers every signed-in screen shares that act on the signed-in person alone: the
# header's language, and a provider's own e-mail confirmation letter
SHARED_HANDLERS = {"set_language", "resend_confirmation"}


def _handlers(cls) -> set[str]:
    """The screen's handlers, its own and those it inherits (a handler moved to a base
    class stays callable by name)."""
    return {
        name
        for klass in cls.__mro__
        if isinstance(klass, type) and issubclass(klass, AppState)
        for name, value in vars(klass).items()
        if not name.startswith("_") and type(value).__name__ == "EventHandler"
    } - SHARED_HANDLERS


def test_every_coordinator_handler_is_in_the_table(culture):
    handlers = _handlers(CultureState)
    assert handlers and handlers - {name for name, _ in coordinator_calls(culture)} == set()


def _forged_coordinator_tab(world) -> CultureState:
    """A tab whose every id names the school aimed at, as a forged browser would send."""
    state = CultureState(_reflex_internal_init=True)
    state.school_id = str(world.school_id)
    state.session_id = str(world.session_id)
    state.class_name = "5A"
    state._ticked = list(world.classes["5A"])
    state._request_key = "forged-request-0001"
    state.disputing = str(world.delivered)
    state.removing = str(world.coordinator.user_id)
    return state


@pytest.mark.parametrize("who", ["other coordinator", "other provider", "parent", "out"])
def test_nobody_else_changes_or_sees_a_school_through_any_handler(culture, monkeypatch, who):
    world = culture
    sign_in(monkeypatch, world.tokens[who])
    before = snapshot(world.engine)
    ours = {str(p) for p in world.pupils}
    bookings = {str(world.reserved), str(world.delivered), str(world.disputed)}
    for name, args in coordinator_calls(world):
        state = _forged_coordinator_tab(world)
        result = _run(CultureState, state, name, args)
        assert snapshot(world.engine) == before, (who, name)
        if name == "download_report":
            assert result is None and state.error, (who, name)
        assert not ours & {r.id for r in state.roster} | {p.id for p in state.pupils}, (who, name)
        assert not bookings & {b.id for b in state.bookings}, (who, name)
        assert str(world.coordinator.user_id) not in {c.user_id for c in state.colleagues}, (
            who,
            name,
        )
        assert state.school_id != str(world.school_id) or not state.has_school, (who, name)


def test_the_schools_own_coordinator_reaches_what_the_table_aims_at(culture, monkeypatch):
    """The table is aimed right: the same forged tab, signed in as the school's coordinator,
    sees its roster and bookings (so the test above fails if the checks go)."""
    world = culture
    sign_in(monkeypatch, world.tokens["coordinator"])
    state = _forged_coordinator_tab(world)
    _run(CultureState, state, "load", ())
    assert state.has_school and state.school_id == str(world.school_id)
    assert {str(world.reserved), str(world.delivered)} <= {b.id for b in state.bookings}
    assert _run(CultureState, state, "download_report", ("csv",)) is not None


# ---------------------------------------------------------------- the provider's screen


def provider_calls(world) -> list[tuple[str, tuple]]:
    session_form = {"starts_at": f"{SESSION_AT.year}-04-01", "start_time": "10:00"}
    return [
        ("load", ()),
        ("new_service", ()),
        ("start_edit", (str(world.service_id),)),
        ("save_service", ({"title": "Pakeista", "price": "1"},)),
        ("upload_photo", ([Upload(image_bytes())],)),
        ("remove_photo", ()),
        ("publish", ({**session_form, "service_id": str(world.service_id), "capacity": "9"},)),
        ("start_change_session", (str(world.session_id),)),
        ("cancel_change_session", ()),
        ("save_session", ({**session_form, "capacity": "500"},)),
        ("confirm", (str(world.reserved),)),
        ("start_decline", (str(world.reserved),)),
        ("cancel_decline", ()),
        ("decline", ({"reason": "Ne"},)),
        ("record_attendance", ({"booking_id": str(world.delivered)},)),
        ("accept_dispute", (str(world.dispute),)),
        ("start_contest", (str(world.dispute),)),
        ("cancel_contest", ()),
        ("contest", ({"reason": "Buvo"},)),
    ]


def test_every_provider_handler_is_in_the_table(culture):
    handlers = _handlers(ProviderCultureState)
    assert handlers and handlers - {name for name, _ in provider_calls(culture)} == set()


def _forged_provider_tab(world) -> ProviderCultureState:
    state = ProviderCultureState(_reflex_internal_init=True)
    state.editing = str(world.service_id)
    state.changing = str(world.session_id)
    state.declining = str(world.reserved)
    state.contesting = str(world.dispute)
    state._registers = {str(world.delivered): [str(p) for p in world.classes["5A"]]}
    return state


@pytest.mark.parametrize("who", ["other provider", "coordinator", "parent", "out"])
def test_nobody_else_changes_or_sees_a_providers_culture_through_any_handler(
    culture, monkeypatch, who
):
    world = culture
    sign_in(monkeypatch, world.tokens[who])
    before = snapshot(world.engine)
    for name, args in provider_calls(world):
        state = _forged_provider_tab(world)
        _run(ProviderCultureState, state, name, args)
        assert snapshot(world.engine) == before, (who, name)
        assert str(world.service_id) not in {s.id for s in state.services}, (who, name)
        assert str(world.session_id) not in {s.id for s in state.sessions}, (who, name)
        assert not {b.id for b in state.bookings} & {
            str(world.reserved),
            str(world.delivered),
        }, (who, name)
        assert str(world.dispute) not in {d.id for d in state.disputes}, (who, name)
        assert all(not card.register for card in state.bookings), (who, name)


def test_the_provider_itself_reaches_what_the_table_aims_at(culture, monkeypatch):
    world = culture
    sign_in(monkeypatch, world.tokens["provider"])
    state = _forged_provider_tab(world)
    _run(ProviderCultureState, state, "load", ())
    assert str(world.service_id) in {s.id for s in state.services}
    assert str(world.reserved) in {b.id for b in state.bookings}
    assert str(world.dispute) in {d.id for d in state.disputes}
    _run(ProviderCultureState, state, "confirm", (str(world.reserved),))
    with db.read_session(world.engine) as s:
        assert state.error == "" and s.get(CultureBooking, world.reserved).status == "confirmed"
