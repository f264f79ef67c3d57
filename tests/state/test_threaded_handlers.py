"""A handler that waits on the database leaves the worker's event loop to the other tabs."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest

from navigator.domain.shared.errors import Busy
from navigator.settings import get_settings
from navigator.state import catalog, program, provider_culture, threaded
from navigator.state.cabinet import CabinetState
from navigator.state.catalog import CatalogState
from navigator.state.culture import CultureState
from navigator.state.culture_operator import CultureOperatorState
from navigator.state.notifications import BellState
from navigator.state.program import ProgramState
from navigator.state.provider import AttendanceState
from navigator.state.provider_cabinet import DeskState
from navigator.state.provider_culture import ProviderCultureState
from navigator.state.threaded import in_thread
from tests.state.test_culture_operator import Upload
from tests.support.handlers import settle

# each handler, and a read it waits on: who is asking, or the municipalities of a search
WAITING = [
    (ProgramState, "apply", (), ProgramState, "_user_id"),
    (ProgramState, "choose_group", ("1",), ProgramState, "_user_id"),
    (ProgramState, "load", (), ProgramState, "_user_id"),
    (CatalogState, "load", (), CatalogState, "_user_id"),
    (CatalogState, "set_query_text", ("шахматы",), catalog, "_towns"),
    (CabinetState, "load", (), CabinetState, "_user_id"),
    (BellState, "load_bell", (), BellState, "_session_token"),
    # the handlers that move money wait on row locks and retry
    (CabinetState, "get_certificate", ({"child_id": "1"},), CabinetState, "_user_id"),
    (CabinetState, "ask_category", ({"child_id": "1"},), CabinetState, "_user_id"),
    (CabinetState, "dispute_charge", ({"entry_id": "1"},), CabinetState, "_user_id"),
    (CabinetState, "confirm_cancel", (), CabinetState, "_user_id"),
    (CabinetState, "accept_offer", ("1", "terms"), CabinetState, "_user_id"),
    (CabinetState, "refuse_offer", ("1",), CabinetState, "_user_id"),
    (AttendanceState, "save_lesson", ({"lesson_date": "2026-09-07"},), AttendanceState, "_user_id"),
    (AttendanceState, "correct", ({"lesson_date": "2026-09-07"},), AttendanceState, "_user_id"),
    (DeskState, "accept", ("1",), DeskState, "_user_id"),
    (DeskState, "reject", ({"reason": "full"},), DeskState, "_user_id"),
    # the culture pass: a school's wallet, its pupils' caps, a session's places, a school's
    # coordinators, a provider's bookings and disputes, the operator's decisions
    (CultureState, "book", (), CultureState, "_user_id"),
    (CultureState, "cancel", ("1",), CultureState, "_user_id"),
    (CultureState, "dispute", ({"comment": "x"},), CultureState, "_user_id"),
    (CultureState, "save_pupil", ({"class": "5A"},), CultureState, "_user_id"),
    (CultureState, "set_pupil_active", ("1", False), CultureState, "_user_id"),
    (CultureState, "remove", (), CultureState, "_user_id"),
    (ProviderCultureState, "save_service", ({},), ProviderCultureState, "_user_id"),
    (ProviderCultureState, "remove_photo", (), ProviderCultureState, "_user_id"),
    (ProviderCultureState, "publish", ({},), ProviderCultureState, "_user_id"),
    (ProviderCultureState, "save_session", ({},), ProviderCultureState, "_user_id"),
    (ProviderCultureState, "accept_dispute", ("1",), ProviderCultureState, "_user_id"),
    (ProviderCultureState, "contest", ({"reason": "x"},), ProviderCultureState, "_user_id"),
    (ProviderCultureState, "confirm", ("1",), ProviderCultureState, "_user_id"),
    (ProviderCultureState, "decline", ({"reason": "x"},), ProviderCultureState, "_user_id"),
    (ProviderCultureState, "record_attendance", ({},), provider_culture, "utcnow"),
    (CultureState, "import_roster", ([Upload(b"class,first_name")],), CultureState, "_user_id"),
    (ProviderCultureState, "upload_photo", ([Upload(b"")],), ProviderCultureState, "_user_id"),
    (CultureOperatorState, "open_year", ({},), CultureOperatorState, "_user_id"),
    (CultureOperatorState, "remove", (), CultureOperatorState, "_user_id"),
    (CultureOperatorState, "correct", ({"pupils": "5"},), CultureOperatorState, "_user_id"),
    (CultureOperatorState, "approve", ("1",), CultureOperatorState, "_user_id"),
    (CultureOperatorState, "decide", ({"reason": "x"},), CultureOperatorState, "_user_id"),
    (CultureOperatorState, "decide_dispute", ({},), CultureOperatorState, "_user_id"),
]

# what a tab holds before the handler reads who is asking (the form asked about first)
PRESET: dict[tuple[type, str], dict[str, str]] = {
    (ProviderCultureState, "contest"): {"contesting": "1"},
    (ProviderCultureState, "upload_photo"): {"editing": "1"},
    (CultureOperatorState, "remove"): {"removing": "1:2"},
    (CultureOperatorState, "correct"): {"correcting": "1"},
    (CultureOperatorState, "decide"): {"deciding": "reject:1"},
    (CultureOperatorState, "decide_dispute"): {"deciding_dispute": "uphold:1"},
}


@pytest.mark.parametrize(("screen", "name", "args", "owner", "read"), WAITING)
def test_the_loop_serves_others_while_the_handler_waits(
    monkeypatch, screen, name, args, owner, read
):
    """The handler waits on a read while another tab's work must run on the loop: a handler
    run on the loop itself would wait for it forever (here: 10 s, then fail)."""
    others_ran = threading.Event()

    def waiting_read(*_args):
        assert others_ran.wait(10), "the handler held the event loop while it waited"
        raise Looked()  # the rest of the handler is not what this test is about

    monkeypatch.setattr(owner, read, waiting_read)
    state = screen(_reflex_internal_init=True)
    for field, value in PRESET.get((screen, name), {}).items():
        setattr(state, field, value)

    async def another_tab() -> None:
        others_ran.set()

    async def both() -> None:
        handler = getattr(screen, name).fn(state, *args)
        await asyncio.gather(handler, another_tab())

    with pytest.raises(Looked):
        settle(both())


class Looked(Exception):
    pass


def test_a_cancelled_event_keeps_the_state_until_its_thread_is_done():
    """Reflex cancels a page load superseded by the next one: the state stays locked until
    the handler's thread has stopped writing to it."""
    release, wrote = threading.Event(), []

    @in_thread
    def slow_handler() -> None:
        assert release.wait(10)
        wrote.append("the last write")

    async def cancelled() -> list[str]:
        event = asyncio.ensure_future(slow_handler())
        for _ in range(5):
            await asyncio.sleep(0)
        event.cancel()
        for _ in range(5):
            await asyncio.sleep(0)
        assert not event.done(), "the event ended while its thread still ran"
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await event
        return list(wrote)

    assert settle(cancelled()) == ["the last write"]


