"""A real `navigator cluster` for a test module: two workers behind nginx, on a database of
its own in the test PostgreSQL and a Meilisearch of its own; stopped after the module.

Not the session's Meilisearch: the cluster's relay writes its PostgreSQL catalog into the
`programs` index, and the browser tests' app reads that index for its own SQLite catalog
(a chess card of one led to another's school museum)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from navigator.cluster import Cluster, ClusterError
from search.server import MeiliServerError, free_port, throwaway_server
from tests.support.availability import service_unavailable
from tests.support.postgres import PostgresCluster


@contextmanager
def running_cluster(
    pg_cluster: PostgresCluster,
    root: Path,
    name: str,
    **options: Any,
) -> Iterator[Cluster]:
    for program in ("redis-server", "nginx"):
        if not (shutil.which(program) or Path(f"/usr/sbin/{program}").exists()):
            service_unavailable(f"{program} is missing: make system-deps")
    try:
        meili = throwaway_server(root / "meili").start()
    except (MeiliServerError, OSError, subprocess.SubprocessError) as error:
        service_unavailable(f"Meilisearch is unavailable: {error}")
    database = f"{name}_{os.getpid()}"
    pg_cluster.execute(f"CREATE DATABASE {database} TEMPLATE navigator_template")
    running = Cluster(
        root,
        workers=2,
        port=free_port(),
        database_url=pg_cluster.url(database),
        meili=(meili.url, meili.master_key),
        **options,
    )
    try:
        try:
            running.start()
        except ClusterError as error:
            pytest.fail(f"the cluster did not start: {error}", pytrace=False)
        try:
            yield running
        finally:
            running.stop()
    finally:
        meili.stop()
