"""The public culture catalog's state: the URL holds the search, a value that does not fit
is dropped, the handlers filter, and an unreachable Meilisearch answers from SQL."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from reflex.istate.data import ReflexURL, RouterData

import navigator.domain.shared.db as db
import navigator.state.culture_catalog as state_module
from navigator.domain.shared.models import utcnow
from navigator.i18n import text, value_label
from navigator.i18n.formatting import format_moment, format_money
from navigator.state.culture_catalog import CultureCatalogState
from search import culture_service
from search.culture_fallback import search_culture_sql
from tests.domain.culture.world import NOW, SESSION_AT, YEAR, later
from tests.search.test_culture_query import small_catalog


@pytest.fixture
def services(engine, monkeypatch):
    """The small culture catalog, answered from SQL on the test database at the world's NOW."""
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    _world, ids = small_catalog(engine)

    def answered_from_sql(query):
        with db.read_session(engine) as session:
            return search_culture_sql(session, query, NOW)

    monkeypatch.setattr(state_module, "find_culture_services", answered_from_sql)
    return ids


def opened(url: str) -> CultureCatalogState:
    state = CultureCatalogState(_reflex_internal_init=True)
    state.router = RouterData(url=ReflexURL(f"http://localhost:3000{url}"))
    state.load()
    return state


def test_the_url_holds_the_search_and_opens_it_again(services):
    day = SESSION_AT.date().isoformat()
    page = opened(
        f"/culture/services?q=teatr&art_form=theatre&grade=5&date={day}"
        "&price_max=5&places_free=1&sort=price"
    )
    assert (page.art_forms, page.grade, page.day) == (["theatre"], "5", day)
    assert (page.price_max, page.free_places_only, page.sort) == ("5", True, "price")
    assert [card.id for card in page.cards] == [services["theatre"]]
    again = opened(page._url())
    assert again._url() == page._url() and again.total == page.total == 1


def test_values_that_do_not_fit_are_dropped_not_searched(services):
    page = opened(
        f"/culture/services?art_form=opera,'%20OR%201=1&place=moon&grade=13&date={YEAR}-02-30"
        "&price_max=-1&sort=title&page=x"
    )
    assert page.art_forms == [] and page.places == []
    assert (page.grade, page.day, page.price_max, page.sort, page.page) == (
        "",
        "",
        "",
        "relevance",
        1,
    )
    assert page.error == "" and page.total == 6


def test_a_card_says_what_a_school_needs(services):
    page = opened("/culture/services?q=muzikos")
    (card,) = page.cards
    assert card.title == "Muzikos valanda" and card.provider.startswith("Teatras")
    lang = page.lang
    assert card.art_form == value_label("music", lang)
    assert card.grades == text("grades_range", lang, min=5, max=8)
    assert card.place == value_label("at_school", lang)
    assert format_money(300, "EUR", lang) in card.price
    assert card.free_places == text("free_seats", lang, count=30)
    assert card.next_session == text(
        "culture_next_session", lang, when=format_moment(later(20), lang, "Europe/Vilnius")
    )


def test_the_handlers_filter_and_write_the_url(services):
    page = opened("/culture/services")
    assert page.total == 6
    page.toggle("art_form", "theatre")
    assert page.art_forms == ["theatre"] and page.total == 2 and "art_form=theatre" in page._url()
    page.toggle("art_form", "theatre")
    assert page.art_forms == [] and page.total == 6
    for facet, value in (("art_form", "opera"), ("grade", "5"), ("place", 7)):
        page.toggle(facet, value)
    assert page.art_forms == [] and page.places == []
    page.toggle("place", "online")
    assert [card.id for card in page.cards] == [services["dance"]]
    page.clear_filters()
    page.set_grade("10")
    assert page.total == 3  # theatre, museum and the cinema in review, on its approved grades
    page.set_grade("99")
    assert page.grade == "" and page.total == 6
    page.set_day(SESSION_AT.date().isoformat())
    assert {card.id for card in page.cards} == {services["theatre"], services["dance"]}
    page.set_day("next week")
    assert page.day == ""
    page.set_free_places_only(True)
    assert services["museum"] not in {card.id for card in page.cards}
    page.set_free_places_only("yes")
    assert not page.free_places_only
    page.set_sort("nonsense")
    assert page.sort == "relevance"
    page.set_sort("price")
    assert page.cards[0].id == services["dance"]  # free first
    assert page.go_to_page(2) is None and page.go_to_page(True) is None


def test_a_price_that_is_not_a_price_is_refused_beside_its_field(services):
    page = opened("/culture/services")
    page.set_price_max({"price_max": "abc"})
    assert page.price_error and page.price_max == "" and page.total == 6
    page.set_price_max({"price_max": "3"})
    assert page.price_error == "" and "price_max=3" in page._url()
    assert {card.id for card in page.cards} == {
        services["music"],
        services["dance"],
        services["full"],
    }


def test_an_unreachable_meilisearch_answers_from_sql(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    small_catalog(engine)
    unreachable = SimpleNamespace(
        meili_url="http://127.0.0.1:9", meili_search_key="x" * 16, meili_master_key=""
    )
    monkeypatch.setattr(culture_service, "get_settings", lambda: unreachable)
    assert utcnow() < SESSION_AT  # the world's sessions are still ahead
    page = opened("/culture/services")
    assert page.degraded and page.total == 6 and page.error == ""
