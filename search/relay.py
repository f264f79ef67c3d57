"""From the catalog outbox to Meilisearch, after commit, crash-safe.

A batch is: read outbox rows → build documents from the current rows of the database →
send them and wait until Meilisearch has applied them → delete exactly the rows read.
Killed anywhere in between, the rows are still there and the next batch sends the same
documents again; writes are upserts by program id, so nothing is lost or duplicated.

One relay works at a time (the leader lock), so an older snapshot of a program can never
overwrite a newer one; a full reindex holds the same lock, and the outbox collects what
changes meanwhile for the relay to replay into the new index.

With several app workers, one of them leads (`Leadership`: a lock held for as long as the
process lives) and relays; the others stand by and take over within `standby_seconds` of
its death, since the database server or the kernel frees a dead process's lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import meilisearch
from meilisearch.errors import MeilisearchApiError
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, delete, select

from navigator.domain.programs.models import Program
from navigator.domain.shared.models import CatalogChange
from search.connections import keep_alive
from search.culture_documents import bookable_service_ids, build_culture_batch, changed_services
from search.documents import build_batch, catalog_program_ids
from search.settings import (
    CULTURE_INDEX_UID,
    INDEX_UID,
    PRIMARY_KEY,
    apply_culture_settings,
    apply_settings,
)

log = logging.getLogger(__name__)
LEADER_LOCK_KEY = 7_316_001  # any constant; PostgreSQL advisory locks are by number
RELAY_LEADER_KEY = 7_316_002  # which worker relays at all (a batch still takes LEADER_LOCK_KEY)
BACKGROUND_KEY = 7_316_004  # held by navigator.background for as long as it lives
BACKGROUND = "background"
TASK_TIMEOUT_MS = 120_000
POLL_FIRST_SECONDS, POLL_MOST_SECONDS = 0.01, 0.2  # asking whether a task is done
BATCH_ROWS = 500  # outbox rows a batch takes at most
DOCUMENTS_PER_REQUEST = 1_000


class RelayError(RuntimeError):
    pass


@contextmanager
def leader_lock(engine: Engine, *, wait: bool) -> Iterator[bool]:
    """True while this process is the only relay (or reindex); False if another one is."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            if wait:  # a reindex waits for the relay as long as it takes, not a request's time
                connection.execute(text("SET lock_timeout = 0"))
            function = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
            got = connection.execute(text(f"SELECT {function}(:key)"), {"key": LEADER_LOCK_KEY})
            acquired = True if wait else bool(got.scalar())
            try:
                yield acquired
            finally:
                if acquired:
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": LEADER_LOCK_KEY}
                    )
                connection.commit()
        return
    database = engine.url.database or ":memory:"
    path = Path(f"{database}.search-relay.lock")
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _lock_path(engine: Engine, name: str) -> Path:
    return Path(f"{engine.url.database or ':memory:'}.{name}.leader")


