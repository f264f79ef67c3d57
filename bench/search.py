"""Catalog search speed and quality at 10 000 and 100 000 programs.

    .venv/bin/python -m bench.search [--programs 10000 100000] [--rounds 20]

For each size: seed an empty SQLite database, then measure four things.
- The full reindex time.
- p50 / p95 / p99 of a mixed query set: text, text + facets, filters only, radius +
  distance sort. Each set runs three ways: through the app's search function, through
  the HTTP API (the real FastAPI app under uvicorn), and as raw Meilisearch HTTP with
  the same request bodies. The raw figure is the floor.
- recall@10 on a set of misspelled queries.
- Sync lag: from the commit of a program change to the moment a search finds it, with
  the relay thread running as in the app.
- Meilisearch's own time to apply a one-document update, with the index's settings and,
  as a control, with `_geo` no longer filterable or sortable.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import col, select

from bench.common import multi_search_bodies, percentiles, replay_raw
from bench.common import timed as timed_queries
from bench.meili_update import one_document_updates
from navigator.domain.enrollment.seats import seat_claims
from navigator.domain.programs.models import Group, Program
from navigator.domain.programs.queries import catalog_filter
from navigator.domain.providers.models import Provider
from navigator.domain.shared.db import make_engine, read_session, transaction
from navigator.domain.shared.migrate import upgrade
from search.documents import build_batch, catalog_program_ids
from search.fallback import search_catalog_sql
from search.keys import search_client
from search.query import CatalogQuery, search_catalog
from search.relay import Relay, make_client, reindex
from search.server import throwaway_server
from search.settings import INDEX_UID, index_settings
from seed.demo import seed_demo
from seed.vocabulary import SUBJECTS

QUERIES: list[CatalogQuery] = [
    CatalogQuery(text="шахматы"),
    CatalogQuery(text="робототехника", per_page=20),
    CatalogQuery(text="robotika"),
    CatalogQuery(text="football for beginners"),
    CatalogQuery(text="рисование", directions=("artistic",), age=9),
    CatalogQuery(text="šokiai", municipalities=("vilnius",), payable_by_certificate=True),
    CatalogQuery(text="programming", languages=("en", "lt"), formats=("online", "mixed")),
    CatalogQuery(directions=("technical", "natural_science"), age=12, has_free_seats=True),
    CatalogQuery(municipalities=("perm",), sort="price", price_max_minor=40_000),
    CatalogQuery(weekdays=(2, 4), age=7, sort="start"),
    CatalogQuery(latitude=57.6261, longitude=39.8845, radius_km=5, sort="distance"),
    CatalogQuery(
        text="плавание", latitude=54.6872, longitude=25.2797, radius_km=10, sort="distance"
    ),
]
# (misspelled query, the subject it means): the right family is that subject's programs in any
# language (a Lithuanian typo may bring the Russian titles first: the synonyms and the
# transliteration make them one family)
TYPOS = [
    ("шахмоты", "chess"),
    ("робототехнка", "robotics"),
    ("футбл", "football"),
    ("плаване", "swimming"),
    ("керамкиа", "ceramics"),
    ("šachmatia", "chess"),
    ("robotka", "robotics"),
    ("futbolsa", "football"),
    ("keramka", "ceramics"),
    ("astronmy", "astronomy"),
    ("guitr", "guitar"),
    ("chemstry", "chemistry"),
]


def of_subject(title: str, subject: str) -> bool:
    """A title of this subject's programs, in whichever language it is taught."""
    return any(title.lower().startswith(name.lower()) for name in SUBJECTS[subject].titles.values())


def timed(call, rounds: int) -> list[float]:
    return timed_queries(call, QUERIES, rounds)


