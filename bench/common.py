"""Helpers the benches share: percentiles, a timed query loop, the request bodies a search
function sends to Meilisearch (to replay them raw, the floor), and the machine a figure
was measured on."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def percentiles(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": round(cuts[49], 2), "p95": round(cuts[94], 2), "p99": round(cuts[98], 2)}


def timed(call: Callable[[Any], object], queries: Sequence[Any], rounds: int) -> list[float]:
    """Milliseconds of each call, every query once a round."""
    samples = []
    for _ in range(rounds):
        for query in queries:
            started = time.perf_counter()
            call(query)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def multi_search_bodies(
    client: Any, search: Callable[[Any, Any], object], queries: Sequence[Any]
) -> list[dict[str, Any]]:
    """The multi-search bodies `search(client, query)` sends, one per query, in order."""
    bodies: list[dict[str, Any]] = []
    original = client.multi_search

    def capture(queries, federation=None):
        bodies.append({"queries": list(queries)})
        return original(queries, federation)

    client.multi_search = capture
    try:
        for query in queries:
            search(client, query)
    finally:
        client.multi_search = original
    return bodies


def replay_raw(client: Any, bodies: list[dict[str, Any]], rounds: int) -> list[float]:
    """The same bodies over the client's own HTTP layer: no validation, no parsing."""
    path = client.config.paths.multi_search
    stream = iter(bodies * rounds)
    return timed(lambda _body: client.http.post(path, next(stream)), bodies, rounds)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine() -> dict[str, str]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    memory = next(
        line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )  # fmt: skip
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "cpus": str(os.cpu_count()),
        "cpu": model,
        "memory_gib": str(round(int(memory) / 2**20)),
        "commit": commit,
        "load_average": load_average(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
