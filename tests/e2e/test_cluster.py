"""Two workers behind nginx, sharing state through Redis, on PostgreSQL: a signed-in parent's
tab keeps working, with its state, when the worker that served it is killed.

Started by `navigator cluster`'s own code (navigator/cluster.py) on the test's PostgreSQL
and Meilisearch; its frontend is exported into a web directory of its own (the export names
the proxy's address, which the other browser tests' app must never serve); run it under the
e2e lock like every browser test. The proxy names the worker that answered in the
X-Navigator-Upstream header: for the page's websocket, Chromium reports it (CDP).
"""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from navigator.cluster import UPSTREAM_HEADER, Cluster
from navigator.domain.shared.db import make_engine
from navigator.settings import get_settings
from seed.demo import DEMO_PASSWORD, demo_logins
from tests.support.cluster import running_cluster
from tests.support.postgres import PostgresCluster

PROGRAMS = 100
WORKER_WAIT_MS = 30_000
HYDRATED = '"is_hydrated_rx_state_":true'  # Reflex's delta once a (re)connect's on_load ran


@pytest.fixture(scope="module")
def cluster(
    pg_cluster: PostgresCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    with running_cluster(
        pg_cluster,
        tmp_path_factory.mktemp("cluster"),
        "cluster_e2e",
        # its own build: the export points the page at this cluster's proxy, so it must never
        # replace the build the other browser tests' app serves (var/e2e/web)
        web_dir=get_settings().var_dir / "e2e" / "cluster-web",
        seed_programs=PROGRAMS,
        restart=False,  # the tab must move to the other worker, not to a restarted one
    ) as running:
        yield running


def _parent_email(cluster: Cluster) -> str:
    engine = make_engine(cluster.worker_env["DATABASE_URL"])
    try:
        return next(e for e in demo_logins(engine) if e.startswith("parent."))
    finally:
        engine.dispose()


def _watch_socket_upstreams(page: Page) -> list[str]:
    """The worker each websocket of the page was handed to, in order (from the handshake)."""
    upstreams: list[str] = []
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")

    def handshake(event: dict) -> None:
        headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
        upstreams.append(headers.get(UPSTREAM_HEADER.lower(), ""))

    cdp.on("Network.webSocketHandshakeResponseReceived", handshake)
    return upstreams


def test_a_parents_tab_keeps_its_state_when_its_worker_is_killed(
    cluster: Cluster, chromium_browser: Browser, artifacts_dir: Path
):
    email = _parent_email(cluster)
    context = chromium_browser.new_context(locale="ru-RU", viewport={"width": 360, "height": 800})
    page = context.new_page()
    upstreams = _watch_socket_upstreams(page)
    try:
        page.goto(f"{cluster.url}/login", wait_until="domcontentloaded", timeout=60_000)
        page.locator("#email").fill(email)
        page.locator("#password").fill(DEMO_PASSWORD)
        page.locator("#submit").click()
        page.wait_for_url(re.compile(r"/cabinet/?$"), timeout=30_000)
        expect(page.locator("#add-child")).to_be_visible(timeout=30_000)
        expect(page.locator(".child-card").first).to_be_visible(timeout=30_000)  # the demo's
        children = page.locator(".child-card").count()
        # the tab's state lives in Redis under this token; a tab given a new token would go
        # on with a new, empty state (Reflex's answer to a token another socket holds)
        token = page.evaluate("window.sessionStorage.getItem('token')")
        assert token and upstreams and all(upstreams), "the proxy named no worker"
        served_by = cluster.worker_at(upstreams[-1])
        other = next(w for w in cluster.worker_list if w is not served_by)
        page.screenshot(path=artifacts_dir / "cluster-01-signed-in.png")

        frames: list[str] = []
        with page.expect_websocket(timeout=WORKER_WAIT_MS) as reconnected:
            assert served_by.pid is not None
            os.killpg(served_by.pid, signal.SIGKILL)
        socket = reconnected.value
        socket.on("framereceived", lambda frame: frames.append(str(frame)))
        # the reconnect rehydrates and runs the page's on_load again; it ends with this
        socket.wait_for_event(
            "framereceived", lambda frame: HYDRATED in str(frame), timeout=WORKER_WAIT_MS
        )
        assert cluster.worker_at(upstreams[-1]) is other

        # the tab keeps working on the other worker: an event that needs the backend, then a
        # save that writes; both ride the reconnected socket, after its rehydration
        page.locator("#add-child").click()
        expect(page.locator("#child-first_name")).to_be_visible(timeout=15_000)
        page.locator("#child-first_name").fill("Failover")
        page.locator("#child-last_name").fill("Tab")
        page.locator("#child-birth_date").fill("2016-05-04")
        page.locator("#child-municipality").select_option(index=0)
        page.locator("#save-child").click()
        expect(page.locator(".child-card", has_text="Failover")).to_be_visible(timeout=15_000)
        expect(page.locator(".child-card")).to_have_count(children + 1)
        page.screenshot(path=artifacts_dir / "cluster-02-saved-on-the-other-worker.png")
        # with its state: the same token, never replaced
        assert page.evaluate("window.sessionStorage.getItem('token')") == token
        assert not [f for f in frames if '"new_token"' in f], frames[:3]
        assert served_by.process is not None and served_by.process.poll() is not None
        assert other.process is not None and other.process.poll() is None
    finally:
        context.close()
    for worker in cluster.worker_list:  # a page can render while its backend events crash
        assert "Traceback" not in worker.log_path.read_text(errors="replace"), worker.log_path
