"""The culture search bench measures what it says: its services are indexed as the app
indexes them, and its queries without text get the same answers from Meilisearch and from
the SQL fallback it is compared with (text is matched differently on purpose: Meilisearch
forgives typos and drops the last words of a query that finds nothing).

A tiny world (30 services) on SQLite, with a Meilisearch of its own: the bench rebuilds the
live indexes, which a shared test server's other users must not see.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bench.culture_search import QUERIES, measure
from navigator.domain.shared.db import make_engine, read_session
from navigator.domain.shared.migrate import upgrade
from search.culture_fallback import search_culture_sql
from search.culture_query import search_culture
from search.keys import search_client
from search.server import throwaway_server


def test_the_bench_indexes_its_services_and_compares_like_with_like(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    upgrade(url)
    engine = make_engine(url)
    meili = throwaway_server(tmp_path / "meili").start()
    try:
        figures = measure(engine, 30, 2, meili)
        client = search_client(meili.url, meili.master_key)
        with read_session(engine) as session:
            now = datetime.now(UTC)
            for query in QUERIES:
                if query.text:
                    continue
                assert (
                    search_culture(client, query).total
                    == search_culture_sql(session, query, now).total
                ), query
    finally:
        meili.stop()
        engine.dispose()
    assert figures["services"] == figures["culture_documents"] == 30
    assert 30 <= figures["sessions"] <= 180
    assert figures["hits_per_query"][QUERIES.index(next(q for q in QUERIES if not q.text))] > 0
    for way in ("app_ms", "raw_meili_ms", "sql_fallback_ms"):
        assert 0 < figures[way]["p50"] <= figures[way]["p95"] <= figures[way]["p99"]
