"""Session fixtures for the real services: a throwaway Meilisearch and a headless Chromium.

Load them from tests/conftest.py. Without a service a developer's run skips those tests
with the reason; under CI (env CI set) a missing service fails the run instead, so a green
CI never means "nothing was tested".
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from search.server import MeiliServer, MeiliServerError, throwaway_server
from tests.support.availability import service_unavailable

if TYPE_CHECKING:
    from playwright.sync_api import Browser

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
