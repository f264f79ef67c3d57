"""The search bench's sync lag waits for what a parent would see: a seat added to a group
nobody applies to or waits for. A seat added where children wait frees nothing (free seats
count the pending applications, and none while a waiting list exists): waiting for one more
there hung the bench until its timeout on data with applications.

Its own SQLite and Meilisearch: the bench relays to the live index, which a shared test
server's other users must not see."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import select

import bench.search as bench
from navigator.domain.programs.models import Group
from navigator.domain.shared.db import make_engine, read_session
from navigator.domain.shared.migrate import upgrade
from search.documents import build_batch
from search.keys import search_client
from search.relay import make_client, reindex
from search.server import throwaway_server
from tests.factories import build_world


def test_the_sync_lag_adds_a_seat_where_nobody_waits_and_sees_it_searchable(
    tmp_path: Path, monkeypatch
) -> None:
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    upgrade(url)
    engine = make_engine(url)
    today = date.today()
    crowded = build_world(engine, seats=1, today=today)  # its first group: one in, one waiting
    crowded.apply()
    parent, child, *_ = crowded.add_parent_with_child()
    crowded.apply(child_id=child, parent=parent)
    quiet = crowded.add_group(seats=5, starts_on=today)
    plain = build_world(engine, seats=4, today=today)
    programs = [crowded.program_id, plain.program_id]
    meili = throwaway_server(tmp_path / "meili").start()
    monkeypatch.setattr(bench, "SYNC_TIMEOUT", 30.0)  # a hang fails in seconds, not minutes
    try:
        admin = make_client(meili.url, meili.master_key)
        reindex(engine, admin)
        client = search_client(meili.url, meili.master_key)
        with read_session(engine) as s:
            before = {d["id"]: d["free_seats"] for d in build_batch(s, programs, today).documents}
        lags = bench.sync_lag(engine, admin, client, changes=len(programs))
        with read_session(engine) as s:
            seats = {
                g.id: g.seats
                for g in s.exec(select(Group).where(Group.program_id == crowded.program_id))
            }
            after = {d["id"]: d["free_seats"] for d in build_batch(s, programs, today).documents}
        for program_id in programs:
            assert bench.found(client, program_id, after[program_id])
    finally:
        meili.stop()
        engine.dispose()
    assert len(lags) == 1 and lags[0] > 0  # the first change also waits for the relay
    assert seats == {crowded.group_id: 1, quiet: 6}
    assert after == {pid: free + 1 for pid, free in before.items()}
