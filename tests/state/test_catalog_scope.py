"""A family's catalog opens at home; a shared link shows what it names; the price filter
speaks one currency."""

from __future__ import annotations

import pytest
from reflex.istate.data import ReflexURL, RouterData
from sqlmodel import select

import navigator.domain.shared.db as db
import navigator.state.catalog as catalog_module
from navigator.domain.accounts.signin import start_session
from navigator.domain.municipalities.models import Municipality
from navigator.domain.shared.models import utcnow
from navigator.state.app import AppState
from navigator.state.catalog import CatalogState
from search.fallback import search_catalog_sql
from tests.factories import build_world
from tests.support.handlers import settle


@pytest.fixture
def two_towns(engine, monkeypatch):
    """A rouble town where the family lives and a euro town elsewhere, each with a program."""
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    home = build_world(engine)
    away = build_world(engine, price=90_000)
    with home.tx() as s:
        town = s.get(Municipality, away.municipality_id)
        town.currency, town.name = "EUR", "Elsewhere"  # its operator chose euros
        s.add(town)
        codes = {
            m.id: m.code
            for m in s.exec(select(Municipality)).all()
            if m.id in (home.municipality_id, away.municipality_id)
        }
        token = start_session(s, home.parent.user_id, utcnow()).token
    holder = {"token": token}
    monkeypatch.setattr(AppState, "_session_token", lambda self: holder["token"])

    def answered_from_sql(query):  # the catalog's own degraded path, on the test database
        with db.read_session(engine) as session:
            return search_catalog_sql(session, query, home.today)

    monkeypatch.setattr(catalog_module, "find_programs", answered_from_sql)
    return holder, codes[home.municipality_id], codes[away.municipality_id]


def _opened(url: str) -> CatalogState:
    state = CatalogState(_reflex_internal_init=True)
    state.router = RouterData(url=ReflexURL(f"http://localhost:3000{url}"))
    settle(state.load())
    return state


def test_a_family_catalog_opens_at_home_said_and_removable(two_towns):
    _holder, home, _away = two_towns
    catalog = _opened("/")
    assert catalog.municipalities == [home] and catalog.scope_is_home
    assert {card.municipality for card in catalog.cards} == {"Town"}
    assert "Town" in catalog.home_scope_label
    catalog.everywhere()
    assert catalog.municipalities == [] and not catalog.scope_is_home
    assert {card.municipality for card in catalog.cards} == {"Town", "Elsewhere"}
    assert "municipality=any" in catalog._url()  # reloading keeps "everywhere"
    assert _opened(catalog._url()).municipalities == []


def test_a_shared_link_shows_exactly_what_it_names(two_towns):
    _holder, _home, away = two_towns
    catalog = _opened(f"/?municipality={away}")
    assert catalog.municipalities == [away] and not catalog.scope_is_home
    assert {card.municipality for card in catalog.cards} == {"Elsewhere"}
    assert _opened("/?municipality=any").municipalities == []


def test_a_visitor_sees_every_municipality(two_towns):
    holder, _home, _away = two_towns
    holder["token"] = None
    catalog = _opened("/")
    assert catalog.municipalities == [] and not catalog.scope_is_home
    assert "municipality" not in catalog._url()


def test_the_price_filter_has_the_scope_currency_and_never_compares_across(two_towns):
    _holder, _home, away = two_towns
    catalog = _opened("/")
    assert catalog.price_label.endswith("₽") and catalog.price_currency_choices == []
    catalog.everywhere()
    assert [c for c, _symbol in catalog.price_currency_choices] == ["EUR", "RUB"]
    # 950 in euros: the euro program (900 €) passes, the rouble one (500 ₽) does not
    catalog.set_price_max({"price_max": "950", "currency": "EUR"})
    assert {card.municipality for card in catalog.cards} == {"Elsewhere"}
    assert "currency=EUR" in catalog._url()
    catalog.set_price_currency("RUB")
    assert {card.municipality for card in catalog.cards} == {"Town"}
    assert _opened(catalog._url()).effective_price_currency == "RUB"
    assert _opened(f"/?municipality={away}").effective_price_currency == "EUR"


@pytest.mark.parametrize("bad", ["-5", "abc", "1e400", "NaN"])
def test_a_bad_price_is_refused_beside_its_field_and_changes_nothing(two_towns, bad):
    catalog = _opened("/")
    before = [card.id for card in catalog.cards]
    catalog.set_price_max({"price_max": bad})
    assert catalog.price_error and catalog.price_max == ""
    assert [card.id for card in catalog.cards] == before
    catalog.set_price_currency("XXX' OR 1=1")  # not a currency of any municipality
    assert catalog.price_currency == ""


def test_the_phone_filters_button_counts_what_narrows(two_towns):
    catalog = _opened("/?age=9&payable=1&direction=technical")
    # the family's municipality counts too: it narrows, and the drawer shows it ticked
    assert catalog.active_filters == 4
    assert "4" in catalog.filters_label
    catalog.open_filters()
    assert catalog.filters_open
    catalog.close_filters()
    assert not catalog.filters_open