def api_params(q: CatalogQuery) -> list[tuple[str, Any]]:
    params: list[tuple[str, Any]] = [("q", q.text), ("sort", q.sort), ("per_page", q.per_page)]
    params += [("direction", d) for d in q.directions] + [("format", f) for f in q.formats]
    params += [("language", lang) for lang in q.languages]
    params += [("municipality", m) for m in q.municipalities]
    params += [("weekday", w) for w in q.weekdays]
    for name, value in (
        ("age", q.age),
        ("payable_by_certificate", q.payable_by_certificate),
        ("has_free_seats", q.has_free_seats),
        ("lat", q.latitude),
        ("lng", q.longitude),
        ("radius_km", q.radius_km),
        ("price_max", q.price_max_minor),
    ):
        if value is not None:
            params.append((name, str(value).lower() if isinstance(value, bool) else value))
    return params


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_api(database_url: str, meili_url: str, key: str) -> tuple[str, subprocess.Popen[bytes]]:
    """The catalog API alone under granian (the server Reflex itself runs on), one worker."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEILI_URL": meili_url,
        "MEILI_MASTER_KEY": key,
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "asgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "navigator.api.catalog:api",
        ],
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{url}/api/v1/openapi.json").raise_for_status()
            return url, server
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.1)


def measure(size: int, rounds: int, meili) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        started = time.perf_counter()
        seed_demo(engine, programs=size)
        seed_seconds = time.perf_counter() - started
        admin = make_client(meili.url, meili.master_key)
        for index in admin.get_indexes({"limit": 1000})["results"]:
            admin.delete_index(index.uid)
        report = reindex(engine, admin)
        client = search_client(meili.url, meili.master_key)
        for query in QUERIES:  # warm-up
            search_catalog(client, query)

        app = timed(lambda q: search_catalog(client, q), rounds)

        raw = replay_raw(client, multi_search_bodies(client, search_catalog, QUERIES), rounds)

        api_url, server = serve_api(url, meili.url, meili.master_key)
        with httpx.Client(base_url=api_url) as api_client:
            for query in QUERIES:
                api_client.get("/api/v1/programs", params=api_params(query)).raise_for_status()
            through_api = timed(
                lambda q: api_client.get(
                    "/api/v1/programs", params=api_params(q)
                ).raise_for_status(),
                rounds,
            )
        server.terminate()
        server.wait(timeout=30)

        with read_session(engine) as session:
            today = datetime.now(UTC).date()
            sql = timed(lambda q: search_catalog_sql(session, q, today), max(1, rounds // 4))

        found = 0
        for typo, subject in TYPOS:
            hits = search_catalog(client, CatalogQuery(text=typo, per_page=10)).hits
            found += bool(hits) and all(of_subject(h.title, subject) for h in hits[:3])
        recall = found / len(TYPOS)

        lags = sync_lag(engine, admin, client)
        with_geo = update_cost(engine, admin)
        without_geo = update_cost(engine, admin, geo=False)  # last: it changes the settings
        engine.dispose()
    app_p, raw_p, api_p = percentiles(app), percentiles(raw), percentiles(through_api)
    return {
        "programs": size,
        "seed_s": round(seed_seconds, 1),
        "reindex_s": round(report.seconds, 1),
        "documents": report.documents,
        "app_ms": app_p,
        "api_ms": api_p,
        "raw_meili_ms": raw_p,
        "sql_fallback_ms": percentiles(sql),
        "app_over_raw_p95": round(app_p["p95"] / raw_p["p95"], 2),
        "typo_recall_at_10": round(recall, 2),
        "sync_lag_ms": percentiles(lags),
        "meili_one_update_ms": percentiles(with_geo),
        "meili_one_update_without_geo_ms": percentiles(without_geo),
    }


def found(client, program_id: int, free_seats: int) -> bool:
    """This program, searchable with this many free seats."""
    hits = client.index("programs").search("", {"filter": f"id = {int(program_id)}"})["hits"]
    return bool(hits) and hits[0].get("free_seats") == free_seats


SYNC_TIMEOUT = 120.0  # seconds: a change that takes longer is a failure, not a figure


def sync_lag(engine, admin, client, changes: int = 40) -> list[float]:
    """From the commit of a change parents see at once (a group's seats: the certified
    content and terms reach the catalog only when certified) to a search that shows it.

    Each change comes after a quiet spell of the relay's interval, as one provider's edit
    does; a change right after another waits for the rest of the interval (a stream's
    changes go out as one task a second), which the rush measures."""
    relay = Relay(engine, admin)
    thread = relay.start_thread()
    lags = []
    try:
        with read_session(engine) as s:
            ids = list(
                s.exec(
                    select(Program.id)
                    .join(Provider, col(Provider.id) == Program.provider_id)
                    .where(catalog_filter())
                    .limit(changes)
                )
            )
        today = date.today()
        for n, program_id in enumerate(ids):
            time.sleep(relay.interval_seconds)
            with read_session(engine) as s:
                [before] = build_batch(s, [program_id], today).documents
                groups = s.exec(
                    select(Group.id, Group.seats, Group.seats_taken)
                    .where(
                        Group.program_id == program_id,
                        col(Group.enrollment_open),
                        col(Group.ends_on) >= today,
                    )
                    .order_by(col(Group.id))
                ).all()
                claimed = seat_claims(s, [g.id for g in groups])
            # a seat more is a seat more free only in a group nobody applies to or waits for
            # (free seats count the pending applications; none while a waiting list exists)
            group_id = next(
                (g.id for g in groups if g.id not in claimed and g.seats_taken <= g.seats), None
            )
            if group_id is None:
                continue
            with transaction(engine) as s:
                group = s.get(Group, group_id)
                assert group is not None
                group.seats += 1
                s.add(group)
            committed = time.perf_counter()
            with read_session(engine) as s:  # what the index must show: the document rebuilt
                [after] = build_batch(s, [program_id], today).documents
            if after["free_seats"] == before["free_seats"]:
                continue  # nothing a search could see change (another writer took the seat)
            while not found(client, program_id, after["free_seats"]):
                if time.perf_counter() - committed > SYNC_TIMEOUT:
                    raise RuntimeError(f"program {program_id}'s change never reached the index")
                time.sleep(0.005)
            if n > 0:  # the first change also waits for the relay's start-up
                lags.append((time.perf_counter() - committed) * 1000)
    finally:
        relay.stop()
        thread.join(timeout=10)
    return lags


def update_cost(engine, admin, *, geo: bool = True, updates: int = 30) -> list[float]:
    """Meilisearch's own time for a one-document update: enqueue until the task succeeded.

    With `geo=False` the index first drops `_geo` from its filterable and sortable
    attributes (the documents keep their points): the control that shows the R-tree's cost.
    """
    index = admin.index(INDEX_UID)
    if not geo:
        settings = index_settings()
        task = index.update_settings(
            {
                "filterableAttributes": [
                    a for a in settings["filterableAttributes"] if a != "_geo"
                ],
                "sortableAttributes": [a for a in settings["sortableAttributes"] if a != "_geo"],
            }
        )
        admin.wait_for_task(task.task_uid, timeout_in_ms=600_000)
    with read_session(engine) as session:
        ids = next(catalog_program_ids(session, updates))
        documents = build_batch(session, ids, datetime.now(UTC).date()).documents
    return one_document_updates(admin, documents, "geo" if geo else "flat")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--programs", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    print(f"# {platform.platform()}, {platform.machine()}, python {platform.python_version()}")
    with throwaway_server(Path(tempfile.mkdtemp(prefix="bench-meili-"))) as meili:
        for size in args.programs:
            print(json.dumps(measure(size, args.rounds, meili), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
