"""A provider who opens a program's or a group's link signed out signs in and comes back to
that page, not to the desk. The way back is rebuilt from the id in the path: nothing else the
browser sent is passed on, so a crafted path leads back to the desk, never off the site."""

from __future__ import annotations

import pytest
from reflex.istate.data import ReflexURL, RouterData

import navigator.domain.shared.db as db
from navigator import routes
from navigator.domain.accounts.signin import start_session
from navigator.domain.shared.models import utcnow
from navigator.state.app import AppState
from navigator.state.provider import AttendanceState, ProviderProgramState
from tests.factories import build_world


@pytest.fixture
def token(engine, monkeypatch) -> dict[str, str | None]:
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    holder: dict[str, str | None] = {"token": None}  # signed out
    monkeypatch.setattr(AppState, "_session_token", lambda self: holder["token"])
    return holder


def _loaded(state_class, path: str):
    state = state_class(_reflex_internal_init=True)
    state.router = RouterData(url=ReflexURL(f"http://localhost:3000{path}"))
    return state, state_class.load.fn(state)


def _redirected_to(event) -> str:
    assert event is not None, "no redirect"
    [target] = [value._var_value for name, value in event.args if str(name) == "path"]
    return target


@pytest.mark.parametrize(
    ("state_class", "page"),
    [(ProviderProgramState, routes.PROVIDER_PROGRAM), (AttendanceState, routes.PROVIDER_GROUP)],
)
def test_signing_in_from_a_deep_link_comes_back_to_that_page(token, state_class, page):
    _state, event = _loaded(state_class, f"{page}42")
    assert _redirected_to(event) == routes.login_then(f"{page}42")


@pytest.mark.parametrize("state_class", [ProviderProgramState, AttendanceState])
@pytest.mark.parametrize(
    "path",
    [
        "/provider/programs/%2F%2Fother.example",
        "/provider/groups/https:%2F%2Fother.example",
        "/provider/groups/42?next=//other.example",
        "/provider/programs/-1",
        "/provider/programs/",
    ],
)
def test_a_crafted_path_leads_back_to_the_desk(token, state_class, path):
    _state, event = _loaded(state_class, path)
    target = _redirected_to(event)
    assert target in (  # the desk, or the page of the id with the query dropped
        routes.login_then(routes.PROVIDER),
        routes.login_then(routes.PROVIDER_PROGRAM + "42"),
        routes.login_then(routes.PROVIDER_GROUP + "42"),
    )
    assert "other.example" not in target


def test_signed_in_the_page_opens_without_a_detour(engine, token):
    world = build_world(engine)
    with world.tx() as s:
        token["token"] = start_session(s, world.provider_user.user_id, utcnow()).token
    state, event = _loaded(ProviderProgramState, f"{routes.PROVIDER_PROGRAM}{world.program_id}")
    assert event is None and state.found and state.program_id == str(world.program_id)
    state, event = _loaded(AttendanceState, f"{routes.PROVIDER_GROUP}{world.group_id}")
    assert event is None and state.found and state.group_id == str(world.group_id)
