"""Calling a screen's handler from a test the way Reflex does, sync or async."""

from __future__ import annotations

import asyncio
import inspect
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def settle(result: Any) -> Any:
    """What a handler's call gave: its value, or its coroutine run to the end on a loop of its
    own (the browser tests of the same session leave one running in this thread)."""
    if not inspect.iscoroutine(result):
        return result
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, result).result()
