"""Every money figure of the cabinet equals the ledger: what an enrollment card says is
reserved is what the certificate card says is held, through captures, corrections and a
cancellation."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import navigator.domain.shared.db as db
from navigator.domain.accounts.models import Child
from navigator.domain.accounts.signin import start_session
from navigator.domain.certificates.models import CertificateAccount
from navigator.domain.enrollment.api import accept_application, cancel_enrollment
from navigator.domain.enrollment.attendance import correct_attendance, mark_attendance
from navigator.domain.municipalities.models import Municipality
from navigator.domain.shared.calendar import age_on, local_today
from navigator.domain.shared.models import utcnow
from navigator.i18n import text
from navigator.state.app import AppState
from navigator.state.cabinet import CabinetState
from navigator.state.formatting import money
from tests.factories import build_world


def _figures(state: CabinetState, engine, world) -> tuple[str, str, str]:
    state._reload()
    [card] = [c for c in state.children if c.id == str(world.child_id)]
    [enrollment] = state.enrollments
    with db.read_session(engine) as s:
        held = s.get(CertificateAccount, world.account_id).held_minor
    return enrollment.held, card.held, money(held, "RUB", state.lang)


def test_the_reserved_figures_equal_the_ledger_through_the_contract(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    world = build_world(engine)
    with world.tx() as s:
        token = start_session(s, world.parent.user_id, utcnow()).token
    monkeypatch.setattr(AppState, "_session_token", lambda self: token)
    state = CabinetState(_reflex_internal_init=True)
    enrollment_id = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)
    figures = _figures(state, engine, world)
    assert figures[0] == figures[1] == figures[2] != money(0, "RUB", state.lang)
    assert state.enrollments[0].attendance == text("no_lessons_marked", state.lang)  # not "0 of 0"

    wednesday = world.today + timedelta(days=2)
    for day in (world.today, wednesday):
        with world.tx() as s:
            mark_attendance(s, world.provider_user, enrollment_id, day, "present", today=day)
    with world.tx() as s:  # a charge taken back: the hold is placed again
        correct_attendance(
            s, world.provider_user, enrollment_id, wednesday, "absent", "ошибка", today=wednesday
        )
    figures = _figures(state, engine, world)
    assert figures[0] == figures[1] == figures[2]
    CabinetState.show_history.fn(state, str(world.child_id))
    refund = next(line for line in state.history if line.direction == "in" and line.note)
    assert refund.note == "ошибка"  # the reason the provider gave, promised to the parent

    with world.tx() as s:
        cancel_enrollment(s, world.parent, enrollment_id)
    assert _figures(state, engine, world) == (money(0, "RUB", state.lang),) * 3


def test_the_history_says_which_way_each_movement_went(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    world = build_world(engine)
    with world.tx() as s:
        token = start_session(s, world.parent.user_id, utcnow()).token
    monkeypatch.setattr(AppState, "_session_token", lambda self: token)
    enrollment_id = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)
    with world.tx() as s:
        mark_attendance(s, world.provider_user, enrollment_id, world.today, "present")
    with world.tx() as s:
        cancel_enrollment(s, world.parent, enrollment_id)
    state = CabinetState(_reflex_internal_init=True)
    state._reload()
    CabinetState.show_history.fn(state, str(world.child_id))
    moves = [(line.direction, line.amount[0]) for line in reversed(state.history)]
    # credit in, the contract's hold out, a lesson paid from it, the rest back in
    assert [d for d, _ in moves] == ["in", "out", "paid", "in"]
    assert [sign for _, sign in moves][:2] == ["+", "−"] and moves[3][1] == "+"
    assert moves[2][1].isdigit()  # a payment from the reserve moves no balance again


def test_for_my_child_opens_the_catalog_for_that_child_and_names_no_child(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    world = build_world(engine)
    with world.tx() as s:
        token = start_session(s, world.parent.user_id, utcnow()).token
        code = s.get(Municipality, world.municipality_id).code
    monkeypatch.setattr(AppState, "_session_token", lambda self: token)
    state = CabinetState(_reflex_internal_init=True)
    state._reload()
    [card] = [c for c in state.children if c.id == str(world.child_id)]
    query = parse_qs(urlsplit(card.catalog_link).query)
    with db.read_session(engine) as s:
        child = s.get(Child, world.child_id)
        town = s.get(Municipality, world.municipality_id)
        age = age_on(child.birth_date, local_today(town))
    assert query == {
        "municipality": [code],
        "age": [str(age)],
        "seats": ["1"],
        "payable": ["1"],  # the child's certificate is funded
    }  # and nothing else: no child's id to swap for another family's
