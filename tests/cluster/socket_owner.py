"""A worker's token manager holding one tab's socket, as a process of its own, for the test
that kills it: `python -m tests.cluster.socket_owner REDIS_URL TOKEN`. Prints "linked"."""

from __future__ import annotations

import asyncio
import sys

from redis.asyncio import Redis

from navigator.cluster_worker import SurvivingTokenManager


async def hold(redis_url: str, token: str) -> None:
    manager = SurvivingTokenManager(Redis.from_url(redis_url))
    assert await manager.link_token_to_sid(token, "sid-of-the-dying-worker") is None
    print("linked", flush=True)
    await asyncio.Event().wait()  # until killed


if __name__ == "__main__":
    asyncio.run(hold(sys.argv[1], sys.argv[2]))
