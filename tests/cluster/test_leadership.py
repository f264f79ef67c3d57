"""Several workers, one relay and one scheduler: real OS processes on a real database, and the
leader killed with SIGKILL. The failover time is measured in bench/cluster.py, not here."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from meilisearch.errors import MeilisearchApiError
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from navigator.domain.shared.db import read_session, transaction
from navigator.domain.shared.models import CatalogChange, utcnow
from navigator.jobs import JOBS_LEADER_KEY
from navigator.settings import PROJECT_ROOT
from search.documents import catalog_program_ids
from search.relay import (
    BACKGROUND,
    BACKGROUND_KEY,
    RELAY_LEADER_KEY,
    Leadership,
    leader_pid,
    make_client,
    reindex,
)
from seed.demo import seed_demo

WORKERS = 3
LEADER_WAIT_SECONDS = 30.0  # a bound for the test, far above the measured failover
_uids = itertools.count()


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _start(*arguments: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.cluster.background_process", *arguments],
        cwd=PROJECT_ROOT,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in started:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(what: str, condition: Callable[[], object], timeout: float) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    pytest.fail(f"{what} did not happen within {timeout:.0f} s")


def _write_outbox_row(engine: Engine, program_id: int) -> None:
    with transaction(engine) as session:  # what every change to a program leaves
        session.add(CatalogChange(program_id=program_id, created_at=utcnow()))


def _outbox_size(engine: Engine) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(CatalogChange)).one()


def _indexed(client, uid: str, ids: list[int]) -> set[int]:
    try:
        found = client.index(uid).get_documents({"limit": len(ids) + 10, "fields": ["id"]})
    except MeilisearchApiError:
        return set()
    return {document.id for document in found.results}


def test_a_killed_relay_leader_is_replaced_and_every_outbox_row_reaches_meilisearch(
    engine, meili_server, processes
):
    client = make_client(meili_server.url, meili_server.master_key)
    uid, culture_uid = f"programs_cluster_{next(_uids)}", f"culture_cluster_{next(_uids)}"
    seed_demo(engine, programs=60)
    with transaction(engine) as session:  # the catalog exists; the index knows one program
        session.exec(delete(CatalogChange))  # type: ignore[call-overload]
    with read_session(engine) as session:
        ids = [i for batch in catalog_program_ids(session, 1000) for i in batch]
    assert len(ids) >= 40
    # both indexes built, then the programs under test taken out of the catalog's: only their
    # outbox rows can bring them back (a new leader rebuilds only an empty index)
    reindex(engine, client, uid=uid, culture_uid=culture_uid)
    taken_out = ", ".join(str(i) for i in ids[1:])  # integers from the database
    task = client.index(uid).delete_documents(filter=f"id IN [{taken_out}]")
    client.wait_for_task(task.task_uid)
    assert _indexed(client, uid, ids) == {ids[0]}
    try:
        arguments = (_url(engine), meili_server.url, meili_server.master_key, uid, culture_uid)
        processes += [_start("relay", *arguments) for _ in range(WORKERS)]
        pids = {p.pid for p in processes}
        leader = wait_for(
            "a first leader",
            lambda: leader_pid(engine, RELAY_LEADER_KEY, "search-relay"),
            LEADER_WAIT_SECONDS,
        )
        assert leader in pids

        half = len(ids) // 2
        for program_id in ids[1:half]:
            _write_outbox_row(engine, program_id)
        os.kill(leader, signal.SIGKILL)  # mid-stream: rows written, some relayed, some not
        next(p for p in processes if p.pid == leader).wait(timeout=10)
        for program_id in ids[half:]:  # written while no one leads
            _write_outbox_row(engine, program_id)

        successor = wait_for(
            "a new leader",
            lambda: (pid := leader_pid(engine, RELAY_LEADER_KEY, "search-relay")) != leader and pid,
            LEADER_WAIT_SECONDS,
        )
        assert successor in pids - {leader}
        wait_for("the outbox to empty", lambda: _outbox_size(engine) == 0, 60)
        assert _indexed(client, uid, ids) == set(ids)  # every row reached the index
        assert all(p.poll() is None for p in processes if p.pid != leader)
    finally:
        for name in (uid, culture_uid):
            client.delete_index(name)


def test_scheduled_rounds_run_in_one_worker_and_move_when_it_dies(
    engine, tmp_path: Path, processes
):
    rounds_file = tmp_path / "rounds"
    rounds_file.touch()
    every = 0.2
    processes += [
        _start("jobs", _url(engine), str(rounds_file), str(every)) for _ in range(WORKERS)
    ]

    def rounds() -> list[tuple[int, float]]:
        lines = rounds_file.read_text().splitlines()
        return [(int(pid), float(at)) for pid, at in (line.split() for line in lines)]

    wait_for("ten rounds", lambda: len(rounds()) >= 10, LEADER_WAIT_SECONDS)
    first = rounds()
    leaders = {pid for pid, _ in first}
    assert len(leaders) == 1, f"rounds ran in {len(leaders)} workers at once"
    (leader,) = leaders
    assert leader_pid(engine, JOBS_LEADER_KEY, "scheduled-jobs") == leader
    # once across workers: about one round per period, not one per worker
    span = first[-1][1] - first[0][1]
    assert len(first) <= span / every + 2

    os.kill(leader, signal.SIGKILL)
    next(p for p in processes if p.pid == leader).wait(timeout=10)
    seen = len(rounds())
    wait_for(
        "rounds in another worker",
        lambda: len(rounds()) >= seen + 5 and rounds()[-1][0] != leader,
        LEADER_WAIT_SECONDS,
    )
    successors = {pid for pid, _ in rounds()[seen:]}
    assert len(successors) == 1 and leader not in successors


def test_leadership_is_one_holder_at_a_time_and_free_again_on_release(engine):
    first = Leadership(engine, RELAY_LEADER_KEY, "search-relay")
    second = Leadership(engine, RELAY_LEADER_KEY, "search-relay")
    try:
        assert first.hold()
        assert first.hold()  # holding again is a no-op
        assert not second.hold()
        assert leader_pid(engine, RELAY_LEADER_KEY, "search-relay") == os.getpid()
        first.release()
        assert leader_pid(engine, RELAY_LEADER_KEY, "search-relay") is None
        assert second.hold()
        assert not first.hold()
    finally:
        first.release()
        second.release()


def test_a_workers_leadership_steps_down_for_the_background_process_and_back_when_it_dies(
    engine,
):
    worker = Leadership(engine, RELAY_LEADER_KEY, "search-relay", check_seconds=0, defers=True)
    background = Leadership(engine, BACKGROUND_KEY, BACKGROUND)
    returned = Leadership(engine, RELAY_LEADER_KEY, "search-relay")  # the background's relay
    try:
        assert worker.hold()  # no background process: the worker stands in
        assert not returned.hold()
        assert background.hold()  # the background process is back
        assert not worker.hold()  # steps down at its next ask…
        assert leader_pid(engine, RELAY_LEADER_KEY, "search-relay") is None
        assert returned.hold()  # …and the background process's relay takes over
        assert not worker.hold()
        returned.release()
        assert not worker.hold()  # the relay free, but a background process lives
        background.release()  # it died: the worker stands in again
        assert worker.hold()
    finally:
        worker.release()
        background.release()
        returned.release()
