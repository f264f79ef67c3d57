"""The open cabinet's watch itself (CabinetState.watch), run as Reflex runs a background
event: through a real state manager, `async with self` taking the tab's state, on a real
database with a short round. It refreshes the page when the provider acts, rides out rounds
the database does not answer, ends when the tab leaves the cabinet or its session ends, and
follows a new sign-in in the same tab."""

from __future__ import annotations

import asyncio
import contextvars
import uuid
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from redis.asyncio import Redis
from reflex import constants
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.redis import StateManagerRedis
from reflex.istate.manager.token import BaseStateToken
from reflex.istate.proxy import StateProxy
from reflex.state import State
from reflex_base.event.context import EventContext

import navigator.domain.shared.db as db
import navigator.navigator  # noqa: F401  (every page's state, as the app has them)
import navigator.state.cabinet as cabinet
import navigator.state.cabinet_watch as cabinet_watch
from navigator.domain.accounts.signin import sign_out, start_session
from navigator.domain.enrollment.api import accept_application
from navigator.domain.shared.models import utcnow
from navigator.locale import SESSION_COOKIE
from navigator.state.app import AppState
from navigator.state.cabinet import CabinetState
from navigator.state.catalog import CatalogState
from tests.factories import build_world
from tests.state.test_cabinet_poll import _unreachable

TAB = "tab"


def settle(scene: Coroutine[Any, Any, Any]) -> Any:
    """The scene run to its end on a loop of its own (the browser tests leave one running in
    this thread), in this thread's context: Reflex finds its registered states there."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(contextvars.copy_context().run, asyncio.run, scene).result()


def _router(path: str, token: str) -> dict:
    return {
        constants.RouteVar.PATH: path,
        constants.RouteVar.ORIGIN: path,
        constants.RouteVar.QUERY: {},
        constants.RouteVar.HEADERS: {
            "origin": "http://localhost:3000",
            "cookie": f"{SESSION_COOKIE}={token}",
        },
        constants.RouteVar.CLIENT_TOKEN: TAB,
        constants.RouteVar.SESSION_ID: "socket",
        constants.RouteVar.CLIENT_IP: "127.0.0.1",
    }


class Tab:
    """One browser tab on the cabinet: its state in a real StateManagerMemory, the watch
    started by the page's load as Reflex starts a background event."""

    def __init__(self) -> None:
        self.manager = StateManagerMemory()
        # the tab's whole tree, as a new tab gets it
        key = BaseStateToken(ident=TAB, cls=CabinetState).cache_key
        self.manager.states[key] = State(_reflex_internal_init=True)
        self.deltas: list[dict] = []
        self.watch: asyncio.Task | None = None

    async def _emit(self, _token: str, delta) -> None:
        self.deltas.append(dict(delta))

    async def _enqueue(self, _token: str, *_events) -> None:
        return None

    async def navigate(self, path: str, token: str) -> None:
        async with self.manager.modify_state(BaseStateToken(ident=TAB, cls=CabinetState)) as root:
            root.router_data = root._update_router_vars(_router(path, token), root.router_data)

    async def open(self, token: str) -> None:
        EventContext.set(
            EventContext(
                token=TAB,
                state_manager=self.manager,
                enqueue_impl=self._enqueue,
                emit_delta_impl=self._emit,
            )
        )
        await self.navigate(cabinet.routes.CABINET, token)
        async with self.manager.modify_state(BaseStateToken(ident=TAB, cls=CabinetState)) as root:
            state = await root.get_state(CabinetState)
            assert await CabinetState.load.fn(state) == CabinetState.watch  # the load starts it
            proxy = StateProxy(state)
        self.watch = asyncio.ensure_future(CabinetState.watch.fn(proxy))
        await self.until(lambda: self.read(lambda s: s._watching))  # it took the tab's session

    async def read(self, what: Callable[[CabinetState], object]) -> object:
        async with self.manager.modify_state(BaseStateToken(ident=TAB, cls=CabinetState)) as root:
            return what(await root.get_state(CabinetState))

    async def statuses(self) -> list[str]:
        return await self.read(lambda s: [e.status for e in s.enrollments])  # type: ignore[return-value]

    async def until(self, done: Callable[[], object], *, rounds: int = 40) -> None:
        """Wait, a round at a time, until `done()` (an awaitable's result or a value) holds."""
        for _ in range(rounds):
            result = done()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            await asyncio.sleep(cabinet_watch.WATCH_SECONDS)
        raise AssertionError("the watch did not get there")


