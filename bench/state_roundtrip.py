"""What one event costs in state traffic when several workers share the state through Redis.

For each tab, Reflex takes the state's lock, reads from Redis every state the event needs
(its own, its parents and substates, and every state with a computed var reading one of
theirs), runs the handler, computes the update and writes the touched states back. This
bench does exactly that for events of the catalog, the program page and the cabinet, on a
real `redis-server` (started here, as the cluster starts it), without the handler's own work:
what is left is the price of the state tree.

    .venv/bin/python -m bench.state_roundtrip [--tabs 300] [--rounds 3]

Needs a migrated database (a page state reads the municipalities when it is made): it uses
`DATABASE_URL`, or a throwaway SQLite file migrated here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tabs", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="roundtrip-") as tmp:
        if "DATABASE_URL" not in os.environ:
            os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/navigator.db"
            subprocess.run(
                [sys.executable, "-c", "from navigator.cli import main; main(['db', 'upgrade'])"],
                check=True,
                capture_output=True,
            )
        print(json.dumps(measure(Path(tmp), args.tabs, args.rounds), ensure_ascii=False))


def measure(tmp: Path, tabs: int, rounds: int) -> dict:
    import redis.asyncio as aredis
    from reflex.istate.manager.redis import StateManagerRedis
    from reflex.istate.manager.token import BaseStateToken
    from reflex.state import State

    import navigator.navigator  # noqa: F401  (every page's state, as the app has them)
    from bench.common import machine
    from navigator.cluster import RedisServer
    from navigator.state.cabinet import CabinetState
    from navigator.state.catalog import CatalogState
    from navigator.state.program import ProgramState

    server = RedisServer(tmp / "redis", tmp / "redis.log")
    server.start()
    try:
        manager = StateManagerRedis(redis=aredis.Redis.from_url(server.url))
        pages = {"catalog": CatalogState, "program": ProgramState, "cabinet": CabinetState}

        async def run() -> dict:
            tokens = [str(uuid.uuid4()) for _ in range(tabs)]
            started = time.perf_counter()
            for token in tokens:  # a new tab: the whole tree made and stored
                async with manager.modify_state(BaseStateToken(ident=token, cls=State)) as root:
                    root.dict()
            new_tab = (time.perf_counter() - started) / tabs * 1000
            figures: dict = {"new_tab_ms": round(new_tab, 2)}
            for page, cls in pages.items():
                samples = []
                for _ in range(rounds):
                    for token in tokens:
                        started = time.perf_counter()
                        token_of = BaseStateToken(ident=token, cls=cls)
                        async with manager.modify_state(token_of) as root:
                            state = await root.get_state(cls)
                            state.error = "x" if state.error != "x" else ""  # a var it has
                            await root._get_resolved_delta()
                        samples.append((time.perf_counter() - started) * 1000)
                loaded = manager._get_required_state_classes(cls, subclasses=True)
                figures[page] = {
                    "states_an_event_loads": len(loaded),
                    "event_p50_ms": round(statistics.median(samples), 2),
                    "event_p95_ms": round(statistics.quantiles(samples, n=20)[18], 2),
                }
            return figures

        figures = asyncio.run(run())
    finally:
        server.stop()
    return {"machine": machine(), "tabs": tabs, "rounds": rounds, **figures}


if __name__ == "__main__":
    main()