class Clock:
    """The worker's clock, moved by the test: `late` seconds pass while a handler waits for
    a thread (between its queueing and its start)."""

    def __init__(self, late: float) -> None:
        self.now, self.late, self.calls = 1000.0, late, 0

    def __call__(self) -> float:
        self.calls += 1
        if self.calls == 2:  # the second reading is the thread's start
            self.now += self.late
        return self.now


def _toast_call(answer) -> str:
    """The script a handler answered with: Reflex's call of sonner's toast."""
    return str(answer.args[0][1])


@pytest.mark.parametrize("lang", ["ru", "lt", "en"])
def test_a_handler_that_waited_too_long_for_a_thread_is_not_run_and_says_busy(monkeypatch, lang):
    """A saturated worker: the handler would start too late to finish within the tab's state
    lock. It does nothing, and the person reads, in the tab's language, that nothing was done."""
    monkeypatch.setattr(threaded, "_clock", Clock(late=threaded.shed_after() + 0.5))
    applied = []
    monkeypatch.setattr(program, "apply_to_group", lambda *args, **kw: applied.append(args))
    state = ProgramState(_reflex_internal_init=True)
    state.locale_choice = lang
    state.terms_accepted = True
    state.child_id, state.group_id, state.error = "1", "2", "earlier"

    answer = settle(ProgramState.apply.fn(state))

    assert applied == []
    assert (state.error, state.notice) == ("earlier", "")  # the tab as it was
    words = json.dumps(Busy().message(lang))  # as JavaScript, escaped
    assert f'["warning"]({words}, ({{ ["id"] : "{threaded.BUSY_TOAST}" }})' in _toast_call(answer)


def test_a_handler_that_waited_a_little_runs(monkeypatch):
    monkeypatch.setattr(threaded, "_clock", Clock(late=threaded.shed_after() - 0.5))
    ran = []

    @in_thread
    def handler(state) -> str:
        ran.append(state)
        return "done"

    assert settle(handler("tab")) == "done"
    assert ran == ["tab"]


