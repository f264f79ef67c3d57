"""The catalog's SQL fallback (Meilisearch down) at 100 000 programs, SQLite and PostgreSQL.

    .venv/bin/python -m bench.fallback [--programs 100000] [--rounds 5] [--db sqlite|postgres|both]

Seeds the demo catalog (its inserts write the catalog's rows as they go), writes every
program's search words and every program's catalog row again (as migrations 0021 and 0025
do for an existing database; timed), then runs bench.search's query set through
`search_catalog_sql` and reports p50/p95/p99 in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.search import QUERIES, percentiles
from navigator.domain.programs.catalog_rows import refresh_catalog_rows
from navigator.domain.programs.models import refresh_program_words
from navigator.domain.shared.db import make_engine, read_session
from navigator.domain.shared.migrate import upgrade
from search.fallback import search_catalog_sql
from search.query import CatalogQuery
from seed.demo import seed_demo

# bench.search's set, and a few more texts: several words, another alphabet, a synonym
EXTRA = [
    CatalogQuery(text="šachmatų būrelis"),
    CatalogQuery(text="лего конструирование", age=8),
    CatalogQuery(text="танцы", sort="price"),
    CatalogQuery(text="chess", page=3),
]


def measure(url: str, programs: int, rounds: int) -> dict[str, object]:
    upgrade(url)
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        seed_demo(engine, programs=programs)
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        with engine.begin() as connection:
            refresh_program_words(connection)
        words = time.perf_counter() - started
        started = time.perf_counter()
        with engine.begin() as connection:
            refresh_catalog_rows(connection)
        rows = time.perf_counter() - started
        today = datetime.now(UTC).date()
        samples: list[float] = []
        by_query: dict[str, float] = {}
        with read_session(engine) as session:
            for query in [*QUERIES, *EXTRA]:  # warm-up
                search_catalog_sql(session, query, today)
            for _ in range(rounds):
                for query in [*QUERIES, *EXTRA]:
                    began = time.perf_counter()
                    search_catalog_sql(session, query, today)
                    ms = (time.perf_counter() - began) * 1000
                    samples.append(ms)
                    label = query.text or repr(query)[:60]
                    by_query[label] = max(by_query.get(label, 0.0), ms)
        return {
            "programs": programs,
            "seed_s": round(seeded, 1),
            "words_s": round(words, 1),
            "rows_s": round(rows, 1),
            "fallback_ms": percentiles(samples),
            "slowest_ms": dict(sorted(by_query.items(), key=lambda kv: -kv[1])[:4]),
            "load": os.getloadavg(),
        }
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--programs", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'fallback.db'}"
            row = measure(url, args.programs, args.rounds)
            print(json.dumps({"db": "sqlite", **row}, ensure_ascii=False), flush=True)
    if args.db in ("postgres", "both"):
        from tests.support.postgres import PostgresCluster

        cluster = PostgresCluster(durable=True).start()
        try:
            cluster.execute("CREATE DATABASE bench")
            row = measure(cluster.url("bench"), args.programs, args.rounds)
            print(json.dumps({"db": "postgres", **row}, ensure_ascii=False), flush=True)
        finally:
            cluster.stop()


if __name__ == "__main__":
    main()
