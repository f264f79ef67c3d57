"""Ledger throughput: accepts with holds per second and attendance captures per second.

    .venv/bin/python -m bench.ledger [--children 10000] [--workers 1] [--db sqlite|postgres|both]
    .venv/bin/python -m bench.ledger --registers [--groups 30] [--processes 1 4]

Every accept and every mark is its own transaction through the domain service, as the app
does it. PostgreSQL is a throwaway cluster with fsync on (production settings); SQLite is a
WAL file on local disk. Setup (children, certificates, applications) is not timed.

`--registers` measures register saves on PostgreSQL instead: one save marks one lesson for
the 30 children of a group in one transaction (`mark_lesson`, as the register page and the
provider API save it), every child present, so 30 captures. It runs with 1 and with N
worker processes (each its own groups, as providers work on their own registers), and
beside each, in the same run, the floor: the same row locks, inserts and counter updates
as plain SQL through psycopg, with nothing else (no ORM, no checks). The service path's
captures/s over the floor's is the figure to read: absolute rates differ between machines.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.children import add_child
from navigator.domain.accounts.models import Role
from navigator.domain.certificates.api import fund_certificate, issue_certificate
from navigator.domain.certificates.verification import Identity, decide_request, request_identity
from navigator.domain.enrollment.api import accept_application, apply_to_group
from navigator.domain.enrollment.attendance import mark_attendance, mark_lesson
from navigator.domain.enrollment.models import Enrollment
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
from seed.identifiers import snils
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
    for n in range(children):  # a family's request each: the lock order holds per request
        with transaction(engine) as s:
            if n % CHILDREN_PER_PARENT == 0:
                parent = Actor.user(create_user(s, f"p{n}@bench.example", "bench password 1").id)
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
            # verified by the municipality before any certificate, as every child is
            request = request_identity(
                s,
                parent,
                child.id,
                Identity(child.first_name, child.last_name, child.birth_date, snils(n + 1)),
            )
            decide_request(s, SYSTEM, request.id, "approve")
            certificate = issue_certificate(s, parent, child.id, today=FIRST_DAY)
            fund_certificate(s, parent, certificate.id, period_id, today=FIRST_DAY)
            child_id = child.id
        with transaction(engine) as s:
            group_id = groups[n // seats_per_group]
            applications.append(apply_to_group(s, parent, child_id, group_id, today=FIRST_DAY).id)
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


# ---------------------------------------------------------------- register saves

GROUP_SIZE = 30


def _accepted_groups(engine: Engine, groups: int) -> tuple[Actor, dict[int, list[int]]]:
    """`groups` groups of 30 funded children, all accepted (their holds placed)."""
    staff, applications = build(engine, groups * GROUP_SIZE, seats_per_group=GROUP_SIZE)
    for first in range(0, len(applications), SETUP_BATCH):
        for enrollment_id in applications[first : first + SETUP_BATCH]:
            with transaction(engine) as s:
                accept_application(s, staff, enrollment_id, today=FIRST_DAY)
    by_group: dict[int, list[int]] = {}
    with transaction(engine) as s:
        for row in s.exec(select(Enrollment.id, Enrollment.group_id)).all():
            by_group.setdefault(row[1], []).append(row[0])
    return staff, by_group


def _service_saves(
    url: str, staff_id: int, work: list[tuple[int, list[int], date]]
) -> tuple[list[float], int]:
    """Register saves through the domain service, each one transaction (as the app); their
    latencies and the SQL statements they sent."""
    engine = make_engine(url, pool_size=2)
    staff = Actor.user(staff_id)
    latencies = []
    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    for group_id, enrollments, day in work:
        started = time.perf_counter()
        with transaction(engine) as s:
            marked = mark_lesson(
                s, staff, group_id, day, dict.fromkeys(enrollments, "present"), today=LESSONS[-1]
            )
        latencies.append(time.perf_counter() - started)
        assert marked == len(enrollments)
    engine.dispose()
    return latencies, statements


LOCK_PLACES = """
    SELECT e.id, e.account_id, e.certificate_share_minor, e.funded_lessons, e.lessons_charged,
           e.held_minor, e.captured_minor, e.released_minor, c.guardian_id
    FROM enrollment e JOIN child c ON c.id = e.child_id
    WHERE e.id = ANY(%s) ORDER BY e.id FOR NO KEY UPDATE OF e"""


def _floor_saves(
    url: str, staff_id: int, work: list[tuple[int, list[int], date]]
) -> tuple[list[float], int]:
    """The same saves as plain SQL: lock the places (id order), then per child insert the
    mark, lock its account, move held to captured, append the ledger entry and the
    notification, and update the place's counters. One transaction a save."""
    import psycopg
    from psycopg.types.json import Jsonb

    from navigator.domain.enrollment.terms import lesson_share

    latencies = []
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        statements = 0
        execute = conn.execute

        def counted(*args, **kwargs):
            nonlocal statements
            statements += 1
            return execute(*args, **kwargs)

        conn.execute = counted  # type: ignore[method-assign]
        for _group_id, enrollments, day in work:
            started = time.perf_counter()
            with conn.transaction():
                places = conn.execute(LOCK_PLACES, (enrollments,)).fetchall()
                for (enrollment_id, account_id, share_total, lessons, charged, held,
                     captured, released, guardian) in places:  # fmt: skip
                    attendance_id = conn.execute(
                        "INSERT INTO attendance (enrollment_id, lesson_date, status,"
                        " charged_minor, marked_by_id, marked_at)"
                        " VALUES (%s, %s, 'present', 0, %s, now()) RETURNING id",
                        (enrollment_id, day, staff_id),
                    ).fetchone()[0]
                    share = min(
                        lesson_share(share_total, lessons, charged + 1),
                        held - captured - released,
                    )
                    conn.execute(
                        "SELECT id FROM certificate_account WHERE id = %s FOR NO KEY UPDATE",
                        (account_id,),
                    )
                    conn.execute(
                        "UPDATE certificate_account SET held_minor = held_minor - %s,"
                        " captured_minor = captured_minor + %s WHERE id = %s",
                        (share, share, account_id),
                    )
                    entry_id = conn.execute(
                        "INSERT INTO ledger_entry (account_id, kind, amount_minor,"
                        " idempotency_key, actor_id, enrollment_id, attendance_id, note,"
                        " created_at) VALUES (%s, 'capture', %s, %s, %s, %s, %s, '', now())"
                        " RETURNING id",
                        (account_id, share, f"capture:{enrollment_id}:{day.isoformat()}",
                         staff_id, enrollment_id, attendance_id),
                    ).fetchone()[0]  # fmt: skip
                    conn.execute(
                        "INSERT INTO notification (user_id, kind, payload, created_at)"
                        " VALUES (%s, 'certificate.capture', %s, now())",
                        (guardian, Jsonb({"entry_id": entry_id, "account_id": account_id,
                                          "amount_minor": share,
                                          "enrollment_id": enrollment_id})),
                    )  # fmt: skip
                    conn.execute(
                        "UPDATE attendance SET charged_minor = %s WHERE id = %s",
                        (share, attendance_id),
                    )
                    conn.execute(
                        "UPDATE enrollment SET lessons_charged = lessons_charged + 1,"
                        " captured_minor = captured_minor + %s, status = 'active' WHERE id = %s",
                        (share, enrollment_id),
                    )
            latencies.append(time.perf_counter() - started)
    return latencies, statements


