"""Culture-pass catalog search speed at 2 000 and 10 000 approved services.

    .venv/bin/python -m bench.culture_search [--services 2000 10000] [--rounds 20]
        [--db sqlite|postgres]

For each size: a throwaway database (a SQLite file, or a PostgreSQL cluster with fsync on)
and one throwaway Meilisearch for the run, then
- setup, not timed: an open 2027 culture-pass year, providers, and N services submitted and
  approved through the domain (`submit_service`, `review_service`), spread over the art forms,
  grades, languages, places and prices (0.10 EUR steps up to the year's per-pupil amount);
  their sessions (1–6 each, school days and hours of 2027, 15–60 places) written in bulk as
  `publish_session` writes them (the same rows, without its per-row checks);
- the culture index built as the app builds it (`search.relay.reindex`; its time is reported);
- p50 / p95 / p99 of a mixed query set (text, text + facets, filters only, session day,
  price) three ways: through the app's `search_culture`, as raw Meilisearch HTTP with the same
  multi-search bodies (the floor; app and raw alternate round by round, so both see the
  same load from the machine's other work), and through the SQL fallback `search_culture_sql`
  (a quarter of the rounds: it reads every bookable service per query). `app_over_raw_p95`
  is app ÷ raw.

Prints one JSON line per size with the machine (cpus, model, commit, date, load average
before and after): the figures are only as quiet as the machine was.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bench.common import (
    load_average,
    machine,
    multi_search_bodies,
    percentiles,
    replay_raw,
    timed,
)
from navigator.domain.accounts.access import Actor
from navigator.domain.culture.models import CultureService, CultureSession
from navigator.domain.culture.services import (
    ArtForm,
    ServiceFields,
    review_service,
    submit_service,
)
from navigator.domain.culture.years import open_year
from navigator.domain.municipalities.api import create_municipality
from navigator.domain.providers.api import admit_provider, create_provider
from navigator.domain.shared.db import make_engine, read_session, transaction
from navigator.domain.shared.migrate import upgrade
from search.culture_fallback import search_culture_sql
from search.culture_query import CultureQuery, search_culture
from search.keys import search_client
from search.relay import make_client, reindex
from search.server import throwaway_server

SYSTEM = Actor.system()
YEAR = 2027
PER_PUPIL_MINOR = 1054
SERVICES_PER_PROVIDER = 25
VILNIUS_UTC_OFFSET = 2  # winter time is enough for spreading hours over a school day

# (the art form, words a title is made of, in Lithuanian, English and Russian)
TOPICS: dict[str, tuple[list[str], list[str], list[str]]] = {
    ArtForm.THEATRE: (
        ["Teatro edukacija", "Spektaklis", "Lėlių teatras", "Improvizacijos pamoka"],
        ["Theatre workshop", "Puppet show"],
        ["Театральный урок", "Кукольный спектакль"],
    ),
    ArtForm.MUSIC: (
        ["Muzikos pamoka", "Koncertas", "Džiazo edukacija", "Simfoninis orkestras"],
        ["Music lesson", "Jazz concert"],
        ["Урок музыки", "Концерт"],
    ),
    ArtForm.DANCE: (
        ["Šokio dirbtuvės", "Liaudies šokiai", "Šiuolaikinis šokis"],
        ["Dance workshop"],
        ["Танцевальный мастер-класс"],
    ),
    ArtForm.VISUAL_ARTS: (
        ["Tapybos dirbtuvės", "Grafikos pamoka", "Keramikos edukacija"],
        ["Painting workshop"],
        ["Мастерская живописи"],
    ),
    ArtForm.CINEMA: (
        ["Kino pamoka", "Animacijos dirbtuvės", "Dokumentinis kinas"],
        ["Film lesson"],
        ["Урок кино"],
    ),
    ArtForm.LITERATURE: (
        ["Kūrybinis rašymas", "Susitikimas su rašytoju", "Poezijos pamoka"],
        ["Creative writing"],
        ["Встреча с писателем"],
    ),
    ArtForm.MUSEUM: (
        ["Edukacija muziejuje", "Muziejaus ekskursija", "Archeologijos pamoka"],
        ["Museum tour"],
        ["Экскурсия по музею"],
    ),
    ArtForm.HERITAGE: (
        ["Etnokultūros pamoka", "Amatų dirbtuvės", "Piliakalnių istorija"],
        ["Heritage walk"],
        ["Народные ремёсла"],
    ),
    ArtForm.DESIGN: (
        ["Dizaino dirbtuvės", "Architektūros pamoka"],
        ["Design lab"],
        ["Дизайн-мастерская"],
    ),
    ArtForm.INTERDISCIPLINARY: (
        ["Meno ir mokslo edukacija", "Medijų menas"],
        ["Art and science lab"],
        ["Медиаискусство"],
    ),
}
TOWNS = ["Vilnius", "Kaunas", "Klaipėda", "Šiauliai", "Panevėžys", "Alytus", "Utena", "Telšiai"]

QUERIES: list[CultureQuery] = [
    # text
    CultureQuery(text="teatras"),
    CultureQuery(text="muzikos pamoka"),
    CultureQuery(text="keramka"),  # a typo
    CultureQuery(text="museum tour", locale="en"),
    # text + facets
    CultureQuery(text="šokis", art_forms=("dance",), grade=5),
    CultureQuery(text="edukacija", places=("on_site", "at_school"), languages=("lt",)),
    CultureQuery(text="концерт", art_forms=("music", "theatre"), locale="ru"),
    # filters only
    CultureQuery(art_forms=("music", "theatre"), grade=3),
    CultureQuery(places=("online",), sort="price"),
    CultureQuery(grade=10, languages=("en",), has_free_places=True, sort="soonest"),
    # a session day (the catalog's date filter is one day, not a range)
    CultureQuery(day="2027-03-16"),
    CultureQuery(day="2027-05-20", art_forms=("museum", "heritage"), sort="soonest"),
    # price
    CultureQuery(price_max_minor=500, sort="price"),
    CultureQuery(price_max_minor=300, grade=1, art_forms=("visual_arts",)),
]


def _fields(rng: random.Random, n: int) -> ServiceFields:
    art_form = rng.choice(list(TOPICS))
    lithuanian, english, russian = TOPICS[art_form]
    language = rng.choices(["lt", "en", "ru"], weights=[85, 10, 5])[0]
    title = rng.choice({"lt": lithuanian, "en": english, "ru": russian}[language])
    grade_min = rng.randint(1, 12)
    grade_max = min(12, grade_min + rng.choice([0, 1, 3, 3, 5, 11]))
    place = rng.choices(["on_site", "at_school", "online"], weights=[60, 30, 10])[0]
    town = rng.choice(TOWNS)
    return ServiceFields(
        title=f"{title} {town} {n}",
        description=f"{title}: {grade_min}–{grade_max} klasėms, {town}. "
        "Edukacinis užsiėmimas su praktine dalimi ir aptarimu.",
        art_form=art_form,
        grade_min=grade_min,
        grade_max=grade_max,
        duration_minutes=rng.choice([45, 60, 90, 120]),
        language=language,
        place=place,
        address="" if place == "online" else f"{town}, Gedimino g. {rng.randint(1, 120)}",
        price_per_pupil_minor=0 if rng.random() < 0.05 else rng.randrange(0, PER_PUPIL_MINOR, 10),
        free_adults=rng.choice([1, 2, 2, 3]),
    )


def _school_days(rng: random.Random, count: int) -> list[datetime]:
    """Session starts on school days of the year's window, between 8:00 and 15:00 local."""
    days: list[datetime] = []
    while len(days) < count:
        day = date(YEAR, 1, 11) + timedelta(days=rng.randrange(0, 340))
        if day.weekday() < 5 and not date(YEAR, 6, 20) <= day <= date(YEAR, 8, 31):
            hour, minute = rng.randint(8, 14) - VILNIUS_UTC_OFFSET, rng.choice([0, 30])
            days.append(datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC))
    return days


