"""E-journal uploads: what one upload of a group's 30 marks costs on PostgreSQL.

    .venv/bin/python -m bench.upload [--groups 6]

The provider API's attendance upload (`record_upload`, as `POST /api/v1/provider/attendance`
calls it) for `--groups` groups of 30 funded children, one upload a group and lesson date
(every child present, so 30 captures), each its own transaction, one after another; then
the same uploads again, which find every mark made and change nothing. Reported: the
statements an upload sends and its latency. PostgreSQL is a throwaway cluster with fsync on;
the setup (children, certificates, acceptances) is bench.ledger's and is not timed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

from sqlalchemy import event
from sqlmodel import select

from bench.ledger import LESSONS, _accepted_groups
from navigator.domain.enrollment.attendance import UploadedMark, record_upload
from navigator.domain.programs.models import Program
from navigator.domain.shared.db import make_engine, transaction
from navigator.domain.shared.migrate import upgrade
from tests.support.invariants import assert_ledger_invariants
from tests.support.postgres import PostgresCluster


def measure(groups: int) -> list[dict]:
    cluster = PostgresCluster(durable=True).start()
    try:
        cluster.execute("CREATE DATABASE bench")
        url = cluster.url("bench")
        upgrade(url)
        engine = make_engine(url, pool_size=2)
        staff, by_group = _accepted_groups(engine, groups)
        with transaction(engine) as s:
            provider_id = s.exec(select(Program.provider_id)).one()
        statements = 0

        def count(*_args: object) -> None:
            nonlocal statements
            statements += 1

        event.listen(engine, "before_cursor_execute", count)
        rows = []
        for run in ("new marks", "the same again"):
            latencies, sent, outcomes = [], [], []
            for day in LESSONS:
                for group_id in sorted(by_group):
                    marks = [UploadedMark(e, day, "present") for e in sorted(by_group[group_id])]
                    statements = 0
                    started = time.perf_counter()
                    with transaction(engine) as s:
                        outcome = record_upload(s, staff, provider_id, marks, today=LESSONS[-1])
                    latencies.append(time.perf_counter() - started)
                    sent.append(statements)
                    outcomes.append((outcome.marked, outcome.unchanged, len(outcome.refused)))
            rows.append(
                {
                    "uploads": run,
                    "count": len(latencies),
                    "rows_each": len(marks),
                    "marked": sum(o[0] for o in outcomes),
                    "unchanged": sum(o[1] for o in outcomes),
                    "refused": sum(o[2] for o in outcomes),
                    "statements_each": round(statistics.mean(sent), 1),
                    "p50_ms": round(statistics.median(latencies) * 1000, 1),
                    "p95_ms": round(statistics.quantiles(latencies, n=20)[18] * 1000, 1),
                }
            )
        event.remove(engine, "before_cursor_execute", count)
        assert_ledger_invariants(engine)
        engine.dispose()
        return rows
    finally:
        cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--groups", type=int, default=6)
    args = parser.parse_args()
    print(f"# {platform.platform()}, python {platform.python_version()}")
    print(f"# {os.cpu_count()} cpus, load average {os.getloadavg()}")
    for row in measure(args.groups):
        print(json.dumps({"db": "postgres", **row}, ensure_ascii=False))
    print(f"# load average after {os.getloadavg()}")


if __name__ == "__main__":
    main()
