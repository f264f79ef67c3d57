"""What each worker of `navigator cluster` adds to Reflex: a tab whose worker died keeps its
token, so it keeps its state on the worker it reconnects to.

Reflex writes in Redis which worker holds each tab's socket, and gives a tab that connects
with a token some other socket holds a new token (a duplicated browser tab must not share its
state). A killed worker never deletes its records, so every tab it served would reconnect to
a fresh, empty state (reflex-dev/reflex#6345). Each worker here keeps a Redis subscription
open on a channel named after its Reflex instance; Redis drops it the moment the process
dies. Before linking a token, a worker forgets a record whose owner has no such subscription.

`navigator cluster` loads it into every worker with REFLEX_EXTRA_PLUGINS; `navigator run`
(one process, no Redis) does not need it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import pickle
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from typing import Any

import redis as sync_redis
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from reflex.istate.manager.redis import StateManagerRedis
from reflex.utils.token_manager import RedisTokenManager
from reflex_base.environment import environment
from reflex_base.plugins import Plugin
from reflex_base.utils.log import is_json_mode

from navigator.state.threaded import noting_lock_ask, noting_lock_time

log = logging.getLogger(__name__)
PLUGIN = "navigator.cluster_worker.ClusterWorkerPlugin"
ALIVE_CHANNEL_PREFIX = "navigator_cluster_alive_"
# delete the record only if it is still the one we judged: never a newer owner's
_FORGET_IF_UNCHANGED = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)


# Extend a tab's state lock only while it still holds the id this worker took it with: never
# a lock that expired and another worker took since. Replies with 1 when it did, or 0.
_EXTEND_IF_OURS = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)
KEEP_EVERY_SHARE = 1 / 3  # of the lock's time
KEEP_AT_MOST = 6  # lock times: then a wedged event lets the tab go, its write refused
# the lock `_try_get_lock` took in this task, until `_lock` lets it go: (key, id)
_TAKEN: ContextVar[tuple[bytes, bytes] | None] = ContextVar("state_lock_taken", default=None)


class LockKeeper:
    """Renews the Redis state locks this worker holds, from a thread of its own.

    Reflex takes each tab's lock for a fixed time (10 s) and refuses the event's state write
    when it ran longer; the tab then silently loses what the event did. A worker saturated by
    a rush runs an event that long without being stuck: its loop and threads are only late
    (1 132 refusals in one rush, `bench/RESULTS.md`). A renewal on that same loop comes late
    too (measured: a task renewing every second did not save 3 s locks), so a thread renews,
    every third of the lock's time, every lock held, in one round trip. A lock is held from
    the moment it is asked for (Redis counts its time from then; renewing a lock that is not
    ours changes nothing, so a renewal that comes before the lock is taken, or after it was
    lost, is only asked again next time) until its event ends. A killed worker renews
    nothing, so its tabs are free again within the lock's time, as before; a lock held
    KEEP_AT_MOST lock times is taken to belong to a wedged event and left to expire. The
    thread runs only while locks are held.

    Reflex's "lock held too long" warning reads the lock's time left: after a renewal it
    counts from the renewal, not from the lock's taking."""

    def __init__(self, manager: StateManagerRedis) -> None:
        self._lock_ms = manager.lock_expiration
        self._every = self._lock_ms / 1000 * KEEP_EVERY_SHARE
        # the async client's address (host and port, a unix socket, TLS, a password) for a
        # client of the thread's own. A round that does not answer in half a round's time is
        # given up, not retried: the next one still comes before the lock runs out.
        pool = manager.redis.connection_pool
        sync_class = getattr(sync_redis, pool.connection_class.__name__, sync_redis.Connection)
        address = {
            name: value
            for name, value in pool.connection_kwargs.items()
            if name
            not in (
                "retry",
                "retry_on_error",
                "retry_on_timeout",
                "redis_connect_func",
                "socket_timeout",
                "socket_connect_timeout",
            )
        }
        self._redis = sync_redis.Redis(
            connection_pool=sync_redis.ConnectionPool(
                connection_class=sync_class,
                socket_timeout=self._every / 2,
                socket_connect_timeout=self._every / 2,
                **address,
            )
        )
        self._held: dict[tuple[bytes, bytes], float] = {}  # (key, id) -> when asked
        self._guard = threading.Lock()
        self._thread: threading.Thread | None = None
        self.renewed = 0  # renewals that kept a lock, for the tests
        self.rounds = 0

    @classmethod
    def of(cls, manager: StateManagerRedis) -> LockKeeper:
        keeper = manager.__dict__.get("_navigator_lock_keeper")
        if keeper is None:
            keeper = manager.__dict__.setdefault("_navigator_lock_keeper", cls(manager))
        return keeper

    def hold(self, key: bytes, lock_id: bytes) -> None:
        with self._guard:
            self._held[(key, lock_id)] = time.monotonic()
            if self._thread is not None:
                return
            thread = self._thread = threading.Thread(
                target=self._run, name="state-lock-keeper", daemon=True
            )
        try:
            thread.start()  # outside the guard: the loop's thread waits for no one meanwhile
        except BaseException:
            with self._guard:
                self._thread = None  # the next lock asked for tries again
            raise

    def release(self, key: bytes, lock_id: bytes) -> None:
        with self._guard:
            self._held.pop((key, lock_id), None)

    def _run(self) -> None:
        while True:
            time.sleep(self._every)
            with self._guard:
                if not self._held:
                    self._thread = None
                    return
                now = time.monotonic()
                wedged = [lock for lock, since in self._held.items() if now - since > self._bound()]
                for lock in wedged:
                    del self._held[lock]
                held = list(self._held)
            if wedged:
                log.warning(
                    "cluster: %d event(s) held their tab's state lock %.0f s; left to expire",
                    len(wedged),
                    self._bound(),
                )
            try:
                pipeline = self._redis.pipeline(transaction=False)
                for key, lock_id in held:
                    pipeline.eval(_EXTEND_IF_OURS, 1, key, lock_id, self._lock_ms)
                kept = pipeline.execute()
            except Exception:  # Redis trouble: the locks' own time decides, as without us
                log.warning("cluster: could not renew the state locks", exc_info=True)
                continue
            with self._guard:
                self.rounds += 1
                self.renewed += sum(1 for was_kept in kept if was_kept)

    def _bound(self) -> float:
        return self._lock_ms / 1000 * KEEP_AT_MOST


