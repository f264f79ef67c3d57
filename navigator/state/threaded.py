"""Event handlers whose work waits on the database or Meilisearch run in a thread.

Reflex calls a plain (synchronous) handler on the worker's event loop itself: while one
parent's application waits for a row lock, a retry or a search, every other tab that worker
serves waits too, their events queue, and under a rush their state locks expire. A handler
marked `in_thread` is an async handler to Reflex, and its body runs on the loop's thread pool;
the tab's state stays locked for it alone, as before, so nothing else touches that state while
it runs.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def in_thread(handler: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """Run this handler's body off the event loop (put under `@rx.event`)."""

    @functools.wraps(handler)
    async def threaded(*args: P.args, **kwargs: P.kwargs) -> R:
        return await finished(asyncio.to_thread(handler, *args, **kwargs))

    threaded.__annotations__ = {**handler.__annotations__, "return": Any}
    return threaded


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
