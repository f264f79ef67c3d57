"""The culture pass at a country's size: a 30-pupil class booking (every cap checked) and
the coordinator's and operator's reports, p50/p95.

    .venv/bin/python -m bench.culture_pass [--schools 1000] [--pupils 300] [--db sqlite|postgres]

Setup, not timed: a year, the schools imported through `import_schools` (wallets credited),
their rosters written in bulk (300 000 pupils by default), one coordinator per measured
school, a provider with an approved service and a session per booking. Timed: bookings
through `book_session`, each its own transaction as the app does it; the coordinator's
screen reads (wallet, roster with caps, open sessions, bookings, per-pupil report) and the
operator's report through the domain functions. Checked afterwards: the culture invariants.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role
from navigator.domain.culture.booking import book_session
from navigator.domain.culture.models import Pupil, School, SchoolCoordinator
from navigator.domain.culture.queries import bookings_of, open_sessions, pupils_of, wallet_view
from navigator.domain.culture.reports import operator_report, pupil_spend
from navigator.domain.culture.services import (
    ServiceFields,
    publish_session,
    review_service,
    submit_service,
)
from navigator.domain.culture.years import import_schools, open_year
from navigator.domain.municipalities.api import create_municipality
from navigator.domain.providers.api import admit_provider, create_provider
from navigator.domain.shared.db import make_engine, read_session, transaction
from navigator.domain.shared.migrate import upgrade
from tests.support.invariants import assert_culture_invariants
from tests.support.postgres import PostgresCluster

SYSTEM = Actor.system()
YEAR = 2027
NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
CLASS_SIZE = 30
MEASURED_SCHOOLS = 50


def _p(values: list[float], q: int) -> float:
    return round(statistics.quantiles(values, n=100)[q - 1] * 1000, 1) if len(values) > 1 else 0.0


def build(engine: Engine, schools: int, pupils: int, bookings: int) -> dict:
    with transaction(engine) as s:
        year = open_year(
            s,
            SYSTEM,
            year=YEAR,
            per_pupil_minor=1054,
            cap_minor=1500,
            window_start=date(YEAR, 1, 1),
            window_end=date(YEAR, 12, 20),
            reference_date=date(YEAR - 1, 9, 1),
        )
        year_id = year.id
    rows = "\n".join(f"B{n:05d},Mokykla {n},Savivaldybė {n % 60},{pupils}" for n in range(schools))
    with transaction(engine) as s:
        report = import_schools(s, SYSTEM, year_id, "code,name,municipality,pupils\n" + rows)
        assert report.errors == []
        school_ids = list(s.exec(select(School.id).order_by(col(School.id))).all())
    classes = max(1, pupils // CLASS_SIZE)
    for school_id in school_ids:  # the rosters, in bulk: setup, not the measured path
        with transaction(engine) as s:
            s.execute(
                insert(Pupil),
                [
                    {
                        "school_id": school_id,
                        "class_name": f"{1 + n % 12}{'ABCDEFGH'[(n // 12) % 8]}",
                        "first_name": f"Vardas{n}",
                        "last_name": f"Pavardė{n}",
                        "register_id": f"R{school_id}-{n}",
                        "active": True,
                        "created_at": NOW,
                    }
                    for n in range(pupils)
                ],
            )
    measured = school_ids[:MEASURED_SCHOOLS]
    coordinators = {}
    with transaction(engine) as s:
        for school_id in measured:
            user = create_user(s, f"coordinator{school_id}@bench.example", "bench pass 2027")
            s.add(SchoolCoordinator(school_id=school_id, user_id=user.id))
            coordinators[school_id] = Actor.user(user.id)
        town = create_municipality(
            s,
            code="bench-lt",
            name="Bench",
            country="LT",
            currency="EUR",
            locale="lt",
            timezone="Europe/Vilnius",
        )
        provider = create_provider(s, municipality_id=town.id, name="Teatras", kind="private")
        admit_provider(s, SYSTEM, provider.id)
        staff = create_user(
            s,
            "teatras@bench.example",
            "bench pass 2027",
            roles=((Role.PROVIDER_OWNER, None, provider.id),),
        )
        staff_actor = Actor.user(staff.id)
        service = submit_service(
            s,
            staff_actor,
            provider.id,
            ServiceFields(
                title="Teatro pamoka",
                description="Spektaklis.",
                art_form="theatre",
                grade_min=1,
                grade_max=12,
                duration_minutes=90,
                language="lt",
                place="on_site",
                address="Vilnius",
                price_per_pupil_minor=300,
                free_adults=2,
            ),
        )
        review_service(s, SYSTEM, service.id, "approve")
        sessions = [
            publish_session(
                s,
                staff_actor,
                service.id,
                NOW + timedelta(days=10 + n // 20, hours=n % 20),
                CLASS_SIZE,
                now=NOW,
            ).id
            for n in range(bookings)
        ]
    with read_session(engine) as s:
        class_of = {}
        for school_id in measured:
            by_class: dict[str, list[int]] = {}
            for pupil_id, class_name in s.exec(
                select(Pupil.id, Pupil.class_name).where(Pupil.school_id == school_id)
            ).all():
                by_class.setdefault(class_name, []).append(pupil_id)
            class_of[school_id] = list(by_class.values())
    del classes
    return {
        "year_id": year_id,
        "measured": measured,
        "coordinators": coordinators,
        "sessions": sessions,
        "classes": class_of,
    }


def measure(engine: Engine, schools: int, pupils: int, bookings: int) -> dict:
    started = time.perf_counter()
    world = build(engine, schools, pupils, bookings)
    setup = time.perf_counter() - started
    rng = random.Random(7)
    book_ms: list[float] = []
    for n, session_id in enumerate(world["sessions"]):
        school_id = world["measured"][n % len(world["measured"])]
        pupils_of_class = rng.choice(world["classes"][school_id])[:CLASS_SIZE]
        t = time.perf_counter()
        with transaction(engine) as s:
            book_session(
                s,
                world["coordinators"][school_id],
                session_id,
                pupils_of_class,
                2,
                f"bench-{n:06d}",
                now=NOW,
            )
        book_ms.append(time.perf_counter() - t)
    coordinator_ms: list[float] = []
    for school_id in world["measured"]:
        actor = world["coordinators"][school_id]
        t = time.perf_counter()
        with read_session(engine) as s:
            from navigator.domain.culture.models import CulturePassYear

            year = s.get(CulturePassYear, world["year_id"])
            wallet_view(s, actor, school_id, year)
            pupils_of(s, actor, school_id, year)
            open_sessions(s, actor, school_id, year, now=NOW)
            bookings_of(s, actor, school_id, year)
            pupil_spend(s, actor, school_id, world["year_id"])
        coordinator_ms.append(time.perf_counter() - t)
    operator_ms: list[float] = []
    for _ in range(10):
        t = time.perf_counter()
        with read_session(engine) as s:
            operator_report(s, SYSTEM, world["year_id"], unspent_on=date(YEAR, 6, 1))
        operator_ms.append(time.perf_counter() - t)
    assert_culture_invariants(engine)
    return {
        "schools": schools,
        "pupils": schools * pupils,
        "setup_s": round(setup, 1),
        "bookings": len(book_ms),
        "booking_p50_ms": _p(book_ms, 50),
        "booking_p95_ms": _p(book_ms, 95),
        "coordinator_screen_p50_ms": _p(coordinator_ms, 50),
        "coordinator_screen_p95_ms": _p(coordinator_ms, 95),
        "operator_report_p50_ms": _p(operator_ms, 50),
        "operator_report_p95_ms": _p(operator_ms, 95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--schools", type=int, default=1000)
    parser.add_argument("--pupils", type=int, default=300, help="per school")
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    print(f"# {platform.platform()}, {platform.machine()}, python {platform.python_version()}")
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            upgrade(url)
            engine = make_engine(url)
            result = measure(engine, args.schools, args.pupils, args.bookings)
            print(json.dumps({"db": "sqlite", **result}))
            engine.dispose()
    if args.db in ("postgres", "both"):
        cluster = PostgresCluster(durable=True).start()
        try:
            cluster.execute("CREATE DATABASE bench")
            upgrade(cluster.url("bench"))
            engine = make_engine(cluster.url("bench"))
            result = measure(engine, args.schools, args.pupils, args.bookings)
            print(json.dumps({"db": "postgres", **result}))
            engine.dispose()
        finally:
            cluster.stop()


if __name__ == "__main__":
    main()
