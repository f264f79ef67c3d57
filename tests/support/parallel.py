"""Real parallel requests: every call starts at once, each in its own transaction."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from navigator.domain.shared.db import make_engine, transaction
from navigator.domain.shared.errors import DomainError


def run_in_parallel(engine, calls) -> Counter:
    """Start every call at once, each in its own transaction; count outcomes by error code."""
    barrier = threading.Barrier(len(calls))

    def attempt(call):
        barrier.wait()
        try:
            with transaction(engine) as session:
                call(session)
            return "ok"
        except DomainError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return Counter(pool.map(attempt, calls))


def process_engine(url: str):
    """An engine for one OS process of a race: a small pool on PostgreSQL."""
    if url.startswith("postgresql"):
        return make_engine(url, pool_size=2, max_overflow=2)
    return make_engine(url)
