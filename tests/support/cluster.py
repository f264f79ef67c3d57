"""A real `navigator cluster` for a test module: two workers behind nginx, on a database of
its own in the test PostgreSQL and on the test Meilisearch; stopped after the module."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from navigator.cluster import Cluster, ClusterError
from search.server import MeiliServer, free_port
from tests.support.availability import service_unavailable
from tests.support.postgres import PostgresCluster


@contextmanager
def running_cluster(
    pg_cluster: PostgresCluster,
    meili_server: MeiliServer,
    root: Path,
    name: str,
    **options: Any,
) -> Iterator[Cluster]:
    for program in ("redis-server", "nginx"):
        if not (shutil.which(program) or Path(f"/usr/sbin/{program}").exists()):
            service_unavailable(f"{program} is missing: make system-deps")
    database = f"{name}_{os.getpid()}"
    pg_cluster.execute(f"CREATE DATABASE {database} TEMPLATE navigator_template")
    running = Cluster(
        root,
        workers=2,
        port=free_port(),
        database_url=pg_cluster.url(database),
        meili=(meili_server.url, meili_server.master_key),
        **options,
    )
    try:
        running.start()
    except ClusterError as error:
        pytest.fail(f"the cluster did not start: {error}", pytrace=False)
    try:
        yield running
    finally:
        running.stop()