class Leadership:
    """One leader among processes, held until this process releases it or dies.

    PostgreSQL: a session advisory lock on a connection of its own, named after the pid in
    `application_name` (so `leader_pid` can say who leads); the server frees it when the
    connection dies. SQLite: an flock on a file beside the database, with the pid written
    in it; the kernel frees it when the process dies. `hold()` is cheap to call in a loop:
    it re-checks a held PostgreSQL lock's connection at most every `check_seconds`.

    A worker's leadership `defers` to the background process (navigator.background): it
    takes the lock only while no background process lives, and steps down when one is
    back, so a restarted background process leads again instead of the worker that stood
    in for it (the workers' Python is the site's).
    """

    def __init__(
        self,
        engine: Engine,
        key: int,
        name: str,
        check_seconds: float = 1.0,
        *,
        defers: bool = False,
    ):
        self.engine, self.key, self.name, self.check_seconds = engine, key, name, check_seconds
        self.defers = defers
        self._connection: Connection | None = None
        self._handle: IO[str] | None = None
        self._checked = 0.0
        self._background: tuple[float, bool] = (-check_seconds, False)  # (asked at, lives)

    def hold(self) -> bool:
        """True while this process leads, taking the lock when no one holds it."""
        if self.defers and self._background_lives():
            if self._connection is not None or self._handle is not None:
                log.info("%s: the background process leads again; standing by", self.name)
                self.release()
            return False
        if self.engine.dialect.name == "postgresql":
            return self._hold_postgres()
        if self._handle is not None:
            return True
        handle = _lock_path(self.engine, self.name).open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle
        return True

    def _hold_postgres(self) -> bool:
        if self._connection is not None:
            if time.monotonic() - self._checked < self.check_seconds:
                return True
            try:  # a connection the server dropped has lost the lock with it
                self._connection.execute(text("SELECT 1"))
                self._connection.commit()
                self._checked = time.monotonic()
                return True
            except SQLAlchemyError:
                log.warning("%s: lost the leader lock's connection", self.name)
                self._drop()
        connection = self.engine.connect()
        try:
            got = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            ).scalar()
            if got:  # the pid names the leader for whoever asks (leader_pid)
                connection.execute(
                    text("SELECT set_config('application_name', :name, false)"),
                    {"name": f"navigator {self.name} {os.getpid()}"},
                )
            connection.commit()
        except BaseException:
            connection.invalidate()
            connection.close()
            raise
        if not got:
            connection.close()
            return False
        self._connection, self._checked = connection, time.monotonic()
        return True

    def _background_lives(self) -> bool:
        asked, lives = self._background
        if time.monotonic() - asked >= self.check_seconds:
            lives = leader_pid(self.engine, BACKGROUND_KEY, BACKGROUND) is not None
            self._background = (time.monotonic(), lives)
        return lives

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(SQLAlchemyError):
                self._connection.invalidate()  # closing the session frees its advisory lock
                self._connection.close()
            self._connection = None

    def release(self) -> None:
        """Step down: a standby takes over on its next try."""
        self._drop()
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def __enter__(self) -> Leadership:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def leader_pid(engine: Engine, key: int, name: str) -> int | None:
    """The pid of the process that leads `name` now, or None (for tests and benchmarks)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            label = connection.execute(
                text(
                    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a"
                    " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted"
                    " AND l.classid = 0 AND l.objid = :key AND l.objsubid = 1"
                ),
                {"key": key},
            ).scalar()
        if not label or not label.startswith(f"navigator {name} "):
            return None
        return int(label.rsplit(" ", 1)[1])
    path = _lock_path(engine, name)
    if not path.exists():
        return None
    with path.open() as handle:
        try:  # a free lock means no one leads, whatever pid the file still holds
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text_pid = path.read_text().strip()
            return int(text_pid) if text_pid.isdigit() else None
        fcntl.flock(handle, fcntl.LOCK_UN)
        return None


def _wait(client: meilisearch.Client, *task_uids: int) -> None:
    """Wait for the last task (one index's tasks run in order), then check every one succeeded.

    Asked at once, then after 10 ms, and each pause half as long again up to 200 ms: a small
    task is seen done at once, and a long one (seconds at 100 000 programs, more on a busy
    machine) is not asked after every 20 ms, each question a request Meilisearch answers
    too. A task seen done up to 200 ms late delays only the next batch, which under a
    stream waits for the relay's interval anyway."""
    if not task_uids:
        return
    deadline = time.monotonic() + TASK_TIMEOUT_MS / 1000
    pause = POLL_FIRST_SECONDS
    while client.get_task(task_uids[-1]).status in ("enqueued", "processing"):
        if time.monotonic() > deadline:
            raise RelayError(f"Meilisearch task {task_uids[-1]} not done in {TASK_TIMEOUT_MS} ms")
        time.sleep(pause)
        pause = min(pause * 1.5, POLL_MOST_SECONDS)
    for uid in task_uids:
        task = client.get_task(uid)
        if task.status != "succeeded":
            raise RelayError(f"Meilisearch task {uid} {task.status}: {task.error}")


def enqueue(
    client: meilisearch.Client, uid: str, documents: list[dict[str, Any]], removed: list[int]
) -> list[int]:
    """Queue upserts and removals; the task uids to wait for."""
    index = client.index(uid)
    tasks = []
    if documents:
        tasks.append(index.add_documents(documents, primary_key=PRIMARY_KEY).task_uid)
    if removed:
        ids = ", ".join(str(int(i)) for i in removed)  # integers from the database only
        tasks.append(index.delete_documents(filter=f"id IN [{ids}]").task_uid)
    return tasks


def _expand(session: Session, rows: list[CatalogChange]) -> set[int]:
    program_ids = {r.program_id for r in rows if r.program_id is not None}
    providers = {r.provider_id for r in rows if r.provider_id is not None}
    if providers:
        program_ids |= set(
            session.exec(select(Program.id).where(col(Program.provider_id).in_(providers)))  # type: ignore[arg-type]
        )
    return {i for i in program_ids if i is not None}


def relay_batch(
    engine: Engine,
    client: meilisearch.Client,
    *,
    uid: str = INDEX_UID,
    limit: int = BATCH_ROWS,
    culture_uid: str = CULTURE_INDEX_UID,
) -> int:
    """Send one batch; the number of outbox rows it consumed. The caller holds the leader lock.

    A provider's row stands for all its programs, so documents go out in chunks of
    `DOCUMENTS_PER_REQUEST`; the rows are forgotten only after every chunk has landed.
    """
    today = datetime.now(UTC).date()
    with Session(engine) as session:
        rows = list(
            session.exec(select(CatalogChange).order_by(col(CatalogChange.id)).limit(limit))
        )
        if not rows:
            return 0
        program_ids = sorted(_expand(session, rows))
        tasks = []
        for first in range(0, len(program_ids), DOCUMENTS_PER_REQUEST):
            chunk = program_ids[first : first + DOCUMENTS_PER_REQUEST]
            batch = build_batch(session, chunk, today)
            tasks += enqueue(client, uid, batch.documents, batch.removed_ids)
        culture_tasks = []  # the culture index: a handful of services, one request
        culture = build_culture_batch(session, changed_services(session, rows), datetime.now(UTC))
        culture_tasks += enqueue(client, culture_uid, culture.documents, culture.removed_ids)
    _wait(client, *tasks)
    _wait(client, *culture_tasks)
    with Session(engine.execution_options(write=True)) as session, session.begin():
        session.exec(delete(CatalogChange).where(col(CatalogChange.id).in_([r.id for r in rows])))  # type: ignore[call-overload]
    return len(rows)


def drain(
    engine: Engine,
    client: meilisearch.Client,
    *,
    uid: str = INDEX_UID,
    limit: int = BATCH_ROWS,
    culture_uid: str = CULTURE_INDEX_UID,
) -> int:
    """Relay until the outbox is empty (waiting for the leader lock); rows consumed."""
    total = 0
    apply_settings(client, uid)  # never let a first write create an index without them
    apply_culture_settings(client, culture_uid)
    with leader_lock(engine, wait=True):
        while consumed := relay_batch(
            engine, client, uid=uid, limit=limit, culture_uid=culture_uid
        ):
            total += consumed
    return total


def _configured_interval() -> float:
    from navigator.settings import get_settings

    return get_settings().relay_interval_ms / 1000


@dataclass
class Relay:
    """The relay loop: a background thread in the app, or `navigator search relay`.

    Only the leader relays; a standby tries to take over every `standby_seconds`.

    A batch that sent something, and was not full, is followed by the next one
    `interval_seconds` after it began at the earliest. Under a stream of changes, such as an
    enrollment rush changing the same popular programs' free seats, sending each batch the
    moment the last was applied kept Meilisearch indexing all the time, on the cores the
    workers need; now the changes of an interval go out together (one task for the programs,
    one for removals, the same for culture services). A change after a quiet spell goes at
    once; a backlog (after Meilisearch was down) drains batch after batch, as before.
    """

    engine: Engine
    client: meilisearch.Client
    uid: str = INDEX_UID
    culture_uid: str = CULTURE_INDEX_UID
    idle_seconds: float = 0.05
    max_backoff_seconds: float = 30.0
    standby_seconds: float = 1.0
    interval_seconds: float = field(default_factory=_configured_interval)
    defers: bool = False  # a worker's relay, which the background process takes back

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self.leadership = Leadership(
            self.engine, RELAY_LEADER_KEY, "search-relay", defers=self.defers
        )

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        try:
            self._loop()
        finally:
            self.leadership.release()

    def _loop(self) -> None:
        backoff = 0.5
        ready = False
        while not self._stop.is_set():
            try:
                if not self.leadership.hold():  # another worker relays
                    self._stop.wait(self.standby_seconds)
                    continue
                if not ready:
                    ensure_index(self.engine, self.client, self.uid, self.culture_uid)
                    ready = True
                began = time.monotonic()
                with leader_lock(self.engine, wait=False) as leader:  # a reindex pauses us
                    consumed = (
                        relay_batch(
                            self.engine, self.client, uid=self.uid, culture_uid=self.culture_uid
                        )
                        if leader
                        else 0
                    )
                backoff = 0.5
                if consumed >= BATCH_ROWS:  # a backlog: the next batch at once
                    continue
                if consumed:  # the next batch collects what comes meanwhile
                    self._stop.wait(max(0.0, began + self.interval_seconds - time.monotonic()))
                else:
                    self._stop.wait(self.idle_seconds if leader else 1.0)
            except Exception as error:  # Meilisearch down, database busy: retry, never die
                log.warning(
                    "search relay: %s; retrying in %.1f s", error, backoff, exc_info=backoff >= 8
                )
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff_seconds)

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="search-relay", daemon=True)
        thread.start()
        return thread


