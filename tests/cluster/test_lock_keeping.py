"""A cluster worker keeps a tab's state lock alive while the tab's event runs, so a worker
that is only late (a rush) does not have the event's state write refused; a lock it no
longer holds, or one held past the bound, is left to expire."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from redis.asyncio import Redis
from reflex.istate.manager.redis import StateManagerRedis
from reflex.istate.manager.token import BaseStateToken
from reflex.state import State
from reflex_base.utils.exceptions import LockExpiredError

from navigator import cluster_worker
from navigator.cluster_worker import _keep, keep_locks, note_lock_times
from tests.support.handlers import settle

LOCK_MS = 600  # the lock's time here; Reflex's default is 10 s


@pytest.fixture
def plain_locks(monkeypatch):
    """Reflex's own lock, put back after the test."""
    monkeypatch.delenv("REFLEX_OPLOCK_ENABLED", raising=False)  # the lock each event takes
    for name in ("_lock", "_try_get_lock"):
        monkeypatch.setattr(StateManagerRedis, name, getattr(StateManagerRedis, name))


def _event_lasting(url: str, lock_times: float) -> tuple[str, bytes | None]:
    """Run one event that takes `lock_times` lock times, then read what it wrote and what is
    left of the lock: ("written", lock) or ("refused", lock)."""

    async def event() -> tuple[str, bytes | None]:
        redis = Redis.from_url(url)
        manager = StateManagerRedis(
            redis=redis, lock_expiration=LOCK_MS, lock_warning_threshold=100
        )
        token = BaseStateToken(ident=uuid.uuid4().hex, cls=State)
        try:
            try:
                async with manager.modify_state(token) as state:
                    state.router_data = {"written": "yes"}
                    state.dirty_vars.add("router_data")
                    await asyncio.sleep(LOCK_MS / 1000 * lock_times)
            except LockExpiredError:
                return "refused", await redis.get(manager._lock_key(token))
            fresh = await manager.get_state(token)
            outcome = "written" if fresh.router_data == {"written": "yes"} else "lost"
            return outcome, await redis.get(manager._lock_key(token))
        finally:
            await redis.aclose()

    return settle(event())


def test_without_the_keeper_an_event_longer_than_the_lock_has_its_write_refused(
    redis_server, plain_locks
):
    assert _event_lasting(redis_server.url, 2.5) == ("refused", None)


def test_the_keeper_lets_a_long_event_write_and_then_frees_the_lock(redis_server, plain_locks):
    keep_locks()
    note_lock_times()
    wrapped = StateManagerRedis._lock
    note_lock_times()  # Reflex may call post_compile again: each wrapper goes on once
    keep_locks()
    assert StateManagerRedis._lock is wrapped
    assert _event_lasting(redis_server.url, 2.5) == ("written", None)


def test_an_event_held_past_the_bound_lets_the_lock_expire(redis_server, plain_locks, monkeypatch):
    monkeypatch.setattr(cluster_worker, "KEEP_AT_MOST", 1)
    keep_locks()
    assert _event_lasting(redis_server.url, 2.5) == ("refused", None)


def test_the_keeper_never_renews_a_lock_someone_else_took(redis_server):
    async def scene() -> tuple[int, int]:
        redis = Redis.from_url(redis_server.url)
        manager = StateManagerRedis(
            redis=redis, lock_expiration=LOCK_MS, lock_warning_threshold=100
        )
        key = f"{uuid.uuid4().hex}_lock".encode()
        try:
            # our lock expired and another worker's event took it, for longer than ours
            await redis.set(key, b"theirs", px=LOCK_MS * 10)
            await asyncio.wait_for(_keep(manager, key, b"ours"), timeout=LOCK_MS / 1000 * 3)
            return await redis.pttl(key), LOCK_MS * 10
        finally:
            await redis.aclose()

    left, theirs = settle(scene())
    # the keeper came back after one look, without renewing theirs to our lock's time
    assert LOCK_MS < left <= theirs
