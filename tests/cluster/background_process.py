"""One worker's background loops as a process of their own, for the failover tests and the
benchmark: `python -m tests.cluster.background_process relay|jobs DATABASE_URL [...]`.

`relay MEILI_URL KEY INDEX CULTURE_INDEX`: the search relay as the app runs it.
`jobs ROUNDS_FILE EVERY_SECONDS`: the scheduler as the app runs it; each round it runs is
written to ROUNDS_FILE as "pid monotonic-seconds" before the real round runs.
SIGTERM stops either loop.
"""

from __future__ import annotations

import os
import signal
import sys
import time

from navigator import jobs
from navigator.domain.shared.db import make_engine
from search.relay import Relay, make_client


def _relay(database_url: str, meili_url: str, key: str, uid: str, culture_uid: str) -> None:
    relay = Relay(
        make_engine(database_url),
        make_client(meili_url, key),
        uid=uid,
        culture_uid=culture_uid,
        standby_seconds=0.2,
    )
    signal.signal(signal.SIGTERM, lambda *_: relay.stop())
    relay.run()


def _jobs(database_url: str, rounds_file: str, every_seconds: str) -> None:
    real_round = jobs.run_due_jobs

    def counted_round(engine, now=None):  # type: ignore[no-untyped-def]
        with open(rounds_file, "a") as rounds:
            rounds.write(f"{os.getpid()} {time.monotonic():.3f}\n")
        return real_round(engine, now)

    jobs.run_due_jobs = counted_round  # the scheduler's real loop calls it by this name
    scheduler = jobs.Scheduler(make_engine(database_url), every_seconds=float(every_seconds))
    signal.signal(signal.SIGTERM, lambda *_: scheduler.stop())
    scheduler.run()


if __name__ == "__main__":
    mode, *arguments = sys.argv[1:]
    {"relay": _relay, "jobs": _jobs}[mode](*arguments)