def seed(engine: Engine, services: int) -> dict[str, int]:
    rng = random.Random(15)
    with transaction(engine) as s:
        open_year(
            s,
            SYSTEM,
            year=YEAR,
            per_pupil_minor=PER_PUPIL_MINOR,
            cap_minor=1500,
            window_start=date(YEAR, 1, 1),
            window_end=date(YEAR, 12, 20),
            reference_date=date(YEAR - 1, 9, 1),
        )
        town = create_municipality(
            s,
            code="bench-lt",
            name="Bench",
            country="LT",
            currency="EUR",
            locale="lt",
            timezone="Europe/Vilnius",
        )
        town_id = town.id
    assert town_id is not None
    made = 0
    for p in range(-(-services // SERVICES_PER_PROVIDER)):
        with transaction(engine) as s:  # one provider's catalogue at a time
            provider = create_provider(
                s, municipality_id=town_id, name=f"{rng.choice(TOWNS)} kultūros centras {p}",
                kind="private",
            )  # fmt: skip
            assert provider.id is not None
            admit_provider(s, SYSTEM, provider.id)
            for _ in range(min(SERVICES_PER_PROVIDER, services - made)):
                service = submit_service(s, SYSTEM, provider.id, _fields(rng, made))
                assert service.id is not None
                review_service(s, SYSTEM, service.id, "approve")
                made += 1
    sessions = 0
    with read_session(engine) as s:
        ids = [i for i in s.exec(select(CultureService.id).order_by(col(CultureService.id)))]
    now = datetime.now(UTC)
    for first in range(0, len(ids), 2_000):  # what publish_session writes, in bulk
        rows = [
            {
                "service_id": service_id,
                "starts_at": starts_at,
                "capacity": rng.choice([15, 25, 30, 30, 60]),
                "booked": 0,
                "created_at": now,
            }
            for service_id in ids[first : first + 2_000]
            for starts_at in _school_days(rng, rng.randint(1, 6))
        ]
        with transaction(engine) as s:
            s.execute(insert(CultureSession), rows)
        sessions += len(rows)
    return {"services": made, "sessions": sessions}


def measure(engine: Engine, services: int, rounds: int, meili: Any) -> dict[str, Any]:
    started = time.perf_counter()
    counts = seed(engine, services)
    seeded = time.perf_counter() - started
    admin = make_client(meili.url, meili.master_key)
    for index in admin.get_indexes({"limit": 1000})["results"]:
        admin.delete_index(index.uid)
    report = reindex(engine, admin)
    assert report.culture_documents == services, report
    client = search_client(meili.url, meili.master_key)
    totals = [search_culture(client, query).total for query in QUERIES]  # warm-up

    bodies = multi_search_bodies(client, search_culture, QUERIES)
    app: list[float] = []
    raw: list[float] = []
    for _ in range(rounds):  # round by round, so both ways see the same neighbours' load
        app += timed(lambda q: search_culture(client, q), QUERIES, 1)
        raw += replay_raw(client, bodies, 1)
    with read_session(engine) as session:
        now = datetime.now(UTC)
        search_culture_sql(session, QUERIES[0], now)  # warm-up
        sql = timed(lambda q: search_culture_sql(session, q, now), QUERIES, max(1, rounds // 4))
    app_p, raw_p = percentiles(app), percentiles(raw)
    return {
        **counts,
        "seed_s": round(seeded, 1),
        "reindex_s": round(report.seconds, 1),
        "culture_documents": report.culture_documents,
        "queries": len(QUERIES),
        "rounds": rounds,
        "hits_per_query": totals,
        "app_ms": app_p,
        "raw_meili_ms": raw_p,
        "sql_fallback_ms": percentiles(sql),
        "app_over_raw_p95": round(app_p["p95"] / raw_p["p95"], 2),
    }


@contextmanager
def database(kind: str) -> Iterator[Engine]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            upgrade(url)
            engine = make_engine(url)
            try:
                yield engine
            finally:
                engine.dispose()
        return
    from tests.support.postgres import PostgresCluster

    cluster = PostgresCluster(durable=True).start()
    try:
        cluster.execute("CREATE DATABASE bench")
        upgrade(cluster.url("bench"))
        engine = make_engine(cluster.url("bench"))
        try:
            yield engine
        finally:
            engine.dispose()
    finally:
        cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--services", type=int, nargs="+", default=[2_000, 10_000])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    with throwaway_server(Path(tempfile.mkdtemp(prefix="bench-meili-"))) as meili:
        for size in args.services:
            info = machine()
            with database(args.db) as engine:
                figures = measure(engine, size, args.rounds, meili)
            row = {"db": args.db, **figures, **info, "load_average_after": load_average()}
            print(json.dumps(row, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
