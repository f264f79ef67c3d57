"""The update bench reads where Meilisearch says a batch's time went, and its partial updates
change one field and leave the rest of the document (its point among them) as it was.

Its own SQLite and Meilisearch: the bench rewrites documents of the live index."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from bench.meili_update import batch_costs, milliseconds, one_document_updates, stages
from navigator.domain.programs.models import Program
from navigator.domain.shared.db import make_engine, read_session
from navigator.domain.shared.migrate import upgrade
from search.documents import build_batch
from search.relay import make_client, reindex
from search.server import throwaway_server
from search.settings import INDEX_UID
from tests.factories import build_world


@pytest.mark.parametrize(
    ("duration", "ms"),
    [("1.09s", 1090.0), ("15.86ms", 15.86), ("83.35µs", 0.08335), ("500ns", 0.0005)],
)
def test_a_progress_trace_duration_reads_in_milliseconds(duration: str, ms: float) -> None:
    assert milliseconds(duration) == pytest.approx(ms)


def test_stages_are_medians_of_the_steps_largest_first_and_only_the_largest() -> None:
    geo = "processing tasks > indexing > writing geo points"
    traces = [
        {
            "processing tasks": f"{total}ms",
            "processing tasks > retrieving config": "1µs",
            "processing tasks > indexing": f"{total}ms",
            geo: f"{geo_ms}ms",
            f"{geo} > document": f"{geo_ms}ms",
            "processing tasks > indexing > finalizing": "2ms",
            "processing tasks > indexing > merging word caches": "3ms",
            "processing tasks > indexing > post processing words": "4ms",
            "writing tasks to disk": "1ms",
        }
        for total, geo_ms in ((100, 80), (300, 250), (200, 90))
    ]
    assert list(stages(traces, largest=3).items()) == [
        ("processing tasks", 200.0),
        ("indexing", 200.0),
        ("writing geo points", 90.0),
        ("post processing words", 4.0),
    ]


def test_partial_updates_keep_the_document_and_every_batch_is_traced(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    upgrade(url)
    engine = make_engine(url)
    today = date.today()
    world = build_world(engine, seats=3, today=today)
    with Session(engine) as s, s.begin():  # a point, so the partial update has one to keep
        program = s.get(Program, world.program_id)
        assert program is not None
        program.latitude, program.longitude = 54.6872, 25.2797
    meili = throwaway_server(tmp_path / "meili").start()
    try:
        admin = make_client(meili.url, meili.master_key)
        reindex(engine, admin)
        with read_session(engine) as s:
            documents = build_batch(s, [world.program_id], today).documents
        assert documents[0]["_geo"] == {"lat": 54.6872, "lng": 25.2797}
        index = admin.index(INDEX_UID)
        before = dict(index.get_document(world.program_id))
        sent = [{**documents[0], "provider_name": "not sent by a partial update"}]
        traces: list[dict[str, str]] = []
        samples = one_document_updates(admin, sent, "t", partial=True, traces=traces)
        assert len(samples) == len(traces) == 1
        assert stages(traces)["processing tasks"] > 0
        after = dict(index.get_document(world.program_id))
        assert after == {**before, "tags": "update0t"}
    finally:
        meili.stop()
        engine.dispose()


def test_batch_costs_send_tasks_of_each_size_and_meter_meilisearchs_own_cpu(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    upgrade(url)
    engine = make_engine(url)
    today = date.today()
    programs = [build_world(engine, today=today).program_id for _ in range(3)]
    meili = throwaway_server(tmp_path / "meili").start()
    try:
        admin = make_client(meili.url, meili.master_key)
        reindex(engine, admin)
        with read_session(engine) as s:
            documents = build_batch(s, programs, today).documents
        assert meili.process is not None
        figures = batch_costs(admin, meili.process.pid, documents, [1, 3], batches=2)
        assert set(figures) == {"1 programs a task", "3 programs a task"}
        for figure in figures.values():
            assert figure["wall_ms"]["p50"] > 0
            assert figure["meilisearch_cpu_ms"]["p50"] >= 0
        tags = {d.tags for d in admin.index(INDEX_UID).get_documents({"limit": 10}).results}
        assert tags == {"batch3-1"}  # the last task rewrote all three
    finally:
        meili.stop()
        engine.dispose()
