"""The real app for browser tests: started the way `navigator run` starts it."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from navigator.devserver import app_environment, start_app, stop_app, wait_until_serving
from navigator.domain.programs.queries import count_catalog_programs
from navigator.domain.shared.db import make_engine, read_session
from navigator.domain.shared.migrate import upgrade
from navigator.mailserver import MailServer
from navigator.settings import PROJECT_ROOT, get_settings
from search.server import MeiliServer, free_port
from seed.demo import seed_demo

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
# The first run on a fresh machine installs the frontend's node modules and builds it.
APP_START_TIMEOUT_SECONDS = 420
E2E_PROGRAMS = 400  # as `make run` seeds: every town has chess, robotics, swimming…


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def _wait_for_index(url: str, database_url: str, process, timeout: float = 120.0) -> None:
    """The app's relay builds the index after the app starts serving; tests start after it."""
    engine = make_engine(database_url)
    with read_session(engine) as session:
        expected = count_catalog_programs(session)
    engine.dispose()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            answer = httpx.get(f"{url}/api/v1/programs", params={"per_page": 1}, timeout=10)
            if answer.json().get("total") == expected:
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    pytest.fail(f"the app's search index did not reach {expected} programs", pytrace=False)


@pytest.fixture(scope="session")
def app_url(
    meili_server: MeiliServer,
    app_smtp_server: MailServer,
    tmp_path_factory: pytest.TempPathFactory,
    artifacts_dir: Path,
) -> Iterator[str]:
    """http://localhost:PORT of a prod-mode app on a migrated, seeded SQLite and a throwaway index.

    Its frontend build lives in var/e2e/web, apart from the .web that `navigator run`
    serves from, so tests never rebuild a developer's running app underneath it.
    """
    workdir = tmp_path_factory.mktemp("app")
    env = app_environment(meili_server.url, meili_server.master_key)
    env["DATABASE_URL"] = f"sqlite:///{workdir / 'navigator.db'}"
    # every letter goes out through a real SMTP server, as `navigator run`'s do
    env["NAVIGATOR_SMTP_HOST"] = "127.0.0.1"
    env["NAVIGATOR_SMTP_PORT"] = str(app_smtp_server.port)
    env["NAVIGATOR_SMTP_SECURITY"] = "none"
    upgrade(env["DATABASE_URL"])  # as `make run` does with `navigator db upgrade`
    engine = make_engine(env["DATABASE_URL"])
    seed_demo(engine, programs=E2E_PROGRAMS)  # and `navigator seed --if-empty`
    engine.dispose()
    os.environ["NAVIGATOR_E2E_DATABASE_URL"] = env["DATABASE_URL"]
    env["REFLEX_WEB_WORKDIR"] = str(get_settings().var_dir / "e2e" / "web")
    env["REFLEX_STATES_WORKDIR"] = str(workdir / "states")
    port = free_port()
    url = f"http://localhost:{port}"
    log_path = artifacts_dir / "e2e-app.log"
    with log_path.open("wb") as log:
        process = start_app(port, env, output=log)
        try:
            try:
                seconds = wait_until_serving(url, process, APP_START_TIMEOUT_SECONDS)
            except (RuntimeError, TimeoutError) as error:
                tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-40:])
                pytest.fail(f"{error}\n--- {log_path} ---\n{tail}", pytrace=False)
            print(f"\napp serving {url} after {seconds:.1f}s")
            _wait_for_index(url, env["DATABASE_URL"], process)
            yield url
        finally:
            stop_app(process)
    logged = log_path.read_text(errors="replace")
    if "Traceback" in logged:  # a page can render while its backend events crash
        pytest.fail(f"the app logged a traceback; see {log_path}", pytrace=False)
