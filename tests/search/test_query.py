"""Catalog queries on a real Meilisearch over the seeded catalog; counts checked against SQL."""

from __future__ import annotations

import math
import shutil
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlmodel import col, func, select

from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.api import ProgramFields, create_group, create_program
from navigator.domain.programs.certification import set_certification
from navigator.domain.programs.models import Program
from navigator.domain.programs.queries import catalog_filter
from navigator.domain.providers.models import Provider
from navigator.domain.shared.db import make_engine, read_session, transaction
from navigator.domain.shared.errors import InvalidInput
from navigator.state.catalog import PAGE_FACETS
from search.fallback import search_catalog_sql
from search.query import CatalogQuery, search_catalog, segments
from search.relay import drain, make_client, reindex
from seed.demo import seed_demo
from tests.factories import SYSTEM

UID = "programs_query_tests"


@pytest.fixture(scope="module")
def catalog(meili_server, sqlite_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("query") / "catalog.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    seed_demo(engine, programs=400)
    with transaction(engine) as s:
        provider = s.exec(
            select(Provider).where(Provider.admitted).order_by(col(Provider.id))
        ).first()
        program = create_program(
            s,
            SYSTEM,
            provider.id,
            ProgramFields(
                title="<script>alert('x')</script> Шахматы",
                direction="physical_sports",
                age_min=6,
                age_max=12,
                language="ru",
                latitude=57.62,
                longitude=39.88,
            ),
        )
        program_id = program.id
        create_group(
            s,
            SYSTEM,
            program.id,
            name="1",
            timetable=[{"weekday": 2, "start": "10:00", "end": "11:00"}],
            starts_on=date.today(),
            ends_on=date.today() + timedelta(days=60),
            seats=5,
            price_per_lesson_minor=30_000,
        )
    with transaction(engine) as s:  # certified once its group exists, as in life
        set_certification(s, SYSTEM, program_id, "submitted")
    with transaction(engine) as s:
        set_certification(s, SYSTEM, program_id, "certified")
    client = make_client(meili_server.url, meili_server.master_key)
    reindex(engine, client, uid=UID)
    drain(engine, client, uid=UID)
    yield engine, client
    client.delete_index(UID)
    engine.dispose()


def run(catalog, **kwargs):
    _engine, client = catalog
    return search_catalog(client, CatalogQuery(**kwargs), uid=UID)


def sql_count(engine, *conditions) -> int:
    with read_session(engine) as s:
        return s.exec(
            select(func.count())
            .select_from(Program)
            .join(Provider, col(Provider.id) == Program.provider_id)
            .join(Municipality, col(Municipality.id) == Program.municipality_id)
            .where(catalog_filter(), *conditions)
        ).one()


def titles(result) -> list[str]:
    return [hit.title for hit in result.hits]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("робототехнка", "Робототехника"),
        ("шахматы", "Шахматы"),
        ("programavims", "Programavimas"),
        ("šachmatai", "Šachmatai"),
        ("sachmatai", "Šachmatai"),
        ("chess", "Шахматы"),
        ("astronmy", "Astronomy"),
    ],
)
def test_typos_and_other_alphabets_find_the_program(catalog, typed, meant):
    result = run(catalog, text=typed, per_page=50)
    assert any(meant in title for title in titles(result)), (typed, titles(result)[:5])


def test_word_forms_find_the_program(catalog):
    # word forms meet through the stems both the index and the query are keyed by (search/words.py)
    for form, meant in (
        ("шахматам", "Шахматы"),
        ("šachmatų", "Šachmatai"),
        ("робототехнику", "Робототехника"),
    ):
        result = run(catalog, text=form, per_page=50)
        assert any(meant in t for t in titles(result)), (form, titles(result)[:5])


def test_filters_and_facet_counts_equal_sql(catalog):
    engine, _ = catalog
    result = run(catalog, directions=("technical",), municipalities=("vilnius",), per_page=1)
    assert result.total == sql_count(
        engine, Program.direction == "technical", Municipality.code == "vilnius"
    )
    # disjunctive: with one direction selected, every direction still shows its own count
    for direction, count in result.facets["direction"].items():
        assert count == sql_count(
            engine, Program.direction == direction, Municipality.code == "vilnius"
        )
    assert len(result.facets["direction"]) == 6
    for flag in (True, False):
        payable = run(catalog, payable_by_certificate=flag, per_page=1)
        assert payable.total == sql_count(
            engine,
            (Program.certification_status == "certified") & ~col(Program.is_free)
            if flag
            else (Program.certification_status != "certified") | col(Program.is_free),
        )
    ages = run(catalog, age=6, per_page=1)
    assert ages.total == sql_count(engine, Program.age_min <= 6, Program.age_max >= 6)
    english = run(catalog, languages=("en",), formats=("online",), per_page=1)
    assert english.total == sql_count(engine, Program.language == "en", Program.format == "online")


