"""The enrollment rush: simulated parents and providers against the running app.

    .venv/bin/python -m bench.rush --db sqlite|postgres [--sessions 1000] [--ramp 120]
        [--hold 60] [--seats 300] [--groups 10]
    .venv/bin/python -m bench.rush --db postgres --workers 2 …  # the cluster's topology
    .venv/bin/python -m bench.rush --target http://localhost:8080 --database-url URL \
        --log PATH [--log PATH…] [--pids NAME=PID,PID…]      # an app someone else started

Without `--target` it makes a throwaway database (a SQLite file, or a PostgreSQL cluster
with fsync on), a throwaway Meilisearch, seeds the demo catalog (400 programs) and the
rush's world (bench/rush/world.py), and starts the app as `navigator run` does (prod
build, one backend process). With `--workers N` (PostgreSQL only) it starts instead what
`make run-cluster` starts: N worker processes sharing state in Redis behind nginx
(navigator/cluster.py), on the same throwaway PostgreSQL and Meilisearch; `--workers 1`
is the same topology with one worker, the fair baseline for N. With `--target` the world
is made in the given database (which must be migrated and served by that app) and the
logs named are checked.

Prints one JSON line: figures, CPU per process (in cores, averaged over the load),
checks. Exits 1 when a check fails (oversold seats, raw errors, a parent not told why,
ledger invariants).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
from contextlib import ExitStack
from pathlib import Path

from bench.common import machine
from bench.rush.checks import check
from bench.rush.cpu import SELF, CpuMeter
from bench.rush.indexing import IndexingMeter
from bench.rush.load import Pace, Rush, wait_for_index
from bench.rush.world import World, build_world, catalog_size
from navigator.domain.shared.db import make_engine
from navigator.domain.shared.migrate import upgrade

APP_START_TIMEOUT = 600


def run_load(
    url: str, world: World, args, roots: dict[str, list[int]], indexing: IndexingMeter | None
) -> tuple[dict, dict, list]:
    meter = CpuMeter({**roots, SELF: [os.getpid()]})
    rush = Rush(
        url,
        world,
        sessions=args.sessions,
        ramp_seconds=args.ramp,
        hold_seconds=args.hold,
        pace=Pace().scaled(args.pace),
    )
    meter.start()
    if indexing:
        indexing.start()
    figures = asyncio.run(rush.run())
    cpu = meter.report()
    if indexing:
        figures["meilisearch_indexing"] = indexing.report()
    return figures, cpu, rush.stats.outcomes


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--parents", type=int, default=0, help="made in setup (≥ sessions)")
    parser.add_argument("--ramp", type=float, default=120.0, help="seconds to start them all")
    parser.add_argument("--hold", type=float, default=60.0, help="seconds after the ramp")
    parser.add_argument("--seats", type=int, default=300)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--pace", type=float, default=1.0, help="scales every pause")
    parser.add_argument("--form-sign-in", type=float, default=0.2,
                        help="share of parents who sign in through the form")  # fmt: skip
    parser.add_argument("--programs", type=int, default=400, help="the demo catalog around")
    parser.add_argument("--workers", type=int, default=0,
                        help="the cluster's topology, N workers (--db postgres)")  # fmt: skip
    parser.add_argument("--background-process", action="store_true",
                        help="with --workers: the relay and jobs in their own process")  # fmt: skip
    parser.add_argument("--target", help="an app already running (e.g. make run-cluster)")
    parser.add_argument("--database-url", help="with --target: the database it serves")
    parser.add_argument("--log", action="append", default=[], help="with --target: its logs")
    parser.add_argument("--pids", action="append", default=[],
                        help="with --target: NAME=PID,PID… process trees to meter")  # fmt: skip
    parser.add_argument("--world", type=Path, help="write the world's JSON here")
    args = parser.parse_args()
    args.parents = max(args.parents, args.sessions)
    if args.workers and args.db != "postgres":
        parser.error("--workers needs --db postgres: workers share one database server")
    if args.background_process and not args.workers:
        parser.error("--background-process needs --workers: it is the cluster's")
    started = f"cluster of {args.workers} workers" if args.workers else "one process"
    info = {"machine": machine(), "db": args.db, "target": args.target or f"{started}, here"}

    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rush-")))
        if args.target:
            url, database_url = args.target.rstrip("/"), args.database_url
            logs = [Path(p) for p in args.log]
            roots = {
                name: [int(p) for p in pids.split(",")]
                for name, pids in (item.split("=", 1) for item in args.pids)
            }
            engine = make_engine(database_url)
            world = build_world(
                engine,
                parents=args.parents,
                seats=args.seats,
                groups=args.groups,
                form_sign_in_share=args.form_sign_in,
            )
            wait_for_index(url, catalog_size(engine))  # the app's relay indexes the world
            indexing = None  # its Meilisearch's key is not ours
        else:
            url, database_url, logs, roots, engine, world, meili = start_everything(
                stack, tmp, args
            )
            indexing = IndexingMeter(meili.url, meili.master_key)
        if args.world:
            world.save(args.world)
        info["setup_done_load_average"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        figures, cpu, outcomes = run_load(url, world, args, roots, indexing)
        info["after_load_average"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        checks = check(engine, world, outcomes, logs)
        engine.dispose()
    print(json.dumps({**info, **figures, "cpu_cores": cpu, "checks": checks}, ensure_ascii=False))
    raise SystemExit(0 if checks["passed"] else 1)


CLUSTER_PORT = 18470


def start_everything(stack: ExitStack, tmp: Path, args):
    """A throwaway database and Meilisearch, the seeded catalog and world, and the app."""
    from navigator.devserver import app_environment, start_app, stop_app, wait_until_serving
    from navigator.settings import get_settings
    from search.server import free_port, throwaway_server
    from seed.demo import seed_demo

    roots: dict[str, list[int]] = {}
    if args.db == "postgres":
        from tests.support.postgres import PostgresCluster

        cluster = PostgresCluster(durable=True).start()
        stack.callback(cluster.stop)
        cluster.execute("CREATE DATABASE rush")
        database_url = cluster.url("rush")
        postmaster = (cluster.data_dir / "postmaster.pid").read_text().split()[0]
        roots["postgres"] = [int(postmaster)]
        pg_log = cluster.root / "log"
    else:
        database_url = f"sqlite:///{tmp / 'rush.db'}"
        pg_log = None
    upgrade(database_url)
    engine = make_engine(database_url)
    seed_demo(engine, programs=args.programs)
    world = build_world(engine, parents=args.parents, seats=args.seats, groups=args.groups,
                        form_sign_in_share=args.form_sign_in)  # fmt: skip
    expected = catalog_size(engine)

    meili = stack.enter_context(throwaway_server(tmp))
    assert meili.process is not None
    roots["meilisearch"] = [meili.process.pid]
    if args.workers:
        url, logs = _start_cluster(
            stack, tmp, args.workers, database_url, meili, roots, args.background_process
        )
        wait_for_index(url, expected)
        if pg_log is not None:
            stack.callback(lambda: print(f"# postgres log ERROR lines: {_errors_in(pg_log)}"))
        return url, database_url, logs, roots, engine, world, meili
    env = app_environment(meili.url, meili.master_key)
    env["DATABASE_URL"] = database_url
    env["REFLEX_WEB_WORKDIR"] = str(get_settings().var_dir / "bench" / "web")
    env["REFLEX_STATES_WORKDIR"] = str(tmp / "states")
    port = free_port()
    url = f"http://localhost:{port}"
    log_path = tmp / "app.log"
    log = stack.enter_context(log_path.open("wb"))
    process = start_app(port, env, output=log)
    stack.callback(stop_app, process)
    roots["app (reflex backend)"] = [process.pid]
    wait_until_serving(url, process, APP_START_TIMEOUT)
    wait_for_index(url, expected)
    keep = Path(os.environ.get("RUSH_KEEP_LOG", "")) if os.environ.get("RUSH_KEEP_LOG") else None
    if keep:
        stack.callback(lambda: keep.write_bytes(log_path.read_bytes()))
    logs = [log_path]
    if pg_log is not None:
        stack.callback(lambda: print(f"# postgres log ERROR lines: {_errors_in(pg_log)}"))
    return url, database_url, logs, roots, engine, world, meili


def _start_cluster(
    stack: ExitStack, tmp: Path, workers: int, database_url: str, meili, roots, background=False
):
    """`make run-cluster`'s topology on this run's database and Meilisearch: its own Redis,
    nginx and `workers` worker processes (its frontend build kept apart in var/bench)."""
    from navigator.cluster import Cluster, ClusterError
    from navigator.settings import get_settings
    from search.server import free_port, port_is_free

    # the same address run after run, so the exported page (which names it) is exported once
    port = CLUSTER_PORT if port_is_free("127.0.0.1", CLUSTER_PORT) else free_port()
    cluster = Cluster(
        tmp / "cluster",
        workers=workers,
        port=port,
        database_url=database_url,
        meili=(meili.url, meili.master_key),
        web_dir=get_settings().var_dir / "bench" / "cluster-web",
        seed_programs=None,  # seeded above, with the world
        restart=False,  # a worker that dies is a finding, not something to hide
        background=background,
    )
    try:
        cluster.start()
    except ClusterError as error:
        raise SystemExit(f"the cluster did not start: {error}") from error
    stack.callback(cluster.stop)
    roots["workers (reflex backends)"] = [w.pid for w in cluster.worker_list if w.pid]
    if cluster.background_process is not None and cluster.background_process.process:
        roots["background (relay, jobs)"] = [cluster.background_process.process.pid]
    for name, server in (("redis", cluster.redis), ("nginx", cluster.nginx)):
        if server.process is not None:
            roots[name] = [server.process.pid]
    keep = Path(os.environ["RUSH_KEEP_LOG"]) if os.environ.get("RUSH_KEEP_LOG") else None
    if keep:  # the workers' logs, one after the other
        stack.callback(
            lambda: keep.write_bytes(b"".join(w.log_path.read_bytes() for w in cluster.worker_list))
        )
    logs = [w.log_path for w in cluster.worker_list]
    if cluster.background_process is not None:
        logs.append(cluster.background_process.log_path)
    return cluster.url, logs


def _errors_in(path: Path) -> int:
    return sum(1 for line in path.read_text(errors="replace").splitlines() if "ERROR:" in line)


if __name__ == "__main__":
    main()
