"""The provider's heavy pages: saving a 30-child register for one date, a month's statement.

    .venv/bin/python -m bench.provider [--enrollments 5000] [--db sqlite|postgres|both]

Setup (not timed): one provider with `enrollments` accepted, funded children in groups of
30, through the domain services. Then:
- register save: `mark_lesson` for one date and all 30 children of a group, one
  transaction, as the register page saves it; p50 / p95 over 100 saves (20 groups × 5 dates);
- statement: after every lesson of every group is marked, `monthly_statement` for the month
  over all `enrollments`; p50 / p95 over 10 runs.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import select

from bench.ledger import FIRST_DAY, LESSONS, build
from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.attendance import mark_lesson
from navigator.domain.enrollment.models import Enrollment
from navigator.domain.enrollment.queries import monthly_statement
from navigator.domain.providers.queries import providers_of
from navigator.domain.shared.db import make_engine, read_session, transaction
from navigator.domain.shared.migrate import upgrade
from tests.support.invariants import assert_ledger_invariants
from tests.support.postgres import PostgresCluster

GROUP_SIZE = 30
TIMED_GROUPS = 20


def percentiles(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": round(cuts[49], 1), "p95": round(cuts[94], 1), "max": round(max(samples), 1)}


def measure(engine, enrollments: int) -> dict:
    staff, applications = build(engine, enrollments, seats_per_group=GROUP_SIZE)
    for first in range(0, len(applications), 250):
        with transaction(engine) as s:
            for enrollment_id in applications[first : first + 250]:
                accept_application(s, staff, enrollment_id, today=FIRST_DAY)
    with read_session(engine) as s:
        by_group: dict[int, list[int]] = {}
        for e in s.exec(select(Enrollment)).all():
            by_group.setdefault(e.group_id, []).append(e.id)
        provider_id = providers_of(s, staff)[0].id
    groups = sorted(by_group)
    after = LESSONS[-1]

    saves = []
    for group_id in groups[:TIMED_GROUPS]:
        for lesson in LESSONS:
            statuses = {e: ("present" if e % 7 else "absent") for e in by_group[group_id]}
            started = time.perf_counter()
            with transaction(engine) as s:
                marked = mark_lesson(s, staff, group_id, lesson, statuses, today=after)
            saves.append((time.perf_counter() - started) * 1000)
            assert marked == len(statuses)
    for group_id in groups[TIMED_GROUPS:]:
        for lesson in LESSONS:
            with transaction(engine) as s:
                mark_lesson(
                    s,
                    staff,
                    group_id,
                    lesson,
                    dict.fromkeys(by_group[group_id], "present"),
                    today=after,
                )

    statements = []
    for _ in range(10):
        started = time.perf_counter()
        with read_session(engine) as s:
            _currency, rows = monthly_statement(
                s, staff, provider_id, FIRST_DAY.year, FIRST_DAY.month
            )
        statements.append((time.perf_counter() - started) * 1000)
    assert_ledger_invariants(engine)
    return {
        "enrollments": len(applications),
        "groups": len(groups),
        "register_save_30_children_ms": percentiles(saves),
        "statement_ms": percentiles(statements),
        "statement_rows": len(rows),
        "statement_captured_minor": sum(r.captured_minor for r in rows),
    }


def main(measure=measure, description: str | None = __doc__) -> None:
    """Run `measure(engine, enrollments)` on a fresh SQLite and/or PostgreSQL; print JSON."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--enrollments", type=int, default=5000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    print(f"# {platform.platform()}, {platform.machine()}, python {platform.python_version()}")
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            upgrade(url)
            engine = make_engine(url)
            print(json.dumps({"db": "sqlite", **measure(engine, args.enrollments)}), flush=True)
            engine.dispose()
    if args.db in ("postgres", "both"):
        cluster = PostgresCluster(durable=True).start()
        try:
            cluster.execute("CREATE DATABASE bench")
            upgrade(cluster.url("bench"))
            engine = make_engine(cluster.url("bench"), pool_size=4)
            print(json.dumps({"db": "postgres", **measure(engine, args.enrollments)}), flush=True)
            engine.dispose()
        finally:
            cluster.stop()


if __name__ == "__main__":
    main()
