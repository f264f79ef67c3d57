"""The relay and the scheduled jobs in a process of their own (navigator.background): it
leads both from the start and the workers stand by; when it dies, the work goes on in a
worker or in the process the cluster starts again, whichever asks first, never in two, and
a worker that stood in steps down for the restarted process."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from navigator.cluster import Cluster
from navigator.domain.shared.db import make_engine
from navigator.jobs import JOBS_LEADER_KEY
from search.relay import BACKGROUND, BACKGROUND_KEY, RELAY_LEADER_KEY, leader_pid
from tests.support.cluster import running_cluster
from tests.support.postgres import PostgresCluster


@pytest.fixture(scope="module")
def cluster(
    pg_cluster: PostgresCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    with running_cluster(
        pg_cluster,
        tmp_path_factory.mktemp("cluster"),
        "cluster_background",
        frontend=False,
        seed_programs=None,
        background=True,
    ) as running:
        yield running
    stopped = running.background_process
    assert stopped is not None and stopped.process is not None
    assert stopped.process.poll() == 0  # SIGTERM: it stopped its threads and exited cleanly


def _leaders(cluster: Cluster) -> tuple[int | None, int | None, int | None]:
    """Who relays, who runs the scheduled jobs, and the background process's own lock."""
    engine = make_engine(cluster.worker_env["DATABASE_URL"])
    try:
        return (
            leader_pid(engine, RELAY_LEADER_KEY, "search-relay"),
            leader_pid(engine, JOBS_LEADER_KEY, "scheduled-jobs"),
            leader_pid(engine, BACKGROUND_KEY, BACKGROUND),
        )
    finally:
        engine.dispose()


def _worker_of(pid: int, cluster: Cluster) -> bool:
    """The pid is a worker's (Reflex serves from a granian child of the process started)."""
    roots = {w.pid for w in cluster.worker_list}
    while pid > 1:
        if pid in roots:
            return True
        stat = Path(f"/proc/{pid}/stat").read_text()
        pid = int(stat.rsplit(")", 1)[1].split()[1])  # the parent's
    return False


def _wait(what: str, ready, seconds: float):
    deadline = time.monotonic() + seconds
    while not (found := ready()):
        assert time.monotonic() < deadline, f"no {what} within {seconds:.0f} s"
        time.sleep(0.2)
    return found


def test_the_background_process_leads_and_the_work_goes_on_when_it_dies(cluster: Cluster):
    background = cluster.background_process
    assert background is not None and background.process is not None
    first = background.process.pid
    assert _leaders(cluster) == (first, first, first)  # the workers stand by

    os.killpg(first, signal.SIGKILL)
    again = _wait(
        "background process started again",
        lambda: background.restarts == 1 and (pid := background.process.pid) != first and pid,
        30,
    )
    # a worker's standby asks every second, the restarted process as it starts: whoever
    # comes first leads, and only one leads each (one lock each)
    relay, jobs = _wait(
        "new leaders",
        lambda: None not in (leaders := _leaders(cluster)[:2]) and first not in leaders and leaders,
        30,
    )
    assert all(pid == again or _worker_of(pid, cluster) for pid in (relay, jobs))
    # and in the end the restarted process leads both: a worker that came first steps down
    # within a second of the process's return, and the process takes over a second later
    _wait("the restarted process leading", lambda: _leaders(cluster) == (again, again, again), 30)
