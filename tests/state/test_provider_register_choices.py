"""The provider registration's municipalities: read by the page's load, never baked into the
built frontend, and each option keyed by its municipality, so a person's choice stays theirs.

A computed var did it before: its value at build time was the page's first list, the load
sent the current one, and a municipality added in between moved every option after it by
one place; a person who had already picked "Vilnius" was registered under its neighbour.
"""

from __future__ import annotations

import navigator.domain.shared.db as db
from navigator.components.forms import choice_options, pair_options
from navigator.domain.municipalities.api import create_municipality
from navigator.state.auth import AuthState
from navigator.state.cabinet import CabinetState
from tests.support.handlers import settle


def _town(engine, name: str) -> int:
    with db.transaction(engine) as s:
        town = create_municipality(
            s,
            code=name.lower(),
            name=name,
            country="LT",
            currency="EUR",
            locale="lt",
            timezone="Europe/Vilnius",
        )
        return town.id


def test_the_list_is_the_database_s_at_the_page_s_load(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    vilnius = _town(engine, "Vilnius")
    state = AuthState(_reflex_internal_init=True)
    assert state.municipality_choices == []  # nothing a build could bake in

    settle(AuthState.load_municipalities.fn(state))
    assert state.municipality_choices == [[str(vilnius), "Vilnius"]]

    kaunas = _town(engine, "Kaunas")  # added while the page was built or open
    settle(AuthState.load_municipalities.fn(state))
    assert state.municipality_choices == [[str(kaunas), "Kaunas"], [str(vilnius), "Vilnius"]]


def test_options_of_a_list_that_can_change_are_keyed_by_their_value():
    """React keeps an option keyed by its value with its value: the <select> stays on it when
    options are added before it."""
    pairs = str(pair_options(AuthState.municipality_choices))
    assert "key:c_rx_state_?.at?.(0),value:c_rx_state_?.at?.(0)" in pairs
    choices = str(choice_options(CabinetState.category_choices))
    assert 'key:c_rx_state_?.["value"],value:c_rx_state_?.["value"]' in choices