@pytest.fixture
def world(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    monkeypatch.setattr(cabinet_watch, "WATCH_SECONDS", 0.05)
    return build_world(engine)


def _signed_in(world) -> str:
    with world.tx() as s:
        return start_session(s, world.parent.user_id, utcnow()).token


def test_the_watch_refreshes_the_cabinet_when_the_provider_accepts_even_after_failed_rounds(
    engine, world, monkeypatch
):
    token, applied = _signed_in(world), world.apply()
    down = _unreachable(engine)

    async def scene() -> tuple[list[str], list[str], bool]:
        tab = Tab()
        await tab.open(token)
        before = await tab.statuses()
        monkeypatch.setattr(db, "get_engine", lambda: down)  # a few rounds fail
        loop = asyncio.get_running_loop()
        await tab.until(lambda: loop in cabinet_watch._polls)  # the watch waits for a round
        failed = cabinet_watch._polls[loop]
        await tab.until(lambda: failed._failed_rounds >= 2)
        monkeypatch.setattr(db, "get_engine", lambda: engine)
        with world.tx() as s:
            accept_application(s, world.provider_user, applied, today=world.today)
        await tab.until(lambda: _changed(tab, before))
        still = tab.watch is not None and not tab.watch.done()
        after = await tab.statuses()
        tab.watch.cancel()
        return before, after, still

    try:
        before, after, still = settle(scene())
    finally:
        down.dispose()
    assert before != after and still  # refreshed, and the failed rounds did not end it


async def _changed(tab: Tab, before: list[str]) -> bool:
    return await tab.statuses() != before


def test_leaving_the_cabinet_ends_the_watch_at_its_next_look(world, monkeypatch):
    monkeypatch.setattr(cabinet, "WATCH_PAGE_EVERY", 3)
    token = _signed_in(world)

    async def scene() -> tuple[bool, bool]:
        tab = Tab()
        await tab.open(token)
        await tab.navigate("/catalog", token)  # nothing changes in the cabinet meanwhile
        await tab.until(lambda: tab.watch.done())
        return tab.watch.exception() is None, await tab.read(lambda s: s._watching)

    ended_well, watching = settle(scene())
    assert ended_well and watching is False  # a later visit starts a new watch


def test_signing_out_ends_the_watch(world):
    token = _signed_in(world)

    async def scene() -> object:
        tab = Tab()
        await tab.open(token)
        with world.tx() as s:
            sign_out(s, token)
        await tab.until(lambda: tab.watch.done())
        return await tab.read(lambda s: (s._watching, s.enrollments))

    assert settle(scene()) == (False, [])


def test_a_new_sign_in_in_the_same_tab_is_followed(world):
    first, applied = _signed_in(world), world.apply()

    async def scene() -> tuple[list[str], list[str], bool]:
        tab = Tab()
        await tab.open(first)
        before = await tab.statuses()
        second = _signed_in(world)
        await tab.navigate(cabinet.routes.CABINET, second)  # signed in again in this tab
        with world.tx() as s:
            sign_out(s, first)  # the first session is over: the watch goes on with the new one
        with world.tx() as s:
            accept_application(s, world.provider_user, applied, today=world.today)
        await tab.until(lambda: _changed(tab, before))
        following = not tab.watch.done()
        after = await tab.statuses()
        tab.watch.cancel()
        return before, after, following

    before, after, following = settle(scene())
    assert following and before != after


def test_the_looks_at_an_unchanged_cabinet_leave_the_tabs_state_alone(world, monkeypatch):
    """A thousand open cabinets that show nothing new must not each take, read and write
    their state every half minute: the look reads the stored page and cookie only."""
    monkeypatch.setattr(cabinet, "WATCH_PAGE_EVERY", 2)
    token = _signed_in(world)
    looks: list[bool] = []
    still_shown = cabinet._still_shown

    async def counted(session: str | None) -> bool:
        looks.append(await still_shown(session))
        return looks[-1]

    monkeypatch.setattr(cabinet, "_still_shown", counted)

    async def scene() -> tuple[int, list[bool], bool]:
        tab = Tab()
        taken = 0
        modify_state = tab.manager.modify_state

        def counting(*args, **kwargs):
            nonlocal taken
            taken += 1
            return modify_state(*args, **kwargs)

        await tab.open(token)
        tab.manager.modify_state = counting  # type: ignore[method-assign]
        await tab.until(lambda: len(looks) >= 4)
        taken_while_unchanged = taken
        await tab.navigate("/catalog", token)
        await tab.until(lambda: tab.watch.done())
        return taken_while_unchanged, looks, tab.watch.exception() is None

    taken, seen, ended_well = settle(scene())
    assert taken == 0
    assert seen[:4] == [True] * 4 and seen[-1] is False and ended_well


def test_a_look_reads_the_cabinets_states_only_from_redis(redis_server):
    """Through Reflex's Redis manager, as the workers run it: the look reads the tab's root,
    the app state and the cabinet, not every page's state the tab ever opened."""
    ident = uuid.uuid4().hex
    tab = BaseStateToken(ident=ident, cls=CabinetState)

    async def scene() -> tuple[bool, bool, set[str]]:
        redis = Redis.from_url(redis_server.url)
        manager = StateManagerRedis(redis=redis)
        try:
            root = State(_reflex_internal_init=True)
            root.router_data = root._update_router_vars(
                _router(cabinet.routes.CABINET, "session"), root.router_data
            )
            await root.get_state(CatalogState)  # a page the tab saw before
            await manager.set_state(tab, root)
            read: set[str] = set()
            mget = redis.mget

            async def recording(keys, *args, **kwargs):
                read.update(keys)
                return await mget(keys, *args, **kwargs)

            redis.mget = recording  # type: ignore[method-assign]
            EventContext.set(
                EventContext(
                    token=ident,
                    state_manager=manager,
                    enqueue_impl=Tab()._enqueue,
                    emit_delta_impl=Tab()._emit,
                )
            )
            return (
                await cabinet._still_shown("session"),
                await cabinet._still_shown("another session"),
                read,
            )
        finally:
            await redis.aclose()

    same, other, read = settle(scene())
    assert same and not other
    wanted = {tab._state_key(cls) for cls in (State, AppState, CabinetState)}
    assert wanted <= read
    assert tab._state_key(CatalogState) not in read
    assert len(read) <= len(wanted) + 3  # Reflex's own internal states at most