def _worker(args: tuple) -> tuple[list[float], int]:
    kind, url, staff_id, work, barrier = args
    barrier.wait()  # every process starts together
    return (_service_saves if kind == "service" else _floor_saves)(url, staff_id, work)


def _in_processes(kind: str, url: str, staff_id: int, work: list, processes: int) -> dict:
    """`processes` OS processes, each saving the registers of its own groups, together."""
    groups = sorted({item[0] for item in work})
    shares = [[item for item in work if item[0] in groups[i::processes]] for i in range(processes)]
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier = manager.Barrier(processes + 1)
        with context.Pool(processes) as pool:
            pending = pool.map_async(
                _worker, [(kind, url, staff_id, share, barrier) for share in shares]
            )
            barrier.wait()
            started = time.perf_counter()
            results = pending.get()
            seconds = time.perf_counter() - started
    latency = [x for latencies, _statements in results for x in latencies]
    captures = sum(len(item[1]) for item in work)
    return {
        "saves": len(work),
        "captures": captures,
        "captures_per_s": round(captures / seconds, 1),
        "statements_per_save": round(sum(n for _l, n in results) / len(work), 1),
        "save_p50_ms": round(statistics.median(latency) * 1000, 1),
        "save_p95_ms": round(statistics.quantiles(latency, n=20)[18] * 1000, 1),
    }


def measure_registers(groups: int, processes: list[int]) -> list[dict]:
    """For each process count: the service path, then the floor, each on fresh groups."""
    cluster = PostgresCluster(durable=True).start()
    try:
        cluster.execute("CREATE DATABASE bench")
        url = cluster.url("bench")
        upgrade(url)
        engine = make_engine(url, pool_size=4)
        phases = [(kind, n) for n in processes for kind in ("service", "floor")]
        staff, by_group = _accepted_groups(engine, groups * len(phases))
        engine.dispose()
        assert staff.user_id is not None
        ordered = sorted(by_group)
        rows = []
        for index, (kind, n) in enumerate(phases):
            mine = ordered[index :: len(phases)]  # interleaved: alike rows for every phase
            work = [(g, sorted(by_group[g]), day) for g in mine for day in LESSONS]
            measured = _in_processes(kind, url, staff.user_id, work, n)
            rows.append({"path": kind, "processes": n, **measured})
        engine = make_engine(url)
        assert_ledger_invariants(engine)  # the floor's rows hold them too
        engine.dispose()
        for row in rows:
            floor = next(
                r for r in rows if r["path"] == "floor" and r["processes"] == row["processes"]
            )
            row["of_floor"] = round(row["captures_per_s"] / floor["captures_per_s"], 2)
        return rows
    finally:
        cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--registers", action="store_true", help="register saves vs the floor")
    parser.add_argument("--groups", type=int, default=30, help="--registers: groups a phase")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args()
    print(f"# {platform.platform()}, {platform.machine()}, python {platform.python_version()}")
    if args.registers:
        print(f"# {os.cpu_count()} cpus, load average {os.getloadavg()}")
        for row in measure_registers(args.groups, args.processes):
            print(json.dumps({"db": "postgres", **row}))
        return
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
