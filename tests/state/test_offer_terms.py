"""The offer a parent accepts on a program's page is written out with this child's and this
group's figures and the municipality's rules, next to the box that accepts it."""

from __future__ import annotations

from datetime import date

import pytest
from reflex.istate.data import ReflexURL, RouterData
from sqlmodel import select

import navigator.domain.shared.db as db
from navigator.domain.accounts.signin import start_session
from navigator.domain.enrollment.models import Enrollment
from navigator.domain.programs.models import Group
from navigator.domain.shared.models import utcnow
from navigator.state.app import AppState
from navigator.state.program import ProgramState
from tests.factories import build_world
from tests.support.handlers import settle


def _page(engine, monkeypatch, world) -> ProgramState:
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    with world.tx() as s:
        token = start_session(s, world.parent.user_id, utcnow()).token
    monkeypatch.setattr(AppState, "_session_token", lambda self: token)
    state = ProgramState(_reflex_internal_init=True)
    state.router = RouterData(url=ReflexURL(f"http://localhost:3000/programs/{world.program_id}"))
    settle(state.load())
    ProgramState.choose_child.fn(state, str(world.child_id))
    settle(ProgramState.choose_group.fn(state, str(world.group_id)))
    return state


@pytest.mark.parametrize(("absence", "says"), [("none", "не оплачивается"), ("full", "так же")])
def test_the_offer_names_the_figures_and_the_rules(engine, monkeypatch, absence, says):
    world = build_world(
        engine, absence_charge=absence, price=50_000, nominal=1_000_000, today=date.today()
    )
    state = _page(engine, monkeypatch, world)
    assert state.has_breakdown, state.error
    clauses = "\n".join(state.offer_clauses)
    assert "Дом творчества" in clauses and "Робототехника" in clauses
    assert state.breakdown.price_per_lesson in clauses
    assert state.breakdown.contract in clauses
    assert state.breakdown.certificate_share in clauses  # what the certificate holds
    assert says in clauses
    assert "7 дн." in clauses  # the correction window of the municipality's policy
    assert "Доплаты родителя нет" in clauses  # the nominal covers the whole contract
    assert state.breakdown.lessons != "0"


def test_a_certificate_too_small_leaves_a_copayment_in_the_offer(engine, monkeypatch):
    world = build_world(engine, price=50_000, nominal=100_000, today=date.today())
    state = _page(engine, monkeypatch, world)
    clauses = "\n".join(state.offer_clauses)
    assert state.breakdown.co_payment in clauses and "напрямую" in clauses


def test_applying_to_a_full_group_says_the_child_is_on_its_waiting_list(engine, monkeypatch):
    world = build_world(engine, nominal=1_000_000, today=date.today())
    with world.tx() as s:  # every seat already taken by other children
        group = s.get(Group, world.group_id)
        group.seats_taken = group.seats
        s.add(group)
    state = _page(engine, monkeypatch, world)
    ProgramState.set_terms_accepted.fn(state, True)
    settle(ProgramState.apply.fn(state))
    assert state.error == ""
    assert "листе ожидания" in state.notice and "отправлена" not in state.notice
    with db.read_session(engine) as s:
        [enrollment] = s.exec(select(Enrollment).where(Enrollment.child_id == world.child_id))
    assert enrollment.status == "waitlisted"
