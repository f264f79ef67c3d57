"""The open cabinets' poll: one per worker process, however many tabs are open.

Each open cabinet (CabinetState.watch) waits here for the next round's answer. A round
reads, in a thread, who every waiting token signs in and the fingerprint of each of those
cabinets, in a few statements for all of them: a thousand tabs polled one by one were most
of PostgreSQL's load in the rush and a fifth to a half of each worker's CPU.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import weakref
from concurrent.futures import Future, ThreadPoolExecutor

from navigator.domain.accounts.signin import user_ids_for_tokens
from navigator.domain.enrollment.queries import cabinet_versions
from navigator.domain.shared.db import read_session

WATCH_SECONDS = 2.0  # between rounds
ROUND_SECONDS = 3 * WATCH_SECONDS  # a round the database has not answered by then fails
# the rounds' own thread: the poll never queues behind a parent's click, nor a click behind
# it. One: the rounds of a loop never overlap, and a round still stuck in the database (its
# thread cannot be stopped) fails the next rounds instead of starting more threads behind it.
_ROUNDS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cabinet-poll")
_log = logging.getLogger(__name__)


class RoundFailed(Exception):
    """The round could not read the database; the tab asks again in the next one."""


def cabinet_versions_for(tokens: list[str | None]) -> dict[str | None, int | None]:
    """The fingerprint of the cabinet each token signs in to; None for a token that signs
    nobody in any more (signed out, expired, ended by a password reset, disabled)."""
    with read_session() as session:
        users = user_ids_for_tokens(session, tokens)
        versions = cabinet_versions(session, list(set(users.values())))
    return {token: versions[users[token]] if token in users else None for token in tokens}


class CabinetPoll:
    """The tabs of one event loop waiting for the next round, by session token."""

    def __init__(self) -> None:
        self._waiting: dict[str | None, list[asyncio.Future[int | None]]] = {}
        self._rounds: asyncio.Task[None] | None = None
        self._failed_rounds = 0
        self._reading: Future[dict[str | None, int | None]] | None = None

    async def next_version(self, token: str | None) -> int | None:
        """This token's cabinet fingerprint, read by the next round; None when the token signs
        nobody in; RoundFailed when that round could not read the database."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int | None] = loop.create_future()
        self._waiting.setdefault(token, []).append(future)
        if self._rounds is None or self._rounds.done():
            # a context of its own: not the context of the tab that happened to start it
            self._rounds = loop.create_task(
                self._run(), name="cabinet-poll", context=contextvars.Context()
            )
            self._rounds.add_done_callback(self._ended)
        try:
            return await future
        finally:  # a tab that leaves before its round is not asked about
            waiting = self._waiting.get(token, [])
            if future in waiting:
                waiting.remove(future)
                if not waiting:
                    del self._waiting[token]

    async def _run(self) -> None:
        try:
            while True:
                await asyncio.sleep(WATCH_SECONDS)
                if not self._waiting:  # the next tab to wait starts the rounds again
                    return
                await self._round()
        finally:
            if self._rounds is asyncio.current_task():
                self._rounds = None
            # the rounds stopped (cancelled, or a fault): the tabs still waiting ask again, and
            # the first of them starts the rounds anew
            waiting, self._waiting = self._waiting, {}
            _fail(waiting)

    @staticmethod
    def _ended(rounds: asyncio.Task[None]) -> None:
        if not rounds.cancelled() and rounds.exception() is not None:
            _log.error("The open cabinets' poll stopped", exc_info=rounds.exception())

    async def _round(self) -> None:
        batch, self._waiting = self._waiting, {}  # who waits from now on waits for the next
        try:
            tokens = [t for t, futures in batch.items() if any(not f.done() for f in futures)]
            if not tokens:
                return
            try:
                versions = await asyncio.wait_for(self._read(tokens), timeout=ROUND_SECONDS)
            except Exception:
                if not self._failed_rounds:  # once, not every two seconds while it is down
                    _log.exception("The open cabinets' poll could not read the database")
                self._failed_rounds += 1
                return
            if self._failed_rounds:
                _log.warning(
                    "The open cabinets' poll reads again, %d rounds failed", self._failed_rounds
                )
                self._failed_rounds = 0
            for token in tokens:
                for future in batch[token]:
                    if not future.done():
                        future.set_result(versions[token])
        finally:  # whatever stopped the round (a fault, a timeout, a cancel): none waits on
            _fail(batch)

    async def _read(self, tokens: list[str | None]) -> dict[str | None, int | None]:
        """This round's answers, read in the rounds' thread. A round that timed out leaves
        its thread reading (a thread cannot be stopped); until it is done the next rounds
        fail at once rather than queue behind it, and its late answer, this round's own
        future, reaches nobody."""
        if self._reading is not None and not self._reading.done():
            raise RoundFailed("the last round still reads")
        self._reading = _ROUNDS.submit(cabinet_versions_for, tokens)
        return await asyncio.wrap_future(self._reading)


def _fail(batch: dict[str | None, list[asyncio.Future[int | None]]]) -> None:
    for futures in batch.values():
        for future in futures:
            if not future.done():
                future.set_exception(RoundFailed())


# a poll per event loop: a worker has one; tests run handlers on loops of their own
_polls: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CabinetPoll] = (
    weakref.WeakKeyDictionary()
)


async def next_cabinet_version(token: str | None) -> int | None:
    """The fingerprint of the cabinet this token signs in to, at this worker's next round."""
    loop = asyncio.get_running_loop()
    poll = _polls.get(loop)
    if poll is None:
        poll = _polls[loop] = CabinetPoll()
    return await poll.next_version(token)
