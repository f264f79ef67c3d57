"""A cluster worker keeps a tab's state lock alive while the tab's event runs, from a thread
of its own, so a worker that is only late (a rush) does not have the event's state write
refused; a lock it does not hold, or one held past the bound, is left to expire."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid

import pytest
from redis.asyncio import Redis
from reflex.istate.manager.redis import StateManagerRedis
from reflex.istate.manager.token import BaseStateToken
from reflex.state import State
from reflex_base.utils.exceptions import LockExpiredError

from navigator import cluster_worker
from navigator.cluster_worker import LockKeeper, keep_locks, keeping_locks, note_lock_times
from tests.support.handlers import settle

LOCK_MS = 2000  # the lock's time here; Reflex's default is 10 s
WAIT = 10.0  # seconds a test waits for the keeper's thread, at most


@pytest.fixture
def plain_locks(monkeypatch):
    """Reflex's own lock, put back after the test."""
    monkeypatch.delenv("REFLEX_OPLOCK_ENABLED", raising=False)  # the lock each event takes
    for name in ("_lock", "_try_get_lock"):
        monkeypatch.setattr(StateManagerRedis, name, getattr(StateManagerRedis, name))


def _manager(url: str) -> StateManagerRedis:
    return StateManagerRedis(
        redis=Redis.from_url(url), lock_expiration=LOCK_MS, lock_warning_threshold=100
    )


async def _thread_after_rest(keeper: LockKeeper) -> object:
    """The keeper's thread once it has nothing to hold (None: it ended), waited for a while."""
    deadline = time.monotonic() + WAIT
    while keeper._thread is not None and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return keeper._thread


def _event_lasting(url: str, lock_times: float, *, blocking: bool = False) -> dict:
    """Run one event that takes `lock_times` lock times (with the worker's loop free, or
    `blocking` it, as a saturated worker's loop is), then read what it wrote and what is
    left of the lock and of its keeper."""

    async def event() -> dict:
        manager = _manager(url)
        token = BaseStateToken(ident=uuid.uuid4().hex, cls=State)
        seen: dict = {}
        try:
            try:
                async with manager.modify_state(token) as state:
                    state.router_data = {"written": "yes"}
                    state.dirty_vars.add("router_data")
                    if blocking:
                        time.sleep(LOCK_MS / 1000 * lock_times)
                    else:
                        await asyncio.sleep(LOCK_MS / 1000 * lock_times)
                fresh = await manager.get_state(token)
                seen["outcome"] = "written" if fresh.router_data == {"written": "yes"} else "lost"
            except LockExpiredError:
                seen["outcome"] = "refused"
            seen["lock left"] = await manager.redis.get(manager._lock_key(token))
            keeper = manager.__dict__.get("_navigator_lock_keeper")
            if keeper is not None:
                seen["renewed"] = keeper.renewed
                seen["held after"] = dict(keeper._held)
                seen["thread after"] = await _thread_after_rest(keeper)
            return seen
        finally:
            await manager.redis.aclose()

    return settle(event())


def test_without_the_keeper_an_event_longer_than_the_lock_has_its_write_refused(
    redis_server, plain_locks
):
    assert _event_lasting(redis_server.url, 2.5) == {"outcome": "refused", "lock left": None}


def test_the_keeper_lets_a_long_event_write_even_on_a_blocked_loop_then_rests(
    redis_server, plain_locks
):
    keep_locks()
    note_lock_times()
    wrapped = (StateManagerRedis._lock, StateManagerRedis._try_get_lock)
    note_lock_times()  # Reflex may call post_compile again: each wrapper goes on once
    keep_locks()
    assert (StateManagerRedis._lock, StateManagerRedis._try_get_lock) == wrapped
    for blocking in (False, True):  # a renewal on the loop itself would not come in time
        seen = _event_lasting(redis_server.url, 2.5, blocking=blocking)
        assert seen["outcome"] == "written", seen
        assert seen["lock left"] is None and seen["held after"] == {}, seen
        assert seen["renewed"] >= 2, seen
        assert seen["thread after"] is None, seen  # nothing held: no thread


def test_an_event_held_past_the_bound_lets_the_lock_expire(redis_server, plain_locks, monkeypatch):
    monkeypatch.setattr(cluster_worker, "KEEP_AT_MOST", 1)
    keep_locks()
    assert _event_lasting(redis_server.url, 2.5)["outcome"] == "refused"


def test_a_lock_taken_before_reflex_failed_to_use_it_is_let_go(redis_server, plain_locks):
    keep_locks()

    @contextlib.asynccontextmanager
    async def failing_lock(manager, token, *args, **kwargs):
        """Reflex's lock when the task is cancelled after Redis gave it the lock, while it
        still waited for its turn among this worker's own waiters."""
        assert await manager._try_get_lock(manager._lock_key(token), b"taken")
        raise asyncio.CancelledError
        yield  # an async context manager

    async def scene() -> dict:
        manager = _manager(redis_server.url)
        token = BaseStateToken(ident=uuid.uuid4().hex, cls=State)
        try:
            with contextlib.suppress(asyncio.CancelledError):
                async with keeping_locks(failing_lock)(manager, token):
                    pass
            return dict(LockKeeper.of(manager)._held)
        finally:
            await manager.redis.aclose()

    assert settle(scene()) == {}  # not renewed for a minute with no event behind it


def test_the_keeper_renews_only_its_own_lock_even_when_asked_before_it_was_taken(redis_server):
    async def rounds(keeper: LockKeeper, more: int) -> None:
        deadline, until = time.monotonic() + WAIT, keeper.rounds + more
        while keeper.rounds < until and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    async def scene() -> dict:
        manager = _manager(redis_server.url)
        keeper = LockKeeper.of(manager)
        assert LockKeeper.of(manager) is keeper
        key = f"{uuid.uuid4().hex}_lock".encode()
        seen: dict = {}
        try:
            # this worker asks for the lock while another worker's event has it, for longer
            await manager.redis.set(key, b"theirs", px=LOCK_MS * 10)
            keeper.hold(key, b"ours")
            await rounds(keeper, 2)
            seen["theirs left"], seen["renewed of theirs"] = (
                await manager.redis.pttl(key),
                keeper.renewed,
            )
            # theirs ends and the request takes it (a renewal may have come before: asked again)
            await manager.redis.delete(key)
            await manager.redis.set(key, b"ours", px=LOCK_MS, nx=True)
            await asyncio.sleep(LOCK_MS / 1000 * 2.5)
            seen["ours after 2.5 lock times"] = await manager.redis.get(key)
            keeper.release(key, b"ours")
            seen["thread after"] = await _thread_after_rest(keeper)
            return seen
        finally:
            await manager.redis.aclose()

    seen = settle(scene())
    # theirs was never renewed to our lock's time (it only ran down)
    assert seen["renewed of theirs"] == 0 and LOCK_MS * 5 < seen["theirs left"] <= LOCK_MS * 10
    assert seen["ours after 2.5 lock times"] == b"ours", seen
    assert seen["thread after"] is None
