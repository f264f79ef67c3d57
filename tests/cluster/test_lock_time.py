"""A cluster worker notes when Reflex took each tab's state lock in Redis, so a handler that
would start too late in it is shed instead of having its state write refused."""

from __future__ import annotations

import uuid

from redis.asyncio import Redis
from reflex.istate.manager.redis import StateManagerRedis
from reflex.istate.manager.token import BaseStateToken
from reflex.state import State

from navigator.cluster_worker import note_lock_times
from navigator.state import threaded
from navigator.state.threaded import STATE_LOCKED_AT, in_thread
from tests.state.test_threaded_handlers import _toast_call
from tests.support.handlers import settle


def test_a_handler_is_shed_when_the_redis_lock_was_taken_too_long_before(redis_server, monkeypatch):
    monkeypatch.delenv("REFLEX_OPLOCK_ENABLED", raising=False)  # the lock each event takes
    for name in ("_lock", "_try_get_lock"):  # put back after
        monkeypatch.setattr(StateManagerRedis, name, getattr(StateManagerRedis, name))
    note_lock_times()
    wrapped = (StateManagerRedis._lock, StateManagerRedis._try_get_lock)
    note_lock_times()  # Reflex may call post_compile again: wrapped once
    assert (StateManagerRedis._lock, StateManagerRedis._try_get_lock) == wrapped
    late = threaded.shed_after() + 0.5
    # the lock is asked for at 1000 (the first reading); everything after comes `late` later
    readings = iter([1000.0])
    monkeypatch.setattr(threaded, "_clock", lambda: next(readings, 1000.0 + late))
    ran = []

    @in_thread
    def handler(state) -> str:
        ran.append(state)
        return "done"

    async def event() -> tuple[float | None, object, float | None]:
        redis = Redis.from_url(redis_server.url)
        manager = StateManagerRedis(redis=redis)
        token = BaseStateToken(ident=uuid.uuid4().hex, cls=State)
        try:
            async with manager.modify_state(token) as state:
                noted = STATE_LOCKED_AT.get()
                answer = await handler(state)
            return noted, answer, STATE_LOCKED_AT.get()
        finally:
            await redis.aclose()

    noted, answer, after = settle(event())
    assert noted == 1000.0
    assert ran == [] and "warning" in _toast_call(answer)
    assert after is None
