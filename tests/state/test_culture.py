"""A coordinator's screen: figures equal the wallet, a class is booked with its caps shown
first, a double click books once, and nobody else's school is reachable."""

from __future__ import annotations

import pytest
from sqlmodel import select

import navigator.domain.shared.db as db
from navigator.domain.accounts.signin import start_session
from navigator.domain.culture.models import (
    CULTURE_CURRENCY,
    CultureBooking,
    SchoolWallet,
    WalletEntry,
)
from navigator.domain.shared.models import utcnow
from navigator.state.app import AppState
from navigator.state.culture import CultureState
from navigator.state.formatting import bars, money
from tests.domain.culture.world import YEAR, build_culture
from tests.support.handlers import settle


@pytest.fixture
def signed_in(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    holder: dict[str, str | None] = {"token": None}
    monkeypatch.setattr(AppState, "_session_token", lambda self: holder["token"])

    def as_user(user_id: int | None) -> CultureState:
        if user_id is None:
            holder["token"] = None
        else:
            with db.transaction(engine) as s:
                holder["token"] = start_session(s, user_id, utcnow()).token
        state = CultureState(_reflex_internal_init=True)
        state.load()
        return state

    return as_user


def _wallet(engine, world) -> SchoolWallet:
    with db.read_session(engine) as s:
        return s.get(SchoolWallet, world.wallet_id)


def test_a_coordinator_books_a_class_seeing_caps_and_wallet_first(engine, signed_in):
    world = build_culture(engine)
    state = signed_in(world.coordinator.user_id)
    assert state.has_school and state.year == str(YEAR)
    wallet = _wallet(engine, world)
    assert state.wallet["available"] == money(wallet.available_minor, CULTURE_CURRENCY, "ru")
    assert {g.class_name for g in state.gaps} == {"5A", "5B"}  # nobody served yet
    [session_line] = state.sessions
    CultureState.choose_session.fn(state, session_line.id)
    CultureState.choose_class.fn(state, "5A")
    assert len(state.pupils) == 10 and all(p.ticked for p in state.pupils)  # the whole class
    CultureState.toggle_pupil.fn(state, state.pupils[0].id)  # one absent
    assert state.ticked_count == 9
    assert state.quote_total == money(9 * 500, CULTURE_CURRENCY, "ru")
    assert state.quote_after == money(wallet.available_minor - 4_500, CULTURE_CURRENCY, "ru")
    settle(CultureState.book.fn(state))
    settle(CultureState.book.fn(state))  # the same click twice: one booking
    assert state.booking_error == "" and state.notice
    with db.read_session(engine) as s:
        bookings = s.exec(
            CultureBooking.__table__.select().where(CultureBooking.school_id == world.school_id)
        ).all()
    assert len(bookings) == 1
    assert _wallet(engine, world).held_minor == 4_500
    assert state.wallet["held"] == money(4_500, CULTURE_CURRENCY, "ru")
    # the chart says the wallet's figures, its bars in proportion to the allocated whole
    held, available = 4_500, wallet.available_minor - 4_500
    assert [(b.label, b.figure) for b in state.wallet_bars] == [
        ("Потрачено", state.wallet["charged"]),
        ("Зарезервировано", state.wallet["held"]),
        ("Доступно", state.wallet["available"]),
    ]
    assert [b.width for b in state.wallet_bars] == [
        "0.0%",
        f"{held * 100 / (held + available):.1f}%",
        f"{available * 100 / (held + available):.1f}%",
    ]
    # booked counts as served: of 5A only the one absent pupil is still without a service
    assert [(b.label, b.figure) for b in state.gap_bars] == [("5A", "1 / 10"), ("5B", "10 / 10")]
    [line] = state.bookings
    settle(CultureState.cancel.fn(state, line.id))
    assert _wallet(engine, world).held_minor == 0 and state.notice


def test_a_booking_past_a_pupils_cap_is_refused_beside_the_form(engine, signed_in):
    world = build_culture(engine, price=1_000)  # 10 € a pupil, cap 15 €
    world.book(world.classes["5A"][:1], session_id=world.add_session())
    state = signed_in(world.coordinator.user_id)
    CultureState.choose_session.fn(state, state.sessions[0].id)
    CultureState.choose_class.fn(state, "5A")
    assert state.over_cap and [p.over for p in state.pupils].count(True) == 1
    settle(CultureState.book.fn(state))
    assert "Vardas1" in state.booking_error  # the pupil who would pass the cap, named
    assert _wallet(engine, world).held_minor == 1_000  # only the first booking


def test_nobody_else_reaches_a_school(engine, signed_in):
    world = build_culture(engine)
    other = build_culture(engine)
    stranger = signed_in(other.coordinator.user_id)
    assert stranger.school_id == str(other.school_id)
    stranger.school_id = str(world.school_id)  # a forged choice
    CultureState.choose_school.fn(stranger, str(world.school_id))
    assert stranger.school_id == str(other.school_id)  # only its own schools are choices
    settle(CultureState.cancel.fn(stranger, "1"))
    assert stranger.error  # not found
    CultureState.toggle_pupil.fn(stranger, str(world.classes["5A"][0]))
    assert all(p.id != str(world.classes["5A"][0]) for p in stranger.pupils)
    provider = signed_in(world.provider_user.user_id)
    assert not provider.has_school and provider.wallet == {}
    signed_out = signed_in(None)
    assert not signed_out.has_school


def test_the_coordinators_report_downloads_with_the_screens_words(engine, signed_in):
    world = build_culture(engine)
    world.book(world.classes["5A"][:2])
    state = signed_in(world.coordinator.user_id)
    header, rows = state._spend_table()
    assert header[:2] == ["Класс", "Фамилия"] and header[-1].endswith("EUR")
    assert len(rows) == 20 and sum(r[5] for r in rows) == 1_000  # two pupils' shares held
    download = CultureState.download_report.fn(state, "csv")
    assert download is not None and state.error == ""
    stranger = signed_in(None)
    assert CultureState.download_report.fn(stranger, "csv") is None and stranger.error


def test_a_coordinator_edits_the_roster_on_screen(engine, signed_in):
    world = build_culture(engine)
    other = build_culture(engine)
    state = signed_in(world.coordinator.user_id)
    assert len(state.roster) == 20
    settle(
        CultureState.save_pupil.fn(
            state,
            {"class": "5c", "first_name": "Ugnė", "last_name": "Naujokė", "register_id": "NEW-1"},
        )
    )
    assert state.error == "" and len(state.roster) == 21
    settle(
        CultureState.save_pupil.fn(
            state, {"class": "", "first_name": "Be", "last_name": "Klasės", "register_id": "NEW-2"}
        )
    )
    assert state.error and len(state.roster) == 21  # a row without a class saves nothing
    leaving = state.roster[0]
    settle(CultureState.set_pupil_active.fn(state, leaving.id, False))
    assert not next(r for r in state.roster if r.id == leaving.id).active
    CultureState.choose_class.fn(state, leaving.class_name)
    assert all(p.id != leaving.id for p in state.pupils)  # booked no more
    stranger = signed_in(other.coordinator.user_id)
    settle(CultureState.set_pupil_active.fn(stranger, leaving.id, True))
    assert stranger.error  # another school's pupil: not found
    back = signed_in(world.coordinator.user_id)
    assert not next(r for r in back.roster if r.id == leaving.id).active


def test_a_coordinator_sees_colleagues_and_removes_one_never_the_last(engine, signed_in):
    world = build_culture(engine)
    second = world.new_coordinator("second@school.example", by=world.coordinator)
    state = signed_in(world.coordinator.user_id)
    assert state.removable
    assert len(state.colleagues) == 2 and [c.is_you for c in state.colleagues].count(True) == 1
    assert "second@school.example" in {c.email for c in state.colleagues if not c.is_you}
    CultureState.start_remove.fn(state, str(second.user_id))
    settle(CultureState.remove.fn(state))
    assert state.error == "" and not state.removable
    assert [c.is_you for c in state.colleagues] == [True]
    CultureState.start_remove.fn(state, str(world.coordinator.user_id))
    settle(CultureState.remove.fn(state))  # the school's last coordinator: refused, said
    assert state.error and state.has_school
    outsider = build_culture(engine)
    stranger = signed_in(outsider.coordinator.user_id)
    stranger.removing = str(world.coordinator.user_id)  # forged: another school's coordinator
    settle(CultureState.remove.fn(stranger))
    assert stranger.error
    assert signed_in(world.coordinator.user_id).has_school


def test_bars_are_in_proportion_and_a_small_value_still_shows():
    shown = bars([("a", "1", 1), ("b", "500", 500), ("c", "1000", 1000), ("d", "0", 0)])
    assert [b.width for b in shown] == ["1%", "50.0%", "100.0%", "0.0%"]
    assert [b.width for b in bars([("a", "x", 5)], of=0)] == ["0.0%"]  # nothing to share
    assert [b.width for b in bars([("a", "x", 30)], of=20)] == ["100.0%"]  # never past the end


def test_a_delivered_booking_shows_what_the_ledger_charged(engine, signed_in):
    """One pupil of ten absent: the list says the 45.00 charged, not the 50.00 booked."""
    world = build_culture(engine)
    booking_id = world.book(world.classes["5A"])
    world.deliver(booking_id, world.classes["5A"][1:])
    with db.read_session(engine) as s:
        charged = sum(
            e.amount_minor
            for e in s.exec(
                select(WalletEntry).where(
                    WalletEntry.booking_id == booking_id, WalletEntry.kind == "charge"
                )
            ).all()
        )
    state = signed_in(world.coordinator.user_id)
    [line] = state.bookings
    assert charged == 4_500
    assert line.total == money(charged, CULTURE_CURRENCY, "ru")
    assert line.total == state.wallet["charged"]
