"""Databases for the tests: every database test runs on SQLite and on a real PostgreSQL.

Each backend is migrated once with Alembic into a template; each test gets a fresh copy
(a file copy for SQLite, CREATE DATABASE … TEMPLATE for PostgreSQL).
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from navigator.domain.shared.db import make_engine
from navigator.domain.shared.migrate import upgrade
from tests.support.availability import service_unavailable
from tests.support.postgres import PostgresCluster, PostgresUnavailable

pytest_plugins = ["tests.conftest_services"]

BACKENDS = ["sqlite", "postgres"]
_counter = itertools.count()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    try:
        cluster = PostgresCluster().start()
    except PostgresUnavailable as error:
        service_unavailable(f"PostgreSQL is unavailable: {error}")
    try:
        cluster.execute("CREATE DATABASE navigator_template")
        upgrade(cluster.url("navigator_template"))
        yield cluster
    finally:
        cluster.stop()


def _sqlite_engine(template: Path, directory: Path) -> Engine:
    path = directory / f"test-{next(_counter)}.db"
    shutil.copyfile(template, path)
    return make_engine(f"sqlite:///{path}")


def _postgres_engine(cluster: PostgresCluster) -> Engine:
    name = f"test_{os.getpid()}_{next(_counter)}"
    cluster.execute(f"CREATE DATABASE {name} TEMPLATE navigator_template")
    return make_engine(cluster.url(name), pool_size=30, max_overflow=30)


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A freshly migrated, empty database on each backend."""
    if request.param == "sqlite":
        made = _sqlite_engine(request.getfixturevalue("sqlite_template"), tmp_path)
    else:
        made = _postgres_engine(request.getfixturevalue("pg_cluster"))
    yield made
    made.dispose()


@pytest.fixture
def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    made = _sqlite_engine(sqlite_template, tmp_path)
    yield made
    made.dispose()


@pytest.fixture
def postgres_engine(pg_cluster: PostgresCluster) -> Iterator[Engine]:
    """A freshly migrated PostgreSQL database, for what only PostgreSQL does (row locks)."""
    made = _postgres_engine(pg_cluster)
    yield made
    made.dispose()


@pytest.fixture
def media(tmp_path, monkeypatch) -> Iterator[Path]:
    """The app's own photo directory, in a fresh var directory (certifying and reviewing
    forget replaced photos there)."""
    from navigator.domain.programs.photos import media_dir
    from navigator.settings import get_settings

    monkeypatch.setenv("NAVIGATOR_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield media_dir(tmp_path)
    get_settings.cache_clear()
