"""The SQL fallback answers the same filters as Meilisearch, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text as sql_text

from navigator.domain.shared.db import read_session
from search.fallback import _pg_tsquery, search_catalog_sql
from search.query import CatalogQuery
from search.words import query_words
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


# "program*" is in few titles and most descriptions; «рисование» ranks art titles apart
@pytest.mark.parametrize("text", ["programming", "рисование"])
def test_postgres_ranks_only_titles_with_the_words_and_pages_as_ranking_every_match(
    postgres_engine, text
):
    """Ranking only the titles that hold a word of the query (its own index) orders the
    matches as ts_rank over every match's title does (SQLite's bm25 ranks inside FTS5)."""
    engine = postgres_engine
    seed_demo(engine, programs=300)
    q = _pg_tsquery(query_words(text))
    with engine.connect() as c:
        expected = list(
            c.execute(
                sql_text(
                    "SELECT program_words.program_id FROM program_words"
                    " JOIN catalog_row ON catalog_row.program_id = program_words.program_id"
                    " WHERE (setweight(to_tsvector('simple', program_words.title), 'A')"
                    " || setweight(to_tsvector('simple', program_words.body), 'B'))"
                    " @@ to_tsquery('simple', :q) ORDER BY"
                    " ts_rank(to_tsvector('simple', program_words.title), to_tsquery('simple', :q))"
                    " DESC, program_words.program_id"
                ).bindparams(q=q),
            ).scalars()
        )
    assert len(expected) > 40  # more than a page, and not all ranked alike
    with read_session(engine) as s:
        pages = [
            search_catalog_sql(s, CatalogQuery(text=text, per_page=20, page=page), date.today())
            for page in (1, 2)
        ]
    assert [h.id for p in pages for h in p.hits] == expected[:40]
    assert pages[0].total == len(expected)
