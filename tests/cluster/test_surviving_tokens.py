"""A tab whose worker was killed keeps its token (and so its state) on the worker it
reconnects to; a duplicated tab of a live worker still gets a token of its own."""

from __future__ import annotations

import asyncio
import pickle
import subprocess
import sys
import uuid

from redis.asyncio import Redis
from reflex.utils.token_manager import RedisTokenManager

from navigator.cluster_worker import SurvivingTokenManager, alive_channel
from navigator.settings import PROJECT_ROOT


def _owner_process(redis_url: str, token: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.cluster.socket_owner", redis_url, token],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "linked"
    return process


async def _owner_of(redis: Redis, manager: RedisTokenManager, token: str) -> str:
    raw = await redis.get(manager._get_redis_key(token))
    return pickle.loads(raw).instance_id  # noqa: S301 (Reflex's record, our Redis)


def test_a_tab_of_a_killed_worker_keeps_its_token_on_another(redis_server):
    token = uuid.uuid4().hex
    owner = _owner_process(redis_server.url, token)

    async def reconnect_while_the_owner_lives() -> str | None:
        manager = SurvivingTokenManager(Redis.from_url(redis_server.url))
        try:
            return await manager.link_token_to_sid(token, "sid-of-a-duplicated-tab")
        finally:
            await manager.close()

    duplicate = asyncio.run(reconnect_while_the_owner_lives())
    assert duplicate is not None and duplicate != token  # a live owner: a tab of its own

    owner.kill()  # SIGKILL: the worker never deletes its socket records
    owner.wait(timeout=10)

    async def reconnect_after_the_owner_died() -> tuple[str | None, bool, int]:
        redis = Redis.from_url(redis_server.url)
        manager = SurvivingTokenManager(redis)
        try:
            renewed = await manager.link_token_to_sid(token, "sid-on-the-new-worker")
            listeners = (await redis.pubsub_numsub(alive_channel(manager.instance_id)))[0][1]
            owned = await _owner_of(redis, manager, token) == manager.instance_id
            return renewed, owned, int(listeners)
        finally:
            await manager.close()
            await redis.aclose()

    renewed, owned, listeners = asyncio.run(reconnect_after_the_owner_died())
    assert renewed is None and owned  # the same token: the state stored under it is the tab's
    assert listeners == 1  # and the new owner announces that it lives


def test_reflex_alone_gives_a_killed_workers_tab_a_new_empty_token(redis_server):
    """Why the cluster needs SurvivingTokenManager (reflex-dev/reflex#6345)."""
    token = uuid.uuid4().hex
    owner = _owner_process(redis_server.url, token)
    owner.kill()
    owner.wait(timeout=10)

    async def reconnect() -> str | None:
        manager = RedisTokenManager(Redis.from_url(redis_server.url))
        try:
            return await manager.link_token_to_sid(token, "sid-on-the-new-worker")
        finally:
            await manager.close()

    assert asyncio.run(reconnect()) not in (None, token)
