"""Session fixtures for the real services: a throwaway Meilisearch, Redis and a headless Chromium.

Load them from tests/conftest.py. Without a service a developer's run skips those tests
with the reason; under CI (env CI set) a missing service fails the run instead, so a green
CI never means "nothing was tested".
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from navigator.mailserver import MailServer, free_port
from search.server import MeiliServer, MeiliServerError, throwaway_server
from tests.support.availability import service_unavailable

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from navigator.cluster import RedisServer

CHROMIUM_PATH = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root in CI, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def meili_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MeiliServer]:
    """A real Meilisearch on a free port with a random key and data that vanishes."""
    try:
        server = throwaway_server(tmp_path_factory.mktemp("meili")).start()
    except (MeiliServerError, OSError, subprocess.SubprocessError) as error:
        service_unavailable(f"Meilisearch is unavailable: {error}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A real Redis on a free port, in memory only: Reflex's state for several workers."""
    from navigator.cluster import ClusterError, RedisServer

    directory = tmp_path_factory.mktemp("redis")
    try:
        server = RedisServer(directory, directory / "redis.log").start()
    except (ClusterError, OSError, subprocess.SubprocessError) as error:
        service_unavailable(f"Redis is unavailable: {error}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Browser]:
    """The system Chromium driven by Playwright; `playwright install` cannot download here."""
    if not CHROMIUM_PATH.exists():
        service_unavailable(f"{CHROMIUM_PATH} is missing: apt-get install -y chromium")
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM_PATH), args=CHROMIUM_ARGS, headless=True
            )
        except Error as error:
            service_unavailable(f"Chromium did not start: {error}")
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def _smtp_process(mailbox_dir: Path) -> Iterator[MailServer]:
    """A real SMTP server (aiosmtpd, navigator.mailserver) in its own OS process on a free
    port; its mailbox is the given fresh directory of .eml files."""
    server = MailServer(mailbox_dir, free_port())
    command = [sys.executable, "-m", "navigator.mailserver", "--port", str(server.port)]
    log = server.mailbox_dir.parent / f"smtp-{server.port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen([*command, "--mailbox", str(server.mailbox_dir)], stdout=output)
    for _ in range(200):  # until it listens
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None:
                service_unavailable(f"the SMTP server exited: {log.read_text()}")
            time.sleep(0.05)
    try:
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def smtp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailServer]:
    """A test's own SMTP server."""
    with _smtp_process(tmp_path_factory.mktemp("mailbox")) as server:
        yield server


@pytest.fixture(scope="session")
def app_smtp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailServer]:
    """The SMTP server the browser tests' app sends every letter to, as `navigator run`'s
    app does: a letter a test reads arrived there, whoever sent it (the app's scheduler or
    the test's own round)."""
    with _smtp_process(tmp_path_factory.mktemp("app-mailbox")) as server:
        yield server
