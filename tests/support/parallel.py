"""Real parallel requests: every call starts at once, each in its own transaction."""

from __future__ import annotations

import multiprocessing
import threading
import time
import traceback
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from navigator.domain.accounts.access import Actor
from navigator.domain.enrollment.api import apply_to_group
from navigator.domain.shared.db import atomically, make_engine, transaction
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


def apply_in_process(url: str, barrier, results, job: tuple) -> None:
    """One parent's application in an OS process of a race (`job`: user, child, group, day):
    puts its status, its refusal's code, or RAW and the error's name for anything else."""
    engine = process_engine(url)
    user_id, child_id, group_id, today = job
    try:
        barrier.wait(timeout=60)
        status = atomically(
            lambda s: (
                apply_to_group(s, Actor.user(user_id), child_id, group_id, today=today).status
            ),
            engine,
        )
        results.put(str(status))
    except DomainError as refusal:
        results.put(refusal.code)
    except Exception as error:
        traceback.print_exc()
        results.put(raw(error))
    finally:
        engine.dispose()


def raw(error: BaseException) -> str:
    """The outcome a race counts for an error no rule answered (a raw database error, a
    crash): named so the test's assertion shows it."""
    return f"RAW {type(error).__name__}: {str(error)[:200]}"


def race_processes(target, url: str, jobs: list, *, timeout: float = 180) -> list:
    """One spawned OS process per job, each running target(url, barrier, results, job) and
    putting one result; the barrier lets them start at once. The results, as they came."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(jobs))
    results = context.Queue()
    workers = [context.Process(target=target, args=(url, barrier, results, job)) for job in jobs]
    for worker in workers:
        worker.start()
    try:
        return [results.get(timeout=timeout) for _ in workers]
    finally:
        deadline = time.monotonic() + 60  # one wait for them all, not a minute each
        for worker in workers:
            worker.join(timeout=max(0.0, deadline - time.monotonic()))
        for worker in workers:
            if worker.is_alive():  # a worker stuck past the test's patience ends with it
                worker.kill()
                worker.join()
