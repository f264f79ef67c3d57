"""A tab signed in as one person and then as another (or signed out, or whose session ended)
shows nothing of the first: every screen forgets what it held before it acts."""

from __future__ import annotations

import pytest

import navigator.domain.shared.db as db
from navigator.domain.accounts.signin import start_session
from navigator.domain.shared.models import utcnow
from navigator.state.app import AppState
from navigator.state.cabinet import CabinetState, ChildCard
from navigator.state.catalog import CatalogState
from navigator.state.municipality import MunicipalityState
from navigator.state.provider_cabinet import DeskState as ProviderState
from tests.factories import build_world


@pytest.fixture
def two_people(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    world = build_world(engine)
    other, _child, _certificate, _account = world.add_parent_with_child()
    with world.tx() as s:
        first = start_session(s, world.parent.user_id, utcnow()).token
        second = start_session(s, other.user_id, utcnow()).token
    holder = {"token": first}
    monkeypatch.setattr(AppState, "_session_token", lambda self: holder["token"])
    return holder, first, second


@pytest.mark.parametrize("then", ["someone else", "signed out"])
def test_every_screen_forgets_the_previous_persons_data(two_people, then):
    holder, _first, second = two_people
    cabinet = CabinetState(_reflex_internal_init=True)
    provider = ProviderState(_reflex_internal_init=True)
    municipality = MunicipalityState(_reflex_internal_init=True)
    for screen in (cabinet, provider, municipality):
        assert screen._user_id() is not None
    cabinet.children = [
        ChildCard("1", "Аня И.", "Аня", "Иванова", "2016-03-15", "15.03.2016", "Town", "", True)
    ]
    cabinet.notice = "Готово"
    provider.error = "мое"
    municipality.error = "мое"

    holder["token"] = second if then == "someone else" else None
    for screen in (cabinet, provider, municipality):
        screen._user_id()

    assert cabinet.children == [] and cabinet.notice == ""
    assert provider.error == "" and municipality.error == ""


def test_the_same_person_keeps_the_screen_and_public_screens_keep_their_search(two_people):
    holder, _first, second = two_people
    cabinet = CabinetState(_reflex_internal_init=True)
    catalog = CatalogState(_reflex_internal_init=True)
    cabinet._user_id()
    catalog._user_id()
    cabinet.notice = "Готово"
    catalog.query_text = "шахматы"
    cabinet._user_id()
    assert cabinet.notice == "Готово"
    holder["token"] = second
    catalog._user_id()
    assert catalog.query_text == "шахматы"