def keeping_lock_ask(try_lock: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Reflex's one attempt at a state lock (`StateManagerRedis._try_get_lock`): held in the
    worker's LockKeeper from the request on, let go when it was not taken."""

    @functools.wraps(try_lock)
    async def asked(manager: StateManagerRedis, lock_key: bytes, lock_id: bytes) -> Any:
        if manager._oplock_enabled:  # its leases renew their locks themselves
            return await try_lock(manager, lock_key, lock_id)
        keeper = LockKeeper.of(manager)
        keeper.hold(lock_key, lock_id)
        taken = False
        try:
            taken = await try_lock(manager, lock_key, lock_id)
            return taken
        finally:
            if taken:  # `keeping_locks` lets it go, even if Reflex fails before using it
                _TAKEN.set((lock_key, lock_id))
            else:
                keeper.release(lock_key, lock_id)

    asked.keeps_locks = True  # type: ignore[attr-defined]
    return asked


def keeping_locks(lock: Callable[..., Any]) -> Callable[..., Any]:
    """Reflex's Redis state lock (`StateManagerRedis._lock`): its LockKeeper lets go of the
    lock taken inside when the event ends, or when Reflex failed after taking it (a
    cancellation while it still waited for its turn locally)."""

    @contextlib.asynccontextmanager
    @functools.wraps(lock)  # its marks too: each wrapper is put on once (`note_lock_times`)
    async def kept(
        manager: StateManagerRedis, token: Any, *args: Any, **kwargs: Any
    ) -> AsyncIterator[Any]:
        outer = _TAKEN.get()  # a lock taken inside another's event (linked states)
        _TAKEN.set(None)
        try:
            async with lock(manager, token, *args, **kwargs) as lock_id:
                yield lock_id
        finally:
            taken = _TAKEN.get()
            _TAKEN.set(outer)
            if taken is not None:
                LockKeeper.of(manager).release(*taken)

    kept.keeps_locks = True  # type: ignore[attr-defined]
    return kept


# Reflex's Redis state manager warns for every event whose state it held past its threshold
# (1 s). In a rush that is most events, and Reflex's rich console formatting each line took 3 %
# of two workers' CPU on their event loops (py-spy, 1 000 parents). The same lines, plainly.
LOCK_LOGGER = "reflex.istate.manager.redis"


def plain_lock_warnings() -> logging.Handler | None:
    """Writes the Redis state manager's records as plain lines on stderr (where the worker's
    log goes) instead of through Reflex's rich console; once per process. None, leaving them
    to Reflex, when it writes JSON lines or a full log file: cheap sinks that must hold every
    record."""
    if is_json_mode() or environment.REFLEX_ENABLE_FULL_LOGGING.get():
        return None
    lock_log = logging.getLogger(LOCK_LOGGER)
    for handler in lock_log.handlers:
        if getattr(handler, "navigator_plain", False):
            return handler
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.navigator_plain = True  # type: ignore[attr-defined]
    lock_log.addHandler(handler)
    lock_log.propagate = False
    return handler


def alive_channel(instance_id: str) -> str:
    return f"{ALIVE_CHANNEL_PREFIX}{instance_id}"


class SurvivingTokenManager(RedisTokenManager):
    """Reflex's Redis token manager that tells a dead worker's socket records from a live one's."""

    def __init__(self, redis: Redis) -> None:
        super().__init__(redis)
        self._alive: PubSub | None = None
        self._alive_as: str | None = None
        self._alive_lock = asyncio.Lock()

    async def announce(self) -> None:
        """Subscribe to this instance's channel (again, after Reflex renews the instance id)."""
        if self._alive_as == self.instance_id:
            return
        async with self._alive_lock:
            if self._alive_as == self.instance_id:
                return
            if self._alive is not None:
                await self._alive.aclose()
            pubsub = self.redis.pubsub()
            await pubsub.subscribe(alive_channel(self.instance_id))
            # the confirmation: the subscription is in place before any record names us
            await pubsub.get_message(ignore_subscribe_messages=False, timeout=5.0)
            self._alive, self._alive_as = pubsub, self.instance_id

    async def forget_dead_owner(self, token: str) -> bool:
        """Delete `token`'s socket record if the worker that wrote it is gone; whether it did."""
        key = self._get_redis_key(token)
        raw = await self.redis.get(key)
        if not raw:
            return False
        owner = pickle.loads(raw).instance_id  # noqa: S301 (Reflex's own record in our Redis)
        if owner == self.instance_id:
            return False
        counts = await self.redis.pubsub_numsub(alive_channel(owner))
        if counts and int(counts[0][1]) > 0:
            return False  # alive: a duplicated tab, which Reflex gives a token of its own
        forgotten = bool(await self.redis.eval(_FORGET_IF_UNCHANGED, 1, key, raw))  # type: ignore[misc]
        if forgotten:
            log.info("forgot the socket record of token %s… left by a dead worker", token[:8])
        return forgotten

    async def link_token_to_sid(self, token: str, sid: str) -> str | None:
        record = self.token_to_socket.get(token)
        if record is None or record.sid != sid:
            try:
                await self.announce()
                await self.forget_dead_owner(token)
            except Exception:  # Redis trouble: Reflex's own handling decides, as without us
                log.warning("cluster: could not check the owner of a token", exc_info=True)
        return await super().link_token_to_sid(token, sid)

    async def close(self) -> None:
        if self._alive is not None:
            await self._alive.aclose()
            self._alive = None
        await super().close()


def keep_locks() -> None:
    """Every Redis state lock this worker takes is kept alive while its event runs
    (`LockKeeper`). Once per process."""
    if not getattr(StateManagerRedis._lock, "keeps_locks", False):
        StateManagerRedis._lock = keeping_locks(StateManagerRedis._lock)  # type: ignore[method-assign]
    if not getattr(StateManagerRedis._try_get_lock, "keeps_locks", False):
        StateManagerRedis._try_get_lock = keeping_lock_ask(StateManagerRedis._try_get_lock)  # type: ignore[method-assign]


def note_lock_times() -> None:
    """Every Redis state lock this worker takes notes when it was taken, so a handler that
    would start too late in it is shed (navigator/state/threaded.py). Once per process."""
    if not getattr(StateManagerRedis._lock, "notes_lock_time", False):
        StateManagerRedis._lock = noting_lock_time(StateManagerRedis._lock)  # type: ignore[method-assign]
    if not getattr(StateManagerRedis._try_get_lock, "notes_lock_time", False):
        StateManagerRedis._try_get_lock = noting_lock_ask(StateManagerRedis._try_get_lock)  # type: ignore[method-assign]


class ClusterWorkerPlugin(Plugin):
    """Swaps the app's token manager for `SurvivingTokenManager` when the backend starts,
    writes the state manager's lock warnings plainly (`plain_lock_warnings`), notes when
    each state lock was taken (`note_lock_times`) and keeps it while its event runs
    (`keep_locks`)."""

    def post_compile(self, **context: Any) -> None:
        plain_lock_warnings()
        note_lock_times()
        keep_locks()
        namespace = getattr(context.get("app"), "_event_namespace", None)
        manager = getattr(namespace, "_token_manager", None)
        if type(manager) is RedisTokenManager:
            namespace._token_manager = SurvivingTokenManager(manager.redis)  # type: ignore[union-attr]
            log.info("cluster: socket records of dead workers are forgotten on reconnect")
