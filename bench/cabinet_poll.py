"""The open cabinets' poll: statements and milliseconds of one round for N open tabs.

    .venv/bin/python -m bench.cabinet_poll [--tabs 300] [--rounds 20] [--db postgres|sqlite]

Each tab is a parent signed in, with a child, a certificate and an application (every other
one accepted, every fourth accepted with a marked lesson). A round answers every tab once:
"one by one" as each tab polled until the batched poll (a session, `user_for_token`,
`cabinet_version`, per tab), "batched" as the worker's poll does now (`cabinet_versions_for`:
who the tokens sign in, then the fingerprints, a few statements for all). CPU is this
process's: what a worker spends on it. The database is a throwaway PostgreSQL (fsync off:
the round only reads) or a SQLite file.

To measure an older commit: extract it (`git archive <commit> navigator search seed tests
alembic.ini | tar -x -C <dir>`), copy this file into <dir> and run it from there with
`--only one-by-one` (the batched round needs the batched poll); run from bench/ itself, its
search.py would stand in for the `search` package.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

import navigator.domain.shared.db as db
from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.signin import start_session, user_for_token
from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.attendance import mark_attendance
from navigator.domain.enrollment.queries import cabinet_version
from navigator.domain.shared.db import make_engine, read_session
from navigator.domain.shared.migrate import upgrade
from navigator.domain.shared.models import utcnow
from tests.factories import build_world
from tests.support.postgres import PostgresCluster


def _tabs(engine: Engine, tabs: int) -> list[str]:
    """A session token per parent, each parent's cabinet with something in it."""
    world = build_world(engine, seats=tabs + 10, cap=tabs + 10, budget=(tabs + 10) * 2_000_000)
    tokens = []
    for n in range(tabs):
        parent, child_id, _certificate, _account = world.add_parent_with_child()
        enrollment_id = world.apply(child_id=child_id, parent=parent)
        with world.tx() as s:
            if n % 2 == 0:
                accept_application(s, world.provider_user, enrollment_id, today=world.today)
            if n % 4 == 0:
                mark_attendance(
                    s, world.provider_user, enrollment_id, world.today, "present", today=world.today
                )
            assert parent.user_id is not None
            tokens.append(start_session(s, parent.user_id, utcnow()).token)
    return tokens


def _one_by_one(tokens: list[str]) -> None:
    for token in tokens:
        with read_session() as session:
            user = user_for_token(session, token)
            if user is not None and user.id is not None:
                cabinet_version(session, Actor.user(user.id))


def _batched(tokens: list[str]) -> None:
    from navigator.state.cabinet_watch import cabinet_versions_for

    cabinet_versions_for(list(tokens))


def _measure(engine: Engine, round_of, tokens: list[str], rounds: int) -> dict[str, object]:
    round_of(tokens)  # connections open, statements compiled once
    statements = 0

    def count(*_args) -> None:
        nonlocal statements
        statements += 1

    walls, cpus = [], []
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(rounds):
            wall, cpu = time.perf_counter(), time.process_time()
            round_of(tokens)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return {
        "statements_per_round": round(statements / rounds, 1),
        "round_ms_p50": round(statistics.median(walls), 1),
        "round_ms_max": round(max(walls), 1),
        "cpu_ms_per_round": round(statistics.median(cpus), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tabs", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--only", choices=("one-by-one", "batched"))
    args = parser.parse_args()
    cluster = None
    with tempfile.TemporaryDirectory() as directory:
        if args.db == "postgres":
            cluster = PostgresCluster().start()
            cluster.execute("CREATE DATABASE bench")
            url = cluster.url("bench")
        else:
            url = f"sqlite:///{Path(directory) / 'bench.db'}"
        try:
            upgrade(url)
            engine = make_engine(url)
            db.get_engine = lambda: engine  # type: ignore[assignment]  # what read_session opens
            started = time.perf_counter()
            tokens = _tabs(engine, args.tabs)
            seeded = round(time.perf_counter() - started, 1)
            ways = {"one-by-one": _one_by_one, "batched": _batched}
            for name, round_of in ways.items():
                if args.only in (None, name):
                    figures = _measure(engine, round_of, tokens, args.rounds)
                    line = {"db": args.db, "tabs": args.tabs, "round": name, **figures}
                    print(json.dumps({**line, "seed_s": seeded}), flush=True)
            engine.dispose()
        finally:
            if cluster is not None:
                cluster.stop()


if __name__ == "__main__":
    main()
