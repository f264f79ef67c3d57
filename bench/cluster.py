"""Failover with several workers: how long the catalog stands still when the relay's leader
dies, and what a parent's requests see when a worker dies behind the proxy.

    .venv/bin/python -m bench.cluster [--kills 5] [--relays 3] [--workers 2] [--settle 5]
                                      [--only relay|proxy]

Relay: `--relays` processes run the relay loop (as each app worker does) on a throwaway
PostgreSQL (durable settings) and Meilisearch. Each round writes an outbox row, SIGKILLs the
leader at once, and times (a) until another process leads and (b) until that row's program
is in the index. A standby tries to lead every second (`Relay.standby_seconds`).

Proxy: `navigator cluster`'s own code starts `--workers` workers behind nginx (no frontend)
with Redis. A client asks the catalog API in a loop while, `--kills` times, a worker is
SIGKILLed once every worker serves again (the cluster restarts it), `--settle` seconds
apart; it counts answers by status and times the longest gap between two answered requests.

Tab: the same cluster with its frontend; a tab (bench/rush's client, the page's own
protocol) opens the catalog, and the moment its page has answered, the worker that served
its socket is SIGKILLed. The tab reconnects with its token, as the browser does, and the
time until the other worker has hydrated it again is measured, with whether the tab kept its
token. Run it with and without `REFLEX_OPLOCK_ENABLED=1` in the environment: a worker that
holds Reflex's opportunistic lock when it dies leaves the tab's Redis lock to expire.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from functools import partial
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.engine import Engine

from navigator.cluster import UPSTREAM_HEADER, Cluster, ClusterError
from navigator.domain.shared.db import make_engine, read_session, transaction
from navigator.domain.shared.models import CatalogChange, utcnow
from navigator.settings import PROJECT_ROOT
from search.documents import catalog_program_ids
from search.relay import RELAY_LEADER_KEY, leader_pid, make_client, reindex
from search.server import free_port, throwaway_server
from seed.demo import seed_demo
from tests.support.postgres import PostgresCluster


def _percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    if not ordered:
        return "-"
    p50 = statistics.median(ordered)
    return f"p50 {p50:.2f} s, max {ordered[-1]:.2f} s (n={len(ordered)})"


def relay_failover(kills: int, relays: int) -> dict[str, list[float]]:
    pg = PostgresCluster(durable=True).start()
    meili = throwaway_server(Path(tempfile.mkdtemp(prefix="bench-meili-"))).start()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        pg.execute("CREATE DATABASE bench")
        from navigator.domain.shared.migrate import upgrade

        url = pg.url("bench")
        upgrade(url)
        engine = make_engine(url)
        seed_demo(engine, programs=kills * 4 + 10)
        with transaction(engine) as session:
            session.exec(delete(CatalogChange))  # type: ignore[call-overload]
        with read_session(engine) as session:
            ids = [i for batch in catalog_program_ids(session, 10_000) for i in batch]
        client = make_client(meili.url, meili.master_key)
        uid, culture_uid = "programs", "culture_services"
        reindex(engine, client, uid=uid, culture_uid=culture_uid)  # a live index, as in use

        relay_command = [sys.executable, "-m", "tests.cluster.background_process", "relay"]
        relay_command += [url, meili.url, meili.master_key, uid, culture_uid]

        def start() -> subprocess.Popen[bytes]:
            return subprocess.Popen(relay_command, cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL)

        processes += [start() for _ in range(relays)]
        to_leader: list[float] = []
        to_index: list[float] = []
        for round_number in range(kills):
            leader = _wait(lambda: leader_pid(engine, RELAY_LEADER_KEY, "search-relay"), 60)
            program_id = ids[1 + round_number]
            gone = client.index(uid).delete_document(program_id)  # only the row brings it back
            client.wait_for_task(gone.task_uid)
            with transaction(engine) as session:
                session.add(CatalogChange(program_id=program_id, created_at=utcnow()))
            killed_at = time.monotonic()
            os.kill(leader, signal.SIGKILL)
            _wait(partial(_new_leader, engine, leader), 60)
            to_leader.append(time.monotonic() - killed_at)
            _wait(partial(_in_index, client, uid, program_id), 60)
            to_index.append(time.monotonic() - killed_at)
            dead = next(p for p in processes if p.pid == leader)
            dead.wait()
            processes.remove(dead)
            processes.append(start())  # as the cluster restarts a worker
        engine.dispose()
        return {"new leader": to_leader, "row in index": to_index}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        meili.stop()
        pg.stop()


def _new_leader(engine: Engine, old: int) -> int | None:
    pid = leader_pid(engine, RELAY_LEADER_KEY, "search-relay")
    return pid if pid != old else None


def _in_index(client, uid: str, program_id: int) -> bool:
    try:
        client.index(uid).get_document(program_id)
        return True
    except Exception:
        return False


def _wait(condition, timeout: float):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.02)
    raise TimeoutError("the condition never held")


def _proxy_uses_all(cluster: Cluster) -> bool:
    seen = set()
    for _ in range(4 * len(cluster.worker_list)):
        with urllib.request.urlopen(f"{cluster.url}/ping", timeout=10) as answer:  # noqa: S310
            seen.add(answer.headers[UPSTREAM_HEADER])
    return seen == {w.address for w in cluster.worker_list}


def proxy_failover(workers: int, kills: int, settle_seconds: float) -> dict[str, object]:
    pg = PostgresCluster(durable=True).start()
    meili = throwaway_server(Path(tempfile.mkdtemp(prefix="bench-meili-"))).start()
    root = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    try:
        pg.execute("CREATE DATABASE bench")
        cluster = Cluster(
            root,
            workers=workers,
            port=free_port(),
            database_url=pg.url("bench"),
            meili=(meili.url, meili.master_key),
            frontend=False,
            seed_programs=100,
        )
        with cluster:
            statuses: Counter[str] = Counter()
            gaps: list[float] = []
            stop = threading.Event()

            def ask() -> None:
                last_ok = time.monotonic()
                while not stop.is_set():
                    try:
                        with urllib.request.urlopen(  # noqa: S310 (our own proxy)
                            f"{cluster.url}/api/v1/programs?per_page=1", timeout=10
                        ) as answer:
                            statuses[str(answer.status)] += 1
                        now = time.monotonic()
                        gaps.append(now - last_ok)
                        last_ok = now
                    except urllib.error.HTTPError as error:
                        statuses[str(error.code)] += 1
                    except (urllib.error.URLError, OSError) as error:
                        statuses[type(error).__name__] += 1

            client = threading.Thread(target=ask)
            client.start()
            try:
                for kill in range(kills):
                    for worker in cluster.worker_list:  # every worker back and in use
                        worker.wait_until_serving()
                    _wait(partial(_proxy_uses_all, cluster), 60)
                    victim = cluster.worker_list[kill % workers]
                    assert victim.pid is not None
                    os.killpg(victim.pid, signal.SIGKILL)
                    time.sleep(settle_seconds)  # the client keeps asking meanwhile
            finally:
                stop.set()
                client.join()
            restarts = sum(w.restarts for w in cluster.worker_list)
        return {
            "kills": kills,
            "restarts": restarts,
            "answers": dict(statuses),
            "longest gap": max(gaps) if gaps else None,
        }
    finally:
        meili.stop()
        pg.stop()


def tab_failover(workers: int, kills: int) -> dict[str, object]:
    import asyncio

    import httpx

    from bench.rush.__main__ import CLUSTER_PORT
    from bench.rush.protocol import Frontend, ProtocolError, Tab
    from navigator.settings import get_settings
    from search.server import port_is_free

    pg = PostgresCluster(durable=True).start()
    meili = throwaway_server(Path(tempfile.mkdtemp(prefix="bench-meili-"))).start()
    root = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    try:
        pg.execute("CREATE DATABASE bench")
        cluster = Cluster(
            root,
            workers=workers,
            port=CLUSTER_PORT if port_is_free("127.0.0.1", CLUSTER_PORT) else free_port(),
            database_url=pg.url("bench"),
            meili=(meili.url, meili.master_key),
            web_dir=get_settings().var_dir / "bench" / "cluster-web",  # the rush's build
            seed_programs=100,
        )

        async def rounds() -> tuple[list[float], int]:
            async with httpx.AsyncClient(base_url=cluster.url, timeout=30) as http:
                frontend = await Frontend.discover(http)
            seconds, new_tokens = [], 0
            for _ in range(kills):
                for worker in cluster.worker_list:  # every worker back before the next kill
                    deadline = time.monotonic() + 120
                    while True:
                        try:
                            await asyncio.to_thread(worker.wait_until_serving)
                            break
                        except ClusterError:  # the killed one, before the cluster restarts it
                            assert time.monotonic() < deadline, f"worker {worker.number} is gone"
                            await asyncio.sleep(0.2)
                await asyncio.to_thread(_wait, partial(_proxy_uses_all, cluster), 60)
                tab = Tab(cluster.url, frontend)
                await tab.open("/catalog")
                await tab.until(tab.hydrated, 60)
                victim = cluster.worker_at(tab.upstream)
                assert victim is not None and victim.pid is not None, tab.upstream
                os.killpg(victim.pid, signal.SIGKILL)
                killed_at, token = time.monotonic(), tab.token
                try:  # the browser reconnects once it sees its socket close, not before
                    await tab.until(lambda: False, 30)
                except ProtocolError as error:
                    assert error.kind == "ws_closed", error
                await tab.close()
                tab.state = {}
                while True:  # the browser's reconnect: the proxy skips the dead worker
                    try:
                        await tab.open("/catalog")
                        break
                    except Exception:
                        await asyncio.sleep(0.05)
                await tab.until(tab.hydrated, 60)
                seconds.append(time.monotonic() - killed_at)
                new_tokens += tab.token != token
                await tab.close()
            return seconds, new_tokens

        with cluster:
            seconds, new_tokens = asyncio.run(rounds())
        return {
            "oplock": os.environ.get("REFLEX_OPLOCK_ENABLED", ""),
            "hold": os.environ.get("REFLEX_OPLOCK_HOLD_TIME", ""),
            "kill to hydrated again": _percentiles(seconds),
            "every": [round(s, 2) for s in seconds],
            "tabs given a new token": new_tokens,
        }
    finally:
        meili.stop()
        pg.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--relays", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--settle", type=float, default=5.0)
    parser.add_argument("--only", choices=["relay", "proxy", "tab"])
    args = parser.parse_args()
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores")
    if args.only == "tab":
        print(f"tab, {args.workers} workers: {tab_failover(args.workers, args.kills)}")
        return
    if args.only != "proxy":
        relay = relay_failover(args.kills, args.relays)
        for name, values in relay.items():
            print(f"relay leader killed → {name}: {_percentiles(values)}")
    if args.only != "relay":
        proxy = proxy_failover(args.workers, args.kills, args.settle)
        print(f"proxy, {args.workers} workers, {args.kills} kills, {args.settle} s each: {proxy}")


if __name__ == "__main__":
    main()