def ensure_index(
    engine: Engine,
    client: meilisearch.Client,
    uid: str = INDEX_UID,
    culture_uid: str = CULTURE_INDEX_UID,
) -> None:
    """Settings as the code says; an empty index beside a non-empty catalog is rebuilt."""
    apply_settings(client, uid)
    apply_culture_settings(client, culture_uid)
    with Session(engine) as session:
        stale = (
            client.index(uid).get_stats().number_of_documents == 0
            and next(catalog_program_ids(session, 1), None) is not None
        ) or (
            client.index(culture_uid).get_stats().number_of_documents == 0
            and next(bookable_service_ids(session, 1), None) is not None
        )
    if stale:
        reindex(engine, client, uid=uid, culture_uid=culture_uid)


def make_client(url: str, key: str) -> meilisearch.Client:
    keep_alive()
    return meilisearch.Client(url, key, timeout=10)


@asynccontextmanager
async def catalog_sync() -> AsyncIterator[None]:
    """The app's lifespan task: the relay runs in a thread for as long as the app does."""
    from navigator.domain.shared.db import get_engine
    from navigator.settings import get_settings

    settings = get_settings()
    key = settings.meili_relay_key or settings.meili_master_key  # scoped, when given one
    relay = Relay(get_engine(), make_client(settings.meili_url, key), defers=True)
    thread = relay.start_thread()
    try:
        yield
    finally:
        relay.stop()
        thread.join(timeout=10)


