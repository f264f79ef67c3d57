"""The rush's client speaks the page's protocol to a real app, and its checks can fail.

The app runs as the Reflex backend alone (`reflex run --env prod --backend-only`): the
event channel, the sign-in forms and the provider API are all there, and no frontend is
built (the client then asks for the whole state on connect, as an old frontend does,
instead of sending the compiled state's hashes). The world is tiny: 5 parents for one
group of 2 seats, on SQLite with a throwaway Meilisearch.
"""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from bench.rush.checks import check, raw_errors, tracebacks_by_kind
from bench.rush.indexing import IndexingMeter, seconds
from bench.rush.load import Pace, Rush, wait_for_index
from bench.rush.world import World, build_world, catalog_size
from navigator.devserver import app_environment, stop_app, wait_until_serving
from navigator.domain.shared.db import make_engine, transaction
from navigator.domain.shared.migrate import upgrade
from navigator.settings import PROJECT_ROOT
from search.server import MeiliServer, free_port
from tests.support.availability import service_unavailable


@dataclass
class App:
    url: str
    engine: object
    world: World
    log: Path


@pytest.fixture(scope="module")
def app(meili_server: MeiliServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    workdir = tmp_path_factory.mktemp("rush")
    database_url = f"sqlite:///{workdir / 'rush.db'}"
    upgrade(database_url)
    engine = make_engine(database_url)
    world = build_world(engine, parents=5, seats=2, groups=1, form_sign_in_share=0.4)
    env = app_environment(meili_server.url, meili_server.master_key)
    env["DATABASE_URL"] = database_url
    env["REFLEX_WEB_WORKDIR"] = str(workdir / "web")
    env["REFLEX_STATES_WORKDIR"] = str(workdir / "states")
    port = free_port()
    log = workdir / "app.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "reflex", "run", "--env", "prod", "--backend-only",
             "--backend-port", str(port), "--backend-host", "127.0.0.1"],
            cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            try:
                wait_until_serving(f"http://localhost:{port}/ping", process, 300)
            except (RuntimeError, TimeoutError) as error:
                service_unavailable(f"the app did not start: {error}\n{log.read_text()[-2000:]}")
            wait_for_index(f"http://localhost:{port}", catalog_size(engine))
            yield App(f"http://localhost:{port}", engine, world, log)
        finally:
            stop_app(process)
            engine.dispose()


@pytest.fixture(scope="module")
def rushed(app: App, meili_server: MeiliServer) -> dict:
    rush = Rush(
        app.url, app.world, sessions=5, ramp_seconds=2, hold_seconds=4, pace=Pace().scaled(0.05)
    )
    indexing = IndexingMeter(meili_server.url, meili_server.master_key)
    indexing.start()
    figures = asyncio.run(rush.run())
    return {"figures": figures, "outcomes": rush.stats.outcomes, "indexing": indexing.report()}


def test_parents_apply_through_the_event_channel_and_nobody_is_left_untold(app, rushed):
    figures, outcomes = rushed["figures"], rushed["outcomes"]
    assert figures["errors"] == {}, figures
    assert figures["peak_open_tabs"] == 5
    # every parent went the whole way: catalog, search, program, apply, cabinet
    assert [o.applied for o in outcomes] == ["sent"] * 5, outcomes
    assert figures["latency"]["apply"]["n"] == 5
    assert figures["latency"]["sign_in"]["n"] >= 1  # some signed in through the form
    result = check(app.engine, app.world, outcomes, [app.log])
    assert result["seats"]["seats_taken"] == 2  # the provider accepted through its API
    assert result["seats"]["oversold"] == 0
    assert result["told_why"]["not_told"] == 0, result["told_why"]
    told = result["told_why"]["outcomes"]
    assert told.get("waitlisted", 0) + told.get("rejected", 0) == 3, told
    assert result["ledger_invariants"] == "hold"
    assert result["passed"], result
    assert figures["attendance_marks"] > 0  # registers uploaded meanwhile


def test_the_relays_indexing_during_the_rush_is_counted_in_meilisearchs_words(rushed):
    """Each application changes its program's free seats: the relay sends it to the index."""
    indexing = rushed["indexing"]
    assert indexing["tasks_by_type"].get("documentAdditionOrUpdate", 0) >= 1, indexing
    assert indexing["documents_sent"] >= 1
    assert 1 <= indexing["batches"] <= indexing["tasks"]
    assert indexing["batch_seconds"] > 0


def test_meilisearchs_durations_are_read_in_seconds():
    assert seconds("PT0.012S") == pytest.approx(0.012)
    assert seconds("PT1M3.5S") == pytest.approx(63.5)
    assert seconds("PT2H") == 7200
    assert seconds(None) == 0


