"""The relevance set of bench/relevance on a real Meilisearch and on the SQL fallback: the
programs a query must bring first come first, and the fallback ranks and pages in SQL."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import event

from bench.relevance.run import cases, load_catalog, meili_asker, score, sql_asker
from navigator.domain.shared.db import read_session
from search.fallback import search_catalog_sql
from search.query import CatalogQuery
from search.relay import make_client, reindex

UID = "programs_relevance_tests"


@pytest.fixture(scope="module")
def relevance(meili_server, sqlite_template, tmp_path_factory):
    import shutil

    from navigator.domain.shared.db import make_engine

    path = tmp_path_factory.mktemp("relevance") / "catalog.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    load_catalog(engine)
    client = make_client(meili_server.url, meili_server.master_key)
    reindex(engine, client, uid=UID)
    yield engine, client
    client.delete_index(UID)
    engine.dispose()


def test_meilisearch_brings_the_expected_programs_first(relevance):
    _engine, client = relevance
    report = score(meili_asker(client, UID), cases())
    assert report["without_typos"]["success"] >= 0.95, report["failed"]
    assert report["typos"]["success"] >= 0.9, report["failed"]


def test_the_fallback_is_within_a_tenth_of_meilisearch_without_typos(relevance):
    engine, client = relevance
    untyped = [c for c in cases() if not c.typo]
    meili = score(meili_asker(client, UID), untyped)["without_typos"]["success"]
    with read_session(engine) as session:
        report = score(sql_asker(session, date.today()), untyped)
    assert report["without_typos"]["success"] >= meili - 0.1, report["failed"]


def test_the_fallback_ranks_counts_and_pages_in_sql(relevance):
    """No statement hands Python the whole catalog: the page is ORDER BY … LIMIT, counts are
    GROUP BY, and only the page's programs are read as rows."""
    engine, _client = relevance
    statements: list[str] = []

    def seen(_conn, _cursor, statement, _params, _context, _many):
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with read_session(engine) as session:
            result = search_catalog_sql(
                session, CatalogQuery(text="šachmatų būrelis", per_page=2, page=2), date.today()
            )
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert result.total >= 3 and len(result.hits) == 2
    # the page and the counts read the catalog's narrow rows; the page's cards its programs
    from_program = [s for s in statements if re.search(r"\bFROM (program|catalog_row)\b", s)]
    assert from_program
    for statement in from_program:
        assert (
            re.search(r"ORDER BY .* LIMIT", statement)
            or "GROUP BY" in statement
            or re.search(r"program\.id IN \(", statement)
        ), statement
    page = next(s for s in from_program if "LIMIT" in s)
    assert "bm25(program_fts_words" in page and "MATCH" in page
