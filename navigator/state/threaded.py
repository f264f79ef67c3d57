"""Event handlers whose work waits on the database or Meilisearch run in a thread.

Reflex calls a plain (synchronous) handler on the worker's event loop itself: while one
parent's application waits for a row lock, a retry or a search, every other tab that worker
serves waits too, their events queue, and under a rush their state locks expire. A handler
marked `in_thread` is an async handler to Reflex, and its body runs on the loop's thread pool;
the tab's state stays locked for it alone, as before, so nothing else touches that state while
it runs.

A worker that has more work than it can do sheds it: a handler that starts later than
SHED_SHARE of the time Reflex holds a tab's state lock is not run at all, and the person is
told the navigator is busy and nothing was done. Run that late, the person has waited long
already and the worker falls further behind; and where nothing keeps the lock alive (a
cluster's workers do: `LockKeeper`), it could not finish in the lock's time: Reflex would
refuse its state write (LockExpiredError), and the tab would never show what the handler did
in the database. "Later" counts from the moment the lock was taken
where the worker knows it (a cluster's workers note it: `noting_lock_ask`): on a saturated
worker the state's read from Redis, before any thread is asked for, can take most of the
lock's time. Elsewhere it counts from the handler's queueing for a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

import reflex as rx
from reflex.config import get_config

from navigator.domain.shared.errors import Busy
from navigator.settings import get_settings

P = ParamSpec("P")
R = TypeVar("R")

log = logging.getLogger(__name__)

SHED_SHARE = 0.4  # of Reflex's state lock (10 s by default): the rest is the handler's
SHED_LOG_EVERY = 10.0  # seconds between two log lines counting the handlers shed
BUSY_TOAST = "busy"  # the toast's id: a second refusal replaces the first


def in_thread(handler: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """Run this handler's body off the event loop (put under `@rx.event`); shed when the
    worker is saturated: for an action the person can simply take again."""
    return _threaded(handler, shed=True)


def in_thread_unshed(handler: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """`in_thread`, never shed: a page's load (shed, the page would go on showing what the
    tab showed before, another program at this one's address), and a form the browser
    empties as it submits (shed, what the person typed would be lost with "nothing was
    changed" on screen)."""
    return _threaded(handler, shed=False)


def _threaded(handler: Callable[P, R], *, shed: bool) -> Callable[P, Awaitable[R]]:
    @functools.wraps(handler)
    async def threaded(*args: P.args, **kwargs: P.kwargs) -> R:
        state = args[0] if args else None
        return await run_in_thread(state, handler, *args, shed=shed, **kwargs)

    threaded.__annotations__ = {**handler.__annotations__, "return": Any}
    threaded.sheds = shed  # type: ignore[attr-defined]
    return threaded


async def run_in_thread(
    state: Any, work: Callable[..., R], *args: Any, shed: bool = True, **kwargs: Any
) -> Any:
    """work(*args) on the loop's thread pool for `state`'s handler; the busy toast instead,
    in the tab's language, when it would start later than `shed_after` (unless `shed` is
    False)."""
    queued = _clock()
    since = STATE_LOCKED_AT.get()
    budget = shed_after() if shed else float("inf")

    def started() -> Any:
        if _clock() - (queued if since is None else since) > budget:
            return _SHED
        return work(*args, **kwargs)

    result = await finished(asyncio.to_thread(started))
    if result is _SHED:
        _count_shed()
        language = getattr(state, "lang", None) or get_settings().default_locale
        return rx.toast.warning(Busy().message(language), id=BUSY_TOAST)
    return result


@contextlib.asynccontextmanager
async def handler_threads() -> AsyncIterator[None]:
    """The app's lifespan task: the threads handlers run on (`handler_threads` in the
    settings), instead of asyncio's default of the cores + 4. A handler's thread mostly waits
    for the database or Meilisearch, so more of them overlap their waits.

    The pool outlives the task: after the lifespan tasks end, Reflex's state manager writes
    its last states through the loop's default executor (its lifespan's close), and a pool
    shut here refused them ("cannot schedule new futures after shutdown", an app stopped
    just after an event). The loop's own shutdown, or the interpreter's exit, ends it."""
    threads = get_settings().handler_threads
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="handler")
    asyncio.get_running_loop().set_default_executor(pool)
    yield


# when Reflex asked Redis for the state lock of the event being handled (Redis counts the
# lock's time from then), by `_clock`; None where unknown
STATE_LOCKED_AT: ContextVar[float | None] = ContextVar("state_locked_at", default=None)


def noting_lock_time(lock: Callable[..., Any]) -> Callable[..., Any]:
    """Reflex's Redis state manager's lock (`StateManagerRedis._lock`, an async context
    manager), giving back on its way out the lock time noted inside it (`noting_lock_ask`).
    Not for Reflex's opportunistic lock (`REFLEX_OPLOCK_ENABLED`, off in the cluster): its
    leases are ended by another task, and later events on a lease take no lock."""

    @contextlib.asynccontextmanager
    @functools.wraps(lock)  # its marks too: each wrapper is put on once (`keep_locks`)
    async def noted(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        outer = STATE_LOCKED_AT.get()
        try:
            async with lock(*args, **kwargs) as held:
                yield held
        finally:
            STATE_LOCKED_AT.set(outer)

    noted.notes_lock_time = True  # type: ignore[attr-defined]
    return noted


def noting_lock_ask(try_lock: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Reflex's one attempt at the lock (`StateManagerRedis._try_get_lock`), noting in
    STATE_LOCKED_AT when the attempt that took it was sent: its reply may come late to a
    saturated loop, and the lock's time runs from the request."""

    @functools.wraps(try_lock)
    async def noted(*args: Any, **kwargs: Any) -> Any:
        asked = _clock()
        taken = await try_lock(*args, **kwargs)
        if taken:
            STATE_LOCKED_AT.set(asked)
        return taken

    noted.notes_lock_time = True  # type: ignore[attr-defined]
    return noted


def shed_after() -> float:
    """Seconds after its state lock (or, where that is not known, after asking for a thread)
    a handler may start before it is shed."""
    return get_config().redis_lock_expiration / 1000 * SHED_SHARE


_SHED = object()
_clock = time.monotonic  # the tests drive their own
_shed_lock = threading.Lock()
_shed = {"count": 0, "logged_at": 0.0}


def _count_shed() -> None:
    """One line every SHED_LOG_EVERY seconds at most, however many handlers a rush sheds."""
    with _shed_lock:
        _shed["count"] += 1
        now = _clock()
        if now - _shed["logged_at"] < SHED_LOG_EVERY:
            return
        count, _shed["count"], _shed["logged_at"] = _shed["count"], 0, now
    log.warning(
        "worker saturated: %d handler(s) shed (would have started over %.1f s late)",
        count,
        shed_after(),
    )


async def finished(work: Awaitable[R]) -> R:
    """The thread's result; when Reflex cancels the event meanwhile (a newer page load, the
    tab gone), the cancellation waits for the thread to end. A thread cannot be stopped, and
    the tab's state must stay locked while it still writes to it."""
    future = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        while not future.done():
            try:
                await asyncio.shield(future)
            except asyncio.CancelledError:
                continue
            except Exception:  # the event is cancelled: its error has nowhere to go
                break
        raise
