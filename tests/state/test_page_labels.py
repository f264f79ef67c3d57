"""An event of one page reads and writes that page's state only, and its labels still follow
the tab's language.

With the state in Redis (several workers), Reflex loads for an event its state, the state's
parents and substates, and every state with a computed var reading one of their vars. Ten
page states computed their translated labels from AppState's `lang`, so every event of every
page read and wrote thirteen states through Redis. Their labels now read the page state's own
`page_lang`, which the page's load sets.
"""

from __future__ import annotations

import inspect

import pytest
from reflex.istate.manager.redis import StateManagerRedis
from reflex.state import State
from reflex_base import constants

import navigator.domain.shared.db as db
import navigator.navigator  # noqa: F401  (every page's state, as the app has them)
from navigator import routes
from navigator.domain.accounts.models import ChildCategory
from navigator.domain.enrollment.models import AttendanceStatus
from navigator.domain.programs.models import Direction
from navigator.i18n import value_label
from navigator.state.app import AppState
from navigator.state.auth import AuthState
from navigator.state.cabinet import CabinetState
from navigator.state.municipality import MunicipalityState
from navigator.state.program import ProgramState
from navigator.state.provider import AttendanceState, ProviderProgramState
from tests.support.handlers import settle


def _family(cls) -> set:
    """The state, its parents and everything under it: what an event of it must load."""
    found = {cls}
    parent = cls.get_parent_state()
    while parent is not None:
        found.add(parent)
        parent = parent.get_parent_state()
    stack = [cls]
    while stack:
        for sub in stack.pop().get_substates():
            found.add(sub)
            stack.append(sub)
    return found


def _page_states(cls=AppState):
    for sub in cls.get_substates():
        yield sub
        yield from _page_states(sub)


@pytest.mark.parametrize("page_state", list(_page_states()), ids=lambda c: c.__name__)
def test_an_event_of_a_page_loads_no_other_page_state(page_state):
    manager = StateManagerRedis.__new__(StateManagerRedis)  # only its class logic is asked
    loaded = manager._get_required_state_classes(page_state, subclasses=True)
    strangers = sorted(c.__name__ for c in loaded - _family(page_state))
    assert not strangers, f"an event of {page_state.__name__} also loads {strangers}"


def test_no_computed_var_of_a_page_reads_the_app_state_or_the_router():
    """What ties a page state to every event: the guard of the test above, named."""
    assert AppState._potentially_dirty_states <= {AppState.get_full_name()}
    assert State._potentially_dirty_states <= {State.get_full_name(), AppState.get_full_name()}


@pytest.fixture
def signed_out(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    monkeypatch.setattr(AppState, "_session_token", lambda self: None)


def _loaded(state_class, path: str, accept_language: str):
    """The page state in the app's tree, as a tab has it, after its page's load."""
    root = State(_reflex_internal_init=True)
    root.router_data = root._update_router_vars(
        {
            constants.RouteVar.PATH: path,
            constants.RouteVar.ORIGIN: path,
            constants.RouteVar.QUERY: {},
            constants.RouteVar.HEADERS: {
                "accept-language": accept_language,
                "origin": "http://localhost:3000",
            },
            constants.RouteVar.CLIENT_TOKEN: "tab",
            constants.RouteVar.SESSION_ID: "socket",
            constants.RouteVar.CLIENT_IP: "127.0.0.1",
        },
        root.router_data,
    )
    state = root.get_substate(state_class.get_full_name().split(".")[1:])
    _run(state_class.load.fn(state))
    return state


def _run(result) -> None:
    if inspect.isawaitable(result):  # a handler run in a thread (navigator.state.threaded)
        settle(result)


CASES = [
    (AuthState, routes.PROVIDER_REGISTER, "kind_choices", None),
    (CabinetState, routes.CABINET, "category_choices", ChildCategory),
    (MunicipalityState, routes.MUNICIPALITY, "category_choices", ChildCategory),
    (ProviderProgramState, f"{routes.PROVIDER_PROGRAM}7", "direction_choices", Direction),
    (AttendanceState, f"{routes.PROVIDER_GROUP}7", "status_choices", AttendanceStatus),
]


@pytest.mark.parametrize(("state_class", "path", "var", "values"), CASES)
@pytest.mark.parametrize("language", ["lt", "en", "ru"])
def test_the_labels_are_in_the_language_the_page_loaded_in(
    signed_out, state_class, path, var, values, language
):
    state = _loaded(state_class, path, f"{language};q=0.9")
    assert state.page_lang == language
    labels = getattr(state, var)
    first = labels[0]
    value, label = (first[0], first[1]) if isinstance(first, list) else (first.value, first.label)
    assert label == value_label(value, language)
    if values is not None:
        assert [c.value for c in labels] == [v.value for v in values]


def test_a_language_chosen_later_reaches_the_labels_at_the_next_load(signed_out):
    state = _loaded(CabinetState, routes.CABINET, "lt")
    assert state.category_choices[0].label == value_label(ChildCategory.BASE.value, "lt")
    AppState.set_language.fn(state, "en")  # its update goes out, then the page reloads
    root = state._get_root_state()
    settle(root._get_resolved_delta())
    root._clean()
    _run(CabinetState.load.fn(state))
    assert state.category_choices[0].label == value_label(ChildCategory.BASE.value, "en")


def test_the_program_page_signs_in_back_to_itself(signed_out):
    state = _loaded(ProgramState, "/programs/999999", "ru")  # no such program: still a way
    assert not state.found
    assert state.sign_in_href == routes.login_then("%2Fprograms%2F999999")
