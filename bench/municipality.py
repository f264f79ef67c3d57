"""The municipality's heavy paths: accepting under the budget check, and the five reports.

    .venv/bin/python -m bench.municipality [--enrollments 5000] [--db sqlite|postgres|both]

Setup (not timed): a municipality with `enrollments` funded children, each with an
application (bench.ledger.build). Then:
- acceptance: `accept_application` one per transaction, as a provider clicks Accept; each
  sums the period's commitments under the period lock (the budget check). p50 / p95 over all.
- reports: after the first lesson of every group is marked, each of the five reports for
  the period, 10 runs each; p50 / p95.
"""

from __future__ import annotations

import time

from sqlmodel import select

from bench.ledger import FIRST_DAY, LESSONS, build
from bench.provider import main as run_benchmark
from bench.provider import percentiles
from navigator.domain.accounts.access import Actor
from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.attendance import mark_lesson
from navigator.domain.enrollment.models import Enrollment
from navigator.domain.funding import reports
from navigator.domain.funding.models import FundingPeriod
from navigator.domain.shared.db import read_session, transaction
from tests.support.invariants import assert_ledger_invariants

ADMIN = Actor.system()  # the operator: an administrator of every municipality


def measure(engine, enrollments: int) -> dict:
    staff, applications = build(engine, enrollments, seats_per_group=30)
    accepts = []
    for enrollment_id in applications:
        started = time.perf_counter()
        with transaction(engine) as s:
            accept_application(s, staff, enrollment_id, today=FIRST_DAY)
        accepts.append((time.perf_counter() - started) * 1000)
    with read_session(engine) as s:
        by_group: dict[int, list[int]] = {}
        for e in s.exec(select(Enrollment)).all():
            by_group.setdefault(e.group_id, []).append(e.id)
        period_id = s.exec(select(FundingPeriod.id)).one()
    for group_id, ids in by_group.items():
        with transaction(engine) as s:
            statuses = {e: "present" for e in ids}
            mark_lesson(s, staff, group_id, LESSONS[0], statuses, today=LESSONS[-1])
    timings = {}
    for name in reports.REPORTS:
        samples = []
        for _ in range(10):
            started = time.perf_counter()
            with read_session(engine) as s:
                report = reports.build(s, ADMIN, name, period_id)
            samples.append((time.perf_counter() - started) * 1000)
        timings[f"report_{name}_ms"] = {**percentiles(samples), "rows": len(report.rows)}
    assert_ledger_invariants(engine)
    return {"enrollments": len(applications), "accept_ms": percentiles(accepts), **timings}


def main() -> None:
    run_benchmark(measure, __doc__)


if __name__ == "__main__":
    main()
