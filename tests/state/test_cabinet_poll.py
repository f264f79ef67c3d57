"""The open cabinets' poll: one round a worker answers every waiting tab in the same few
statements however many tabs wait, forgets a tab that left, and a round the database does
not answer fails only its own answers (the tabs ask again in the next one)."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest
from sqlalchemy import event

import navigator.domain.shared.db as db
import navigator.state.cabinet_watch as cabinet_watch
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role
from navigator.domain.accounts.signin import start_session, token_hash
from navigator.domain.enrollment.api import accept_application
from navigator.domain.shared.db import make_engine
from navigator.domain.shared.models import utcnow
from navigator.state.cabinet_watch import (
    CabinetPoll,
    RoundFailed,
    cabinet_versions_for,
    next_cabinet_version,
)
from tests.factories import PASSWORD, build_world
from tests.support.handlers import settle


class Statements:
    """Every statement the engine sends, with its parameters (not SQLite's BEGIN)."""

    def __init__(self, engine) -> None:
        self.engine, self.sent = engine, []

    def __enter__(self) -> list[tuple[str, object]]:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self.sent

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, _conn, _cursor, statement, parameters, *_args) -> None:
        if statement.strip().upper() != "BEGIN":
            self.sent.append((statement, parameters))


@pytest.fixture
def world(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    monkeypatch.setattr(cabinet_watch, "WATCH_SECONDS", 0.05)
    return build_world(engine)


@pytest.fixture
def tabs(world) -> list[str]:
    """Thirty open cabinets: the world's parent in two tabs, an applied and accepted child
    of theirs, and 28 other parents signed in."""
    applied = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, applied, today=world.today)
    with world.tx() as s:
        tokens = [start_session(s, world.parent.user_id, utcnow()).token for _ in range(2)]
        for n in range(28):
            user = create_user(
                s, f"poll{n}@example.org", PASSWORD, roles=((Role.PARENT, None, None),)
            )
            tokens.append(start_session(s, user.id, utcnow()).token)
    return tokens


def test_a_round_costs_the_same_statements_for_3_tabs_and_for_30(engine, tabs):
    cabinet_versions_for(tabs)  # the pool's connection is open before counting
    counts = {}
    for size in (3, 30):
        with Statements(engine) as sent:
            versions = cabinet_versions_for(tabs[:size])
        counts[size] = len(sent)
        assert set(versions) == set(tabs[:size]) and None not in versions.values()
    # who the tokens sign in, then three for the cabinets. PostgreSQL's pool also pings the
    # connection it hands out (pre-ping): one more a round, not a tab, and not counted here
    # (the event sees the statements sent on a cursor, not the ping)
    assert counts == {3: 4, 30: 4}
    # each tab's answer is the one it would get alone
    together = cabinet_versions_for([*tabs, None, "forged"])
    assert together == {
        token: cabinet_versions_for([token])[token] for token in [*tabs, None, "forged"]
    }
    assert together[None] is None and together["forged"] is None
    assert together[tabs[0]] == together[tabs[1]] != together[tabs[2]]


def test_the_waiting_tabs_are_answered_together_in_one_round(engine, tabs):
    waiting = [*tabs[:5], tabs[0], None, "forged"]  # one parent in two tabs, two nobodies

    async def open_tabs():
        return await asyncio.gather(*(next_cabinet_version(token) for token in waiting))

    with Statements(engine) as sent:
        answers = settle(open_tabs())
    assert len(sent) == 4
    assert answers == [cabinet_versions_for([token])[token] for token in waiting]


def test_a_tab_that_leaves_is_no_longer_asked_about(engine, tabs):
    staying, leaving = tabs[2], tabs[3]
    poll = CabinetPoll()

    async def one_leaves():
        stays = asyncio.ensure_future(poll.next_version(staying))
        leaves = asyncio.ensure_future(poll.next_version(leaving))
        await asyncio.sleep(0)  # both wait for the round now
        leaves.cancel()
        await asyncio.sleep(0)
        waiting = set(poll._waiting)
        answer = await stays
        await asyncio.sleep(cabinet_watch.WATCH_SECONDS * 3)
        return waiting, answer, poll._rounds

    with Statements(engine) as sent:
        waiting, answer, rounds = settle(one_leaves())
    assert waiting == {staying}
    assert answer == cabinet_versions_for([staying])[staying]
    asked = " ".join(repr(parameters) for _statement, parameters in sent)
    assert token_hash(staying) in asked and token_hash(leaving) not in asked
    assert rounds is None  # nobody waits: no rounds run until a tab waits again


