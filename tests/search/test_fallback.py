"""The SQL fallback answers the same filters as Meilisearch, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from navigator.domain.shared.db import read_session
from search.fallback import search_catalog_sql
from search.query import CatalogQuery
from seed.demo import seed_demo


@pytest.mark.parametrize(
    "query",
    [
        CatalogQuery(text="шахматы"),
        CatalogQuery(text="šachmatai"),  # diacritics folded
        CatalogQuery(text="Робото"),  # a prefix
        CatalogQuery(directions=("artistic", "technical"), age=9),
        CatalogQuery(municipalities=("perm",), sort="price", per_page=50),
        CatalogQuery(
            latitude=57.6261, longitude=39.8845, radius_km=5, sort="distance", per_page=100
        ),
        CatalogQuery(weekdays=(2,), payable_by_certificate=True),
        CatalogQuery(text="' OR 1=1 -- \" * : & | NEAR( ^"),
    ],
)
def test_the_fallback_answers_every_kind_of_query(engine, query):
    seed_demo(engine, programs=200)
    with read_session(engine) as s:
        result = search_catalog_sql(s, query, date.today())
    assert result.degraded
    assert len(result.hits) <= query.per_page
    words = [w for w in query.text.casefold().split() if w.isalpha()]
    for hit in result.hits:
        if query.directions:
            assert hit.direction in query.directions
        if query.municipalities:
            assert hit.municipality in query.municipalities
        if query.radius_km:
            assert hit.distance_m is not None and hit.distance_m <= query.radius_km * 1000
        if query.age is not None:
            assert hit.age_min <= query.age <= hit.age_max
    if query.sort == "price":
        prices = [h.lowest_price_minor for h in result.hits if h.lowest_price_minor is not None]
        assert prices == sorted(prices)
    if query.sort == "distance":
        distances = [h.distance_m for h in result.hits]
        assert distances == sorted(distances)
    if words == ["шахматы"]:
        # the same normalisation as the index: chess in every language the catalog has
        assert result.total > 0 and all(
            any(w in h.title.casefold() for w in ("шахмат", "šachmat", "chess"))
            for h in result.hits
        )
    if sum(result.facets["direction"].values()):
        assert result.total <= sum(result.facets["direction"].values())
