"""What the reads every event repeats cost a worker, in CPU per call.

Each event of a signed-in tab asks who its session token signs in (and the header's
cabinets); a catalog event reads the municipalities; the program page and the cabinet read a
family's children with their certificates. Under an enrollment rush these run thousands of
times a minute, so their Python work (building the statement, SQLAlchemy's cache key, loading
rows) is worker CPU that the other tabs wait for. This times them one at a time, on a quiet
database, as the rush's families have them (`bench.rush.world`).

    .venv/bin/python -m bench.event_reads [--db sqlite|postgres] [--calls 2000] [--rounds 3]

CPU is the process's own (`time.process_time`): what the database server spends is not in it
on PostgreSQL, and is on SQLite (in process). Compare commits by running this same file in a
worktree of each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any


def per_call(call: Callable[[], Any], calls: int, rounds: int) -> dict[str, float]:
    """Microseconds of CPU and of wall time per call: the median round of `rounds`."""
    cpu, wall = [], []
    for _ in range(rounds):
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        for _ in range(calls):
            call()
        cpu.append((time.process_time() - cpu_start) / calls * 1e6)
        wall.append((time.perf_counter() - wall_start) / calls * 1e6)
    return {"cpu_us": round(statistics.median(cpu)), "wall_us": round(statistics.median(wall))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="event-reads-"))
        if args.db == "postgres":
            from tests.support.postgres import PostgresCluster

            cluster = PostgresCluster(durable=True).start()
            stack.callback(cluster.stop)
            cluster.execute("CREATE DATABASE reads")
            database_url = cluster.url("reads")
        else:
            database_url = f"sqlite:///{tmp}/reads.db"
        os.environ["DATABASE_URL"] = database_url  # read_session's engine, as the app's
        print(json.dumps(measure(database_url, args.calls, args.rounds), ensure_ascii=False))


def measure(database_url: str, calls: int, rounds: int) -> dict[str, Any]:
    from bench.common import load_average, machine
    from bench.rush.world import build_world
    from navigator.domain.accounts.access import Actor
    from navigator.domain.accounts.models import User
    from navigator.domain.certificates.queries import children_of
    from navigator.domain.culture.access import header_person
    from navigator.domain.shared.db import get_engine, make_engine, read_session
    from navigator.domain.shared.migrate import upgrade
    from navigator.state import catalog
    from seed.demo import seed_demo

    upgrade(database_url)
    engine = make_engine(database_url)
    seed_demo(engine, programs=50)
    world = build_world(engine, parents=20, seats=30, groups=3, form_sign_in_share=0.0)
    parent = world.parents[0]
    with read_session(engine) as session:
        user = session.exec(User.__table__.select().where(User.email == parent.email)).first()
    assert user is not None
    actor = Actor.user(user.id)
    get_engine()  # the app's engine made before the clock starts

    def signed_in() -> None:
        with read_session() as session:
            assert header_person(session, parent.session_token) is not None

    def children() -> None:
        with read_session() as session:
            assert children_of(session, actor)[0].certificate is not None

    figures = {
        "machine": machine(),
        "db": database_url.split(":", 1)[0],
        "load_average": load_average(),
        "calls": calls,
        "rounds": rounds,
        "who is signed in (header_person)": per_call(signed_in, calls, rounds),
        "the municipalities (catalog._towns)": per_call(catalog._towns, calls, rounds),
        "a family's children (children_of)": per_call(children, calls, rounds),
    }
    figures["after_load_average"] = load_average()
    return figures


if __name__ == "__main__":
    main()