def test_only_the_facets_asked_for_are_counted_and_they_count_the_same(catalog):
    """The catalog page asks for the five its filters show; their counts are the full ones,
    also a selected facet's own (disjunctive) counts."""
    every = run(catalog, directions=("technical",), per_page=1)
    page = run(catalog, directions=("technical",), per_page=1, facets=PAGE_FACETS)
    assert set(page.facets) == set(PAGE_FACETS)
    assert {name: every.facets[name] for name in PAGE_FACETS} == page.facets
    assert (page.total, [h.id for h in page.hits]) == (every.total, [h.id for h in every.hits])


@pytest.mark.parametrize("currency", ["EUR", "RUB"])
def test_a_price_ceiling_compares_prices_in_its_own_currency_only(catalog, currency):
    engine, _ = catalog
    ceiling = 40_000  # 400 in either currency: roubles and euros are never compared
    result = run(catalog, price_max_minor=ceiling, price_currency=currency, per_page=100)
    assert result.total > 0
    for hit in result.hits:
        assert hit.is_free or (
            hit.currency == currency and (hit.lowest_price_minor or 0) <= ceiling
        ), hit
    with read_session(engine) as s:  # the degraded path answers the same
        sql = search_catalog_sql(
            s, CatalogQuery(price_max_minor=ceiling, price_currency=currency), date.today()
        )
    assert sql.total == result.total


def test_radius_and_distance_sort(catalog):
    result = run(
        catalog, latitude=57.6261, longitude=39.8845, radius_km=5, sort="distance", per_page=100
    )
    assert result.hits and all(
        hit.distance_m is not None and hit.distance_m <= 5_000 for hit in result.hits
    )
    distances = [hit.distance_m for hit in result.hits]
    assert distances == sorted(distances)
    assert all(hit.municipality == "yaroslavl" for hit in result.hits)
    engine, _ = catalog
    with read_session(engine) as s:
        inside = 0
        for lat, lng in s.exec(
            select(Program.latitude, Program.longitude)
            .join(Provider, col(Provider.id) == Program.provider_id)
            .where(catalog_filter())
        ):
            d = (
                6_371_000
                * 2
                * math.asin(
                    math.sqrt(
                        math.sin(math.radians(lat - 57.6261) / 2) ** 2
                        + math.cos(math.radians(57.6261))
                        * math.cos(math.radians(lat))
                        * math.sin(math.radians(lng - 39.8845) / 2) ** 2
                    )
                )
            )
            inside += d <= 4_990
    assert abs(result.total - inside) <= 1  # the edge of the circle: rounding of the two formulas


def test_price_sort_and_pagination(catalog):
    first = run(catalog, sort="price", municipalities=("perm",), per_page=10, page=1)
    second = run(catalog, sort="price", municipalities=("perm",), per_page=10, page=2)
    prices = [h.lowest_price_minor for h in first.hits + second.hits if not h.is_free]
    assert prices == sorted(prices)
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}
    assert first.total == second.total == sql_count(catalog[0], Municipality.code == "perm")


def test_a_title_with_markup_comes_back_as_text(catalog):
    result = run(catalog, text="script", per_page=5)
    hit = next(h for h in result.hits if "<script>" in h.title)
    assert "".join(s.text for s in hit.title_segments) == hit.title
    assert all("<mark>" not in s.text and "\ue000" not in s.text for s in hit.title_segments)
    assert segments("a\ue000b\ue001c")[1].highlighted


@pytest.mark.parametrize(
    "text",
    [
        "' OR 1=1 --",
        "direction = technical OR id > 0",
        "_geoRadius(0, 0, 1)",
        '"; DROP TABLE program; --',
        "🦄" * 50,
    ],
)
def test_injection_attempts_in_the_text_are_only_text(catalog, text):
    result = run(catalog, text=text, per_page=5)
    assert result.total < 50  # searched for as words, not obeyed as filters


def test_control_characters_are_not_part_of_a_query(catalog):
    result = run(catalog, text="\x00шахматы\x01", per_page=5)
    assert result.query.text == "шахматы" and result.total > 0


@pytest.mark.parametrize(
    "bad",
    [
        {"directions": ("technical' OR '1'='1",)},
        {"municipalities": ("vilnius'] OR id > 0 OR municipality IN ['",)},
        {"languages": ("de",)},
        {"age": 99},
        {"age": "9"},
        {"per_page": 101},
        {"page": 0},
        {"sort": "title"},
        {"sort": "distance"},
        {"radius_km": 5},
        {"latitude": 91, "longitude": 0},
        {"weekdays": (8,)},
        {"text": "x" * 201},
        {"price_max_minor": 100, "price_currency": "EUR' OR id > 0"},
        {"price_max_minor": 100, "price_currency": "eur"},
        {"facets": ("direction", "provider_id")},
    ],
)
def test_wrong_parameters_are_refused_with_the_field_named(catalog, bad):
    _engine, client = catalog
    with pytest.raises(InvalidInput) as error:
        search_catalog(client, replace(CatalogQuery(), **bad), uid=UID)
    assert error.value.params.get("field")
    assert error.value.message("ru") and error.value.message("lt")
