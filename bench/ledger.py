"""Ledger throughput: accepts with holds per second and attendance captures per second.

    .venv/bin/python -m bench.ledger [--children 10000] [--workers 1] [--db sqlite|postgres|both]

Every accept and every mark is its own transaction through the domain service, as the app
does it. PostgreSQL is a throwaway cluster with fsync on (production settings); SQLite is a
WAL file on local disk. Setup (children, certificates, applications) is not timed.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.children import add_child
from navigator.domain.accounts.models import Role
from navigator.domain.certificates.api import fund_certificate, issue_certificate
from navigator.domain.enrollment.api import accept_application, apply_to_group
from navigator.domain.enrollment.attendance import mark_attendance
from navigator.domain.funding.models import PeriodStatus
from navigator.domain.funding.nominal import add_nominal_rule
from navigator.domain.funding.periods import create_period
from navigator.domain.municipalities.api import create_municipality
from navigator.domain.programs.api import ProgramFields, create_group, create_program
from navigator.domain.programs.certification import set_certification
from navigator.domain.programs.models import CertificationStatus
from navigator.domain.providers.api import admit_provider, create_provider
from navigator.domain.shared.db import make_engine, transaction
from navigator.domain.shared.migrate import upgrade
from tests.support.invariants import assert_ledger_invariants
from tests.support.postgres import PostgresCluster

SYSTEM = Actor.system()
FIRST_DAY = date(2026, 9, 7)  # a Monday
LESSONS = [FIRST_DAY + timedelta(days=d) for d in (0, 2, 4, 7, 9)]  # Mon Wed Fri Mon Wed
SEATS_PER_GROUP = 20
CHILDREN_PER_PARENT = 10  # an account holds at most 12 children
SETUP_BATCH = 250


def build(
    engine: Engine, children: int, seats_per_group: int = SEATS_PER_GROUP
) -> tuple[Actor, list[int]]:
    """A municipality, one certified program with enough 5-lesson groups, and `children`
    funded children, each with an application waiting to be accepted."""
    with transaction(engine) as s:
        town = create_municipality(
            s,
            code="bench",
            name="Bench",
            country="RU",
            currency="RUB",
            locale="ru",
            timezone="Europe/Moscow",
        )
        period = create_period(
            s,
            SYSTEM,
            town.id,
            name="2026/27",
            starts_on=date(2026, 9, 1),
            ends_on=date(2027, 8, 31),
            budget_minor=children * 1_000_000,
            max_funded_certificates=children,
            status=PeriodStatus.OPEN,
        )
        add_nominal_rule(s, SYSTEM, period.id, age_min=5, age_max=17, amount_minor=1_000_000)
        provider = create_provider(
            s, municipality_id=town.id, name="Bench school", kind="municipal"
        )
        admit_provider(s, SYSTEM, provider.id)
        staff = Actor.user(
            create_user(
                s,
                "staff@bench.example",
                "bench password 1",
                roles=((Role.PROVIDER_STAFF, None, provider.id),),
            ).id
        )
        program = create_program(
            s,
            staff,
            provider.id,
            ProgramFields(
                title="Шахматы", direction="physical_sports", age_min=5, age_max=17, language="ru"
            ),
        )
        groups = [
            create_group(
                s,
                staff,
                program.id,
                name=f"G{g}",
                timetable=[{"weekday": d, "start": "16:00", "end": "17:00"} for d in (1, 3, 5)],
                starts_on=LESSONS[0],
                ends_on=LESSONS[-1],
                seats=seats_per_group,
                price_per_lesson_minor=50_000,
                today=FIRST_DAY,  # the bench's clock, like every call below
            ).id
            for g in range(-(-children // seats_per_group))
        ]
        town_id, period_id, program_id = town.id, period.id, program.id
    with transaction(engine) as s:  # certified once its groups and prices exist
        set_certification(s, staff, program_id, CertificationStatus.SUBMITTED)
    with transaction(engine) as s:
        set_certification(s, SYSTEM, program_id, CertificationStatus.CERTIFIED)

    applications: list[int] = []
    parent: Actor | None = None
    for first in range(0, children, SETUP_BATCH):
        with transaction(engine) as s:
            for n in range(first, min(children, first + SETUP_BATCH)):
                if n % CHILDREN_PER_PARENT == 0:
                    parent = Actor.user(
                        create_user(s, f"p{n}@bench.example", "bench password 1").id
                    )
                assert parent is not None and parent.user_id is not None
                child = add_child(
                    s,
                    parent,
                    guardian_id=parent.user_id,
                    municipality_id=town_id,
                    first_name="Иван",
                    last_name=f"Бенч {n}",
                    birth_date=date(2016, 1, 1),
                )
                certificate = issue_certificate(s, parent, child.id, today=FIRST_DAY)
                fund_certificate(s, parent, certificate.id, period_id, today=FIRST_DAY)
                applications.append(
                    apply_to_group(
                        s, parent, child.id, groups[n // seats_per_group], today=FIRST_DAY
                    ).id
                )
    return staff, applications


def timed(calls, workers: int) -> tuple[float, list[float]]:
    latencies: list[float] = []

    def run(call):
        started = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    if workers == 1:
        for call in calls:
            run(call)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, calls))
    return time.perf_counter() - started, latencies


def measure(engine: Engine, children: int, workers: int) -> dict[str, float]:
    staff, applications = build(engine, children)

    def accept(enrollment_id: int):
        def call():
            with transaction(engine) as s:
                accept_application(s, staff, enrollment_id, today=FIRST_DAY)

        return call

    def mark(enrollment_id: int, day: date):
        def call():
            with transaction(engine) as s:
                mark_attendance(s, staff, enrollment_id, day, "present", today=day)

        return call

    accept_seconds, accept_latency = timed([accept(e) for e in applications], workers)
    marks = [mark(e, day) for day in LESSONS for e in applications]
    mark_seconds, mark_latency = timed(marks, workers)
    assert_ledger_invariants(engine)
    return {
        "accepts": len(applications),
        "accepts_per_s": round(len(applications) / accept_seconds, 1),
        "accept_p50_ms": round(statistics.median(accept_latency) * 1000, 2),
        "accept_p95_ms": round(statistics.quantiles(accept_latency, n=20)[18] * 1000, 2),
        "marks": len(marks),
        "captures_per_s": round(len(marks) / mark_seconds, 1),
        "capture_p50_ms": round(statistics.median(mark_latency) * 1000, 2),
        "capture_p95_ms": round(statistics.quantiles(mark_latency, n=20)[18] * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    print(f"# {platform.platform()}, {platform.machine()}, python {platform.python_version()}")
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            upgrade(url)
            engine = make_engine(url)
            print(
                json.dumps(
                    {
                        "db": "sqlite",
                        "workers": args.workers,
                        **measure(engine, args.children, args.workers),
                    }
                )
            )
            engine.dispose()
    if args.db in ("postgres", "both"):
        cluster = PostgresCluster(durable=True).start()
        try:
            cluster.execute("CREATE DATABASE bench")
            upgrade(cluster.url("bench"))
            engine = make_engine(cluster.url("bench"), pool_size=args.workers + 2)
            print(
                json.dumps(
                    {
                        "db": "postgres",
                        "workers": args.workers,
                        **measure(engine, args.children, args.workers),
                    }
                )
            )
            engine.dispose()
        finally:
            cluster.stop()


if __name__ == "__main__":
    main()
