"""`navigator cluster`'s topology, started by its own code: workers behind a real nginx with
Redis, on the test's PostgreSQL and Meilisearch (without the frontend export: the browser
test, tests/e2e/test_cluster.py, has it)."""

from __future__ import annotations

import json
import os
import re
import signal
import time
from collections.abc import Iterator

import httpx
import pytest

from navigator.cluster import UPSTREAM_HEADER, Cluster, dynamic_route_locations
from tests.support.cluster import running_cluster
from tests.support.postgres import PostgresCluster


def test_pages_with_an_id_in_the_path_get_the_client_side_router():
    locations = dynamic_route_locations(
        ["index", "programs/[program_id]", "login", "provider/groups/[group_id]"]
    )
    patterns = re.findall(r"location ~ (\S+) \{ try_files /404\.html =404; \}", locations)
    assert patterns == [r"^/programs/[^/]+/?$", r"^/provider/groups/[^/]+/?$"]
    assert re.match(patterns[0], "/programs/42") and not re.match(patterns[0], "/programs")
    assert not re.match(patterns[1], "/provider/groups/42/extra")


@pytest.fixture(scope="module")
def cluster(
    pg_cluster: PostgresCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    with running_cluster(
        pg_cluster,
        tmp_path_factory.mktemp("cluster"),
        "cluster_topology",
        frontend=False,
        seed_programs=None,
    ) as running:
        yield running
    assert not running.state_file.exists()  # a stopped cluster leaves no stale topology


def _upstreams(url: str, times: int) -> list[str]:
    answers = [httpx.get(url, timeout=10) for _ in range(times)]
    assert [a.status_code for a in answers] == [200] * times
    # after a refused connection nginx names every worker it tried: "dead, live"
    return [a.headers[UPSTREAM_HEADER].split(",")[-1].strip() for a in answers]


def test_the_proxy_spreads_requests_over_every_worker(cluster: Cluster):
    addresses = {w.address for w in cluster.worker_list}
    # a worker slow to answer once (a loaded machine) sits out nginx's fail_timeout (5 s):
    # look until both have answered, within a bound
    seen: set[str] = set()
    deadline = time.monotonic() + 60
    while seen != addresses:
        assert time.monotonic() < deadline, f"the proxy only used {sorted(seen)}"
        seen |= set(_upstreams(f"{cluster.url}/ping", 6))
    api = httpx.get(f"{cluster.url}/api/v1/programs", params={"per_page": 1}, timeout=10)
    assert api.status_code == 200 and api.json()["total"] == 0
    assert api.headers[UPSTREAM_HEADER] in addresses
    state = json.loads(cluster.state_file.read_text())
    assert {w["address"] for w in state["workers"]} == addresses
    assert {w["pid"] for w in state["workers"]} == {w.pid for w in cluster.worker_list}


def test_a_killed_worker_costs_no_request_and_is_started_again(cluster: Cluster):
    victim, survivor = cluster.worker_list
    assert victim.pid is not None
    old_pid = victim.pid
    os.killpg(victim.pid, signal.SIGKILL)
    # nginx skips a worker that refuses the connection: every request is answered
    assert set(_upstreams(f"{cluster.url}/ping", 6)) == {survivor.address}
    deadline = time.monotonic() + 180
    while victim.restarts == 0 or victim.pid == old_pid:
        assert time.monotonic() < deadline, "the cluster never started the worker again"
        time.sleep(0.2)
    victim.wait_until_serving()
    state = json.loads(cluster.state_file.read_text())
    assert victim.pid in {w["pid"] for w in state["workers"]}
    deadline = time.monotonic() + 30  # nginx tries it again after its fail_timeout (5 s)
    while victim.address not in _upstreams(f"{cluster.url}/ping", 4):
        assert time.monotonic() < deadline, "the proxy never went back to the restarted worker"
        time.sleep(0.5)