def test_shedding_is_logged_once_a_while_with_its_count(monkeypatch, caplog):
    """A rush sheds many handlers: the log counts them instead of a line each."""
    monkeypatch.setattr(threaded, "_shed", {"count": 0, "logged_at": 0.0})
    times = iter([0.0, 100.0, 100.0] + [100.0, 200.0, 101.0] * 3 + [200.0, 300.0, 111.0])
    monkeypatch.setattr(threaded, "_clock", lambda: next(times))

    @in_thread
    def handler() -> None:
        raise AssertionError("a shed handler never runs")

    with caplog.at_level("WARNING", logger=threaded.__name__):
        for _ in range(5):
            settle(handler())
    counts = [r.getMessage().split(": ")[1].split()[0] for r in caplog.records]
    assert counts == ["1", "4"]  # the first at once; the next four once 10 s had passed


def test_handlers_run_on_as_many_threads_as_the_settings_say(monkeypatch):
    """`handler_threads` handlers wait for the database at once; one more waits for a thread."""
    monkeypatch.setenv("NAVIGATOR_HANDLER_THREADS", "3")
    monkeypatch.setattr(threaded, "SHED_SHARE", 1000.0)  # however loaded the machine: no shed
    get_settings.cache_clear()
    release = threading.Event()
    running: list[str] = []

    @in_thread
    def waits(state) -> None:
        running.append(threading.current_thread().name)
        assert release.wait(10)

    async def four_at_once() -> list[str]:
        async with threaded.handler_threads():
            handlers = [asyncio.ensure_future(waits(None)) for _ in range(4)]
            while len(running) < 3:
                await asyncio.sleep(0.01)
            for _ in range(20):  # the fourth has every chance to start, and must not
                await asyncio.sleep(0.01)
            started = list(running)
            release.set()
            await asyncio.gather(*handlers)
            return started

    try:
        started = settle(four_at_once())
    finally:
        get_settings.cache_clear()
    assert len(started) == 3 and all(name.startswith("handler") for name in started)
    assert len(running) == 4


def test_the_last_states_are_written_after_the_handler_threads_end():
    """Reflex's state manager flushes its last writes through the loop's default executor
    after the app's lifespan tasks have ended: the threads must still take them."""

    async def stop_then_flush() -> str:
        async with threaded.handler_threads():
            pass
        return await asyncio.get_running_loop().run_in_executor(None, lambda: "written")

    assert settle(stop_then_flush()) == "written"


def test_a_late_handler_that_is_never_shed_runs(monkeypatch):
    monkeypatch.setattr(threaded, "_clock", Clock(late=threaded.shed_after() + 60))

    @threaded.in_thread_unshed
    def load(state) -> str:
        return "loaded"

    assert settle(load("tab")) == "loaded"


def test_no_page_load_is_ever_shed():
    """A shed load would leave the page showing what the tab showed before: the previous
    program's title, groups and terms at this program's address."""
    import importlib
    import pkgutil

    from reflex.state import BaseState

    import navigator.state as states

    for module in pkgutil.iter_modules(states.__path__):
        importlib.import_module(f"navigator.state.{module.name}")

    def every(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from every(sub)

    threaded_loads = {
        (cls.__name__, name): handler.fn.sheds
        for cls in every(BaseState)
        if cls.__module__.startswith("navigator.state")
        for name, handler in cls.event_handlers.items()
        if name.startswith("load") and hasattr(handler.fn, "sheds")
    }
    assert ("ProgramState", "load") in threaded_loads  # the check looks at something
    assert [load for load, sheds in threaded_loads.items() if sheds] == []


def test_a_handler_whose_state_lock_is_old_is_shed_though_a_thread_is_free(monkeypatch):
    """On a saturated worker the state's read from Redis can take most of the lock's time
    before a thread is even asked for: the budget runs from the lock."""
    monkeypatch.setattr(threaded, "_clock", lambda: 1000.0)  # the thread starts at once
    ran = []

    @in_thread
    def handler(state) -> str:
        ran.append(state)
        return "done"

    async def locked_at(age: float) -> object:
        threaded.STATE_LOCKED_AT.set(1000.0 - age)
        return await handler("tab")

    assert settle(locked_at(threaded.shed_after() - 0.5)) == "done"
    assert _toast_call(settle(locked_at(threaded.shed_after() + 0.5))).count("warning") == 1
    assert ran == ["tab"]