def test_the_checks_catch_an_oversold_seat_and_a_parent_not_told(app, rushed):
    outcomes = rushed["outcomes"]
    group = app.world.programs[0].group_id
    with transaction(app.engine) as s:  # a third child seated in a group of two
        s.execute(
            text(
                "UPDATE enrollment SET status = 'accepted' WHERE id = (SELECT min(id) FROM"
                " enrollment WHERE group_id = :g AND status IN ('waitlisted', 'rejected'))"
            ),
            {"g": group},
        )
    result = check(app.engine, app.world, outcomes, [app.log])
    assert result["seats"]["oversold"] >= 1
    assert not result["passed"]
    with transaction(app.engine) as s:  # and one refused without the parent seeing it
        s.execute(
            text(
                "UPDATE enrollment SET status = 'rejected', reason = 'changed behind their"
                " back' WHERE id = (SELECT max(id) FROM enrollment WHERE group_id = :g"
                " AND status IN ('waitlisted', 'rejected'))"
            ),
            {"g": group},
        )
    result = check(app.engine, app.world, outcomes, [app.log])
    assert result["told_why"]["not_told"] == 1, result["told_why"]


def test_a_parent_whose_session_broke_off_is_not_told(app, rushed):
    outcomes = rushed["outcomes"]
    before = check(app.engine, app.world, outcomes, [app.log])["told_why"]["not_told"]
    broken = [
        dataclasses.replace(
            outcomes[0], error="program page without the family's children", applied=""
        ),
        *outcomes[1:],
    ]
    result = check(app.engine, app.world, broken, [app.log])
    assert result["told_why"]["not_told"] == before + 1, result["told_why"]
    assert not result["passed"]
    shed = [dataclasses.replace(outcomes[0], error="busy"), *outcomes[1:]]  # the page said so
    assert check(app.engine, app.world, shed, [app.log])["told_why"]["not_told"] == before


def test_a_traceback_in_a_log_is_a_raw_error(tmp_path):
    log = tmp_path / "app.log"
    log.write_text("ok\nTraceback (most recent call last):\n  ...\nsqlalchemy.exc.OperationalError")
    found = raw_errors([log])
    assert found["traceback"] == 1 and found["OperationalError"] == 1
    assert not any(raw_errors([tmp_path / "missing.log"]).values())


# a worker's log as a rush left it: Reflex's console wraps at 80 columns, names included
WRAPPED_LOCK_EXPIRY = """WARNING reflex.istate.manager.redis: Lock for token 2a50f3bf was held
[Reflex Backend Exception]
 Traceback (most recent call last):
  File
"/work/main/.venv/lib/python3.11/site-packages/reflex/istate/manager/redis.py",
line 479, in set_state
    raise LockExpiredError(msg)
reflex_base.utils.exceptions.LockExpiredError: Lock expired for token
c26e9407-ba10-4ff3-8cdf-62899354c019_reflex___state____state.navigator___state__
_app____app_state.navigator___state___program____program_state while processing.
Consider increasing `app.state_manager.lock_expiration` (currently 10000) or use
`@rx.event(background=True)` decorator for long-running tasks. Current lock id:
None, expected lock id:
b'reflex___state____state.navigator___state___app____app_state.navigator___state
___program____program_state.apply:4000058aa4b443b4b91e80842019d35d'. Happened in
event:
reflex___state____state.navigator___state___app____app_state.navigator___state__
_program____program_state.apply


WARNING reflex.istate.manager.redis: Lock for token d743f6ae was held
"""


def test_tracebacks_are_counted_by_exception_and_the_event_that_raised_it(tmp_path):
    log = tmp_path / "worker-1.log"
    plain = "Traceback (most recent call last):\n  File x\nValueError: no\n\n"
    # a worker's plain record may follow a traceback with no empty line between
    glued = WRAPPED_LOCK_EXPIRY.rstrip("\n") + "\nWARNING reflex.istate.manager.redis: Lock for\n\n"
    log.write_text(WRAPPED_LOCK_EXPIRY * 2 + glued + plain)
    assert tracebacks_by_kind([log]) == {
        "LockExpiredError in program_state.apply": 3,
        "ValueError": 1,
    }
    assert raw_errors([log])["traceback"] == 4


def test_a_tab_knows_the_worker_shed_its_event_from_the_toast_it_was_sent():
    """The update a shed handler sends, as Reflex writes it on the wire (`threaded`'s toast
    in an event): the simulated parent reads "busy", and only from what came after."""
    import json

    import reflex as rx
    from reflex_base.event import Event
    from reflex_base.utils import format as reflex_format

    from bench.rush.protocol import Frontend, Tab
    from navigator.state.threaded import BUSY_TOAST

    def update(*specs) -> dict:
        events = [Event.from_event_type(spec)[0] for spec in specs]
        return json.loads(reflex_format.json_dumps({"delta": {}, "events": events}))

    tab = Tab("http://app", Frontend(None, None, None))
    before = tab.mark()
    tab._apply(update(rx.toast.warning("Сейчас много желающих", id="another")))
    assert not tab.busy_since(before)
    tab._apply(update(rx.toast.warning("Сейчас много желающих", id=BUSY_TOAST)))
    assert tab.busy_since(before)
    assert not tab.busy_since(tab.mark())
