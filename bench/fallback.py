"""The catalog's SQL fallback (Meilisearch down) at 100 000 programs, SQLite and PostgreSQL.

    .venv/bin/python -m bench.fallback [--programs 100000] [--rounds 5] [--db sqlite|postgres|both]
                                       [--keep DIR]

Seeds the demo catalog (its inserts write the catalog's rows as they go), writes every
program's search words and every program's catalog row again (as migrations 0021 and 0025
do for an existing database; timed), then runs bench.search's query set through
`search_catalog_sql` and reports p50/p95/p99 in milliseconds.

`--keep DIR` keeps the seeded databases in DIR and reuses them on the next run with the same
--programs (seeding 100 000 takes minutes): the migrations still run, so a new one is applied
to the kept database, and the query loop is measured again on the current code.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from bench.search import QUERIES, percentiles
from navigator.domain.programs.catalog_rows import refresh_catalog_rows
from navigator.domain.programs.models import refresh_program_words
from navigator.domain.shared.db import make_engine, read_session
from navigator.domain.shared.migrate import upgrade
from search.fallback import search_catalog_sql
from search.query import CatalogQuery
from seed.demo import seed_demo
from tests.support.postgres import PostgresCluster

# bench.search's set, and a few more texts: several words, another alphabet, a synonym
EXTRA = [
    CatalogQuery(text="šachmatų būrelis"),
    CatalogQuery(text="лего конструирование", age=8),
    CatalogQuery(text="танцы", sort="price"),
    CatalogQuery(text="chess", page=3),
]


def measure(url: str, programs: int, rounds: int, *, seed: bool = True) -> dict[str, object]:
    """Seed (unless the database is a kept one, seeded before) and time the query set."""
    upgrade(url)
    engine = make_engine(url)
    try:
        timings: dict[str, object] = {}
        if seed:
            timings = _seed(engine, programs)
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
            **timings,
            "fallback_ms": percentiles(samples),
            "slowest_ms": dict(sorted(by_query.items(), key=lambda kv: -kv[1])[:4]),
            "load": os.getloadavg(),
        }
    finally:
        engine.dispose()


def _seed(engine: Engine, programs: int) -> dict[str, object]:
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
    return {"seed_s": round(seeded, 1), "words_s": round(words, 1), "rows_s": round(rows, 1)}


class _Kept:
    """A database kept in a directory between runs: seeded once for a number of programs
    (a marker file says how many, written only once the seeding finished)."""

    def __init__(self, directory: Path, db: str, programs: int) -> None:
        self.marker = directory / f"{db}.seeded"
        self.programs = programs
        directory.mkdir(parents=True, exist_ok=True)

    @property
    def seeded(self) -> bool:
        if not self.marker.exists():
            return False
        kept = int(self.marker.read_text())
        if kept != self.programs:
            raise SystemExit(f"{self.marker} holds {kept} programs, not {self.programs}")
        return True

    def done(self) -> None:
        self.marker.write_text(str(self.programs))


def _postgres_cluster(directory: Path | None) -> PostgresCluster:
    """A throwaway durable cluster, or one kept in `directory` (started again, not re-created)."""
    if directory is None:
        return PostgresCluster(durable=True)
    root = directory

    class KeptCluster(PostgresCluster):
        def __init__(self) -> None:
            super().__init__(durable=True)
            shutil.rmtree(self.root, ignore_errors=True)  # the temporary one it made
            self.root = root / "postgres"
            self.data_dir = self.root / "data"
            self.root.mkdir(parents=True, exist_ok=True)
            if self._as_user:
                shutil.chown(self.root, user=self._as_user)
            self.root.chmod(0o755)

        def _run(self, *args: str) -> None:
            if args[0] == "initdb" and (self.data_dir / "PG_VERSION").exists():
                return  # kept from an earlier run
            super()._run(*args)

        def stop(self) -> None:
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

    return KeptCluster()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--programs", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--keep", type=Path, help="keep the seeded databases here and reuse them")
    args = parser.parse_args()
    keep: Path | None = args.keep.resolve() if args.keep else None
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            kept = _Kept(keep, "sqlite", args.programs) if keep else None
            url = f"sqlite:///{(keep or Path(tmp)) / 'fallback.db'}"
            seed = kept is None or not kept.seeded
            if kept and seed:
                Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)  # a half-seeded one
            row = measure(url, args.programs, args.rounds, seed=seed)
            if kept and seed:
                kept.done()
            print(json.dumps({"db": "sqlite", **row}, ensure_ascii=False), flush=True)
    if args.db in ("postgres", "both"):
        kept = _Kept(keep, "postgres", args.programs) if keep else None
        seed = kept is None or not kept.seeded
        cluster = _postgres_cluster(keep).start()
        try:
            if seed:
                cluster.execute("DROP DATABASE IF EXISTS bench")
                cluster.execute("CREATE DATABASE bench")
            row = measure(cluster.url("bench"), args.programs, args.rounds, seed=seed)
            if kept and seed:
                kept.done()
            print(json.dumps({"db": "postgres", **row}, ensure_ascii=False), flush=True)
        finally:
            cluster.stop()


if __name__ == "__main__":
    main()