def _unreachable(engine):
    """A real database the poll cannot open: a file in a missing directory, a closed port."""
    if engine.dialect.name == "sqlite":
        return make_engine("sqlite:////nonexistent/directory/navigator.db")
    return make_engine(
        "postgresql://nobody@127.0.0.1:9/navigator", connect_args={"connect_timeout": 2}
    )


def test_a_round_the_database_does_not_answer_fails_only_its_own_answers(
    engine, tabs, monkeypatch, caplog
):
    down = _unreachable(engine)
    token = tabs[0]

    async def two_rounds_then_one() -> list[object]:
        answers: list[object] = []
        monkeypatch.setattr(db, "get_engine", lambda: down)
        for _ in range(2):
            try:
                answers.append(await next_cabinet_version(token))
            except RoundFailed as failed:
                answers.append(failed)
        monkeypatch.setattr(db, "get_engine", lambda: engine)
        answers.append(await next_cabinet_version(token))
        return answers

    with caplog.at_level(logging.WARNING, logger=cabinet_watch.__name__):
        first, second, third = settle(two_rounds_then_one())
    down.dispose()
    assert isinstance(first, RoundFailed) and isinstance(second, RoundFailed)
    assert third == cabinet_versions_for([token])[token] and third is not None
    said = [r.getMessage() for r in caplog.records if r.name == cabinet_watch.__name__]
    assert said == [
        "The open cabinets' poll could not read the database",
        "The open cabinets' poll reads again, 2 rounds failed",
    ]


def test_a_round_stopped_mid_read_fails_its_tabs_and_the_next_tab_restarts_the_rounds(tabs):
    token = tabs[0]
    poll = CabinetPoll()

    async def stopped_then_asked_again() -> tuple[object, object, object]:
        waiting = asyncio.ensure_future(poll.next_version(token))
        while poll._reading is None:  # the round's thread reads now
            await asyncio.sleep(0.005)
        rounds = poll._rounds
        assert rounds is not None
        rounds.cancel()  # a worker's loop shutting down, say: the round dies mid-read
        try:
            first: object = await waiting
        except RoundFailed as failed:
            first = failed
        stopped = poll._rounds
        while not poll._reading.done():  # the stopped round's thread ends its read
            await asyncio.sleep(0.005)
        return first, stopped, await poll.next_version(token)

    first, stopped, again = settle(stopped_then_asked_again())
    assert isinstance(first, RoundFailed)  # not left waiting forever
    assert stopped is None
    assert again == cabinet_versions_for([token])[token] and again is not None


def test_a_round_the_database_does_not_answer_in_time_fails_without_piling_up_threads(
    tabs, monkeypatch, caplog
):
    """A stalled database: the round waits ROUND_SECONDS at most; while its thread still
    reads, the next rounds fail at once without starting another, and its late answer goes
    to nobody."""
    token, stalled, reads = tabs[0], threading.Event(), []
    read = cabinet_watch.cabinet_versions_for

    def stalling(tokens):  # the real read, behind a database that does not answer yet
        reads.append(tokens)
        stalled.wait(10)
        return read(tokens)

    monkeypatch.setattr(cabinet_watch, "cabinet_versions_for", stalling)
    monkeypatch.setattr(cabinet_watch, "ROUND_SECONDS", 0.2)
    poll = CabinetPoll()

    async def asked(times: int) -> list[object]:
        answers: list[object] = []
        for _ in range(times):
            try:
                answers.append(await poll.next_version(token))
            except RoundFailed as failed:
                answers.append(failed)
        return answers

    async def stall_then_answer() -> tuple[list[object], list[object]]:
        started = asyncio.get_running_loop().time()
        during = await asked(3)
        waited = asyncio.get_running_loop().time() - started
        assert waited < cabinet_watch.ROUND_SECONDS + cabinet_watch.WATCH_SECONDS * 3 + 1
        stalled.set()  # the database answers the first round, late
        while not poll._reading.done():
            await asyncio.sleep(0.005)
        return during, await asked(1)

    with caplog.at_level(logging.WARNING, logger=cabinet_watch.__name__):
        during, after = settle(stall_then_answer())
    assert all(isinstance(answer, RoundFailed) for answer in during)
    assert after == [read([token])[token]] and after[0] is not None
    assert len(reads) == 2  # the stalled round's thread, then the one after it: no pile-up
