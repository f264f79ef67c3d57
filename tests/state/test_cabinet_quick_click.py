"""A parent quicker than the cabinet's load: "Add a child" clicked as the page shows stays open.

Reflex runs a page's load handlers as events the browser sends after its first one, so a
click made as soon as the page shows can be handled before the load. The load closes the
forms left open on an earlier visit; it used to close the one just opened too, and the parent
had to click again (seen in the browser tests on a loaded machine).
"""

from __future__ import annotations

import pytest
from reflex.state import State

import navigator.domain.shared.db as db
import navigator.navigator  # noqa: F401  (every page's state, as the app has them)
from navigator.domain.accounts.signin import start_session
from navigator.domain.shared.models import utcnow
from navigator.state.app import AppState
from navigator.state.cabinet import QUICK_CLICK_SECONDS, CabinetState
from tests.factories import build_world
from tests.support.handlers import settle


@pytest.fixture
def cabinet(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    world = build_world(engine)
    with world.tx() as s:
        token = start_session(s, world.parent.user_id, utcnow()).token
    monkeypatch.setattr(AppState, "_session_token", lambda self: token)
    root = State(_reflex_internal_init=True)
    state = root.get_substate(CabinetState.get_full_name().split(".")[1:])
    return root, state, world


def _load(state) -> None:
    settle(CabinetState.load.fn(state))


def _visit(root, state) -> None:
    """The page opened: Reflex clears `is_hydrated` until its load has run."""
    root.is_hydrated = False


def _loaded(root, state) -> None:
    _load(state)
    root.is_hydrated = True


def test_a_child_form_opened_before_the_load_stays_open(cabinet):
    root, state, _world = cabinet
    _visit(root, state)
    CabinetState.start_edit.fn(state, "new")
    _loaded(root, state)
    assert state.editing == "new"


def test_a_form_left_open_on_an_earlier_visit_is_closed(cabinet):
    root, state, world = cabinet
    _visit(root, state)
    _loaded(root, state)
    CabinetState.start_edit.fn(state, "new")  # after the load: an ordinary click
    settle(CabinetState.show_history.fn(state, str(world.child_id)))
    _visit(root, state)  # away and back
    _loaded(root, state)
    assert state.editing == "" and state.history_child == "" and state.history == []


def test_only_the_load_just_after_the_quick_click_keeps_it(cabinet):
    root, state, _world = cabinet
    _visit(root, state)
    CabinetState.start_edit.fn(state, "new")
    _loaded(root, state)
    _visit(root, state)  # the next visit closes it, as any form left open
    _loaded(root, state)
    assert state.editing == ""


def test_the_history_opened_before_the_load_stays_open_with_its_lines(cabinet):
    root, state, world = cabinet
    _visit(root, state)
    settle(CabinetState.show_history.fn(state, str(world.child_id)))
    lines = list(state.history)
    _loaded(root, state)
    assert state.history_child == str(world.child_id) and state.history == lines


def test_a_quick_click_keeps_its_own_form_only(cabinet):
    """The history left open on an earlier visit is closed even when a quick click opened
    the child form during this load."""
    root, state, world = cabinet
    _visit(root, state)
    _loaded(root, state)
    settle(CabinetState.show_history.fn(state, str(world.child_id)))  # an ordinary click
    _visit(root, state)  # away and back, and quick
    CabinetState.start_edit.fn(state, "new")
    _loaded(root, state)
    assert state.editing == "new"
    assert state.history_child == "" and state.history == []


def test_a_quick_click_whose_load_never_ran_is_not_kept_much_later(cabinet):
    """Clicked while the page loaded, then away before the load ran (Reflex cancels it): a
    visit much later closes that form like any other left open."""
    root, state, _world = cabinet
    _visit(root, state)
    CabinetState.start_edit.fn(state, "new")  # … and the tab went elsewhere
    state._opened_at -= QUICK_CLICK_SECONDS + 1  # a while later
    _visit(root, state)
    _loaded(root, state)
    assert state.editing == ""