@dataclass(frozen=True)
class ReindexReport:
    documents: int
    seconds: float
    index_uid: str
    culture_documents: int = 0


def _rebuild_culture(engine: Engine, client: meilisearch.Client, uid: str, batch_size: int) -> int:
    """The culture index rebuilt beside the live one and swapped in, as `reindex` does the
    catalog's; the caller holds the leader lock. The number of documents."""
    building = f"{uid}_{int(time.time() * 1000)}"
    apply_culture_settings(client, uid)
    apply_culture_settings(client, building)
    count, tasks = 0, []
    with Session(engine) as session:
        now = datetime.now(UTC)
        for ids in bookable_service_ids(session, batch_size):
            batch = build_culture_batch(session, ids, now)
            if batch.documents:
                index = client.index(building)
                tasks.append(index.add_documents(batch.documents, primary_key=PRIMARY_KEY).task_uid)
            count += len(batch.documents)
    _wait(client, *tasks)
    swap = client.swap_indexes([{"indexes": [uid, building]}]).task_uid
    _wait(client, client.delete_index(building).task_uid)
    with contextlib.suppress(MeilisearchApiError):
        _wait(client, swap)
    live = client.index(uid).get_stats().number_of_documents
    if live != count:
        raise RelayError(f"the swap left {live} documents in {uid}, not {count}")
    return count


def reindex(
    engine: Engine,
    client: meilisearch.Client,
    *,
    uid: str = INDEX_UID,
    batch_size: int = 5_000,
    culture_uid: str = CULTURE_INDEX_UID,
) -> ReindexReport:
    """Build a fresh index beside the live one, swap them atomically, drop the old one.

    Searches keep answering from the old index until the swap. The relay pauses (leader
    lock) and the outbox collects changes, which the relay replays into the new index.
    """
    started = time.monotonic()
    building = f"{uid}_{int(time.time() * 1000)}"
    with leader_lock(engine, wait=True):
        with Session(engine) as session:  # committed before we read: the new index has them
            covered = [i for i in session.exec(select(CatalogChange.id)) if i is not None]
        apply_settings(client, uid)  # the live index exists, so the swap has a partner
        apply_settings(client, building)
        count, tasks = 0, []
        with Session(engine) as session:
            today = datetime.now(UTC).date()
            for ids in catalog_program_ids(session, batch_size):
                batch = build_batch(session, ids, today)
                if batch.documents:
                    index = client.index(building)
                    task = index.add_documents(batch.documents, primary_key=PRIMARY_KEY)
                    tasks.append(task.task_uid)
                count += len(batch.documents)
        _wait(client, *tasks)
        swap = client.swap_indexes([{"indexes": [uid, building]}]).task_uid
        # the old documents, now under the building name; Meilisearch runs tasks in order, so
        # this waits for the swap too (the relay's scoped key cannot see a swap task itself)
        _wait(client, client.delete_index(building).task_uid)
        with contextlib.suppress(MeilisearchApiError):
            _wait(client, swap)  # with the master key: the swap's own outcome, checked
        live = client.index(uid).get_stats().number_of_documents
        if live != count:
            raise RelayError(f"the swap left {live} documents in {uid}, not {count}")
        culture_count = _rebuild_culture(engine, client, culture_uid, batch_size)
        with Session(engine.execution_options(write=True)) as session, session.begin():
            for first in range(0, len(covered), 10_000):
                chunk = covered[first : first + 10_000]
                session.exec(delete(CatalogChange).where(col(CatalogChange.id).in_(chunk)))  # type: ignore[call-overload]
    return ReindexReport(
        documents=count,
        seconds=time.monotonic() - started,
        index_uid=uid,
        culture_documents=culture_count,
    )
