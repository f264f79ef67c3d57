"""Which of the catalog index's settings make Meilisearch slow to apply one changed program.

The sync lag (a program's change until a search finds it) is mostly Meilisearch applying a
one-document update to the whole index. This seeds the demo catalog, indexes it with the
catalog's settings, and times one-document updates (enqueue until the task succeeded), then
takes the settings away one at a time, each step keeping the previous ones away:

1. the catalog's settings as they are;
2. the same settings, each update sent as a partial one (`update_documents` with the id and
   one changed field, no `_geo`): does an update that leaves the point alone still cost it?
3. `_geo` neither filterable nor sortable (Meilisearch 1.21 rewrites one geo R-tree a batch);
4. every other filterable and sortable attribute too (their facet databases);
5. no `localizedAttributes` (one tokenizer for every field);
6. no synonyms;
7. only the text as written searchable (no `words_*` keys: half the searchable words).

Beside each step's times it prints where Meilisearch says its batches spent them (the
`progressTrace` of `GET /batches/{uid}`): the median of each indexing stage, largest first.

    .venv/bin/python -m bench.meili_update [--programs 100000] [--updates 30]

With `--batch-sizes 1 5 20` it asks instead what coalescing changes into fewer tasks saves
(the search relay's interval): for each size, `--updates` batches of that many changed
programs with the catalog's settings, each timed and metered in Meilisearch's own CPU
(/proc), per batch and per program.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import load_average, machine, percentiles
from bench.rush.cpu import own_cpu_seconds
from navigator.domain.shared.db import make_engine, read_session
from navigator.domain.shared.migrate import upgrade
from search.documents import build_batch, catalog_program_ids
from search.relay import make_client, reindex
from search.server import throwaway_server
from search.settings import INDEX_UID, SEARCHABLE, index_settings
from seed.demo import seed_demo

PARTIAL = "the catalog's settings, each update partial (the id and one field, no _geo)"
STEPS: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]] = [
    ("the catalog's settings", lambda s: s),
    (PARTIAL, lambda s: s),
    (
        "without _geo filterable or sortable",
        lambda s: {
            **s,
            "filterableAttributes": [a for a in s["filterableAttributes"] if a != "_geo"],
            "sortableAttributes": [a for a in s["sortableAttributes"] if a != "_geo"],
        },
    ),
    (
        "and no filterable or sortable attribute",
        lambda s: {**s, "filterableAttributes": [], "sortableAttributes": []},
    ),
    ("and no localizedAttributes", lambda s: {**s, "localizedAttributes": []}),
    ("and no synonyms", lambda s: {**s, "synonyms": {}}),
    (
        "and only the text as written searchable",
        lambda s: {
            **s,
            "searchableAttributes": [a for a in SEARCHABLE if not a.startswith("words_")],
        },
    ),
]


def one_document_updates(
    admin: Any,
    documents: list[dict[str, Any]],
    tag: str,
    *,
    partial: bool = False,
    traces: list[dict[str, str]] | None = None,
) -> list[float]:
    """Milliseconds from sending each document alone (changed by `tag`, so Meilisearch has
    something to write) until its task succeeded, one after the other. `partial`: send only the
    id and the changed field. `traces` collects each update's batch progress trace."""
    index = admin.index(INDEX_UID)
    samples = []
    for n, document in enumerate(documents):
        changed = {"tags": f"update{n}{tag}"}
        started = time.perf_counter()
        if partial:
            task = index.update_documents([{"id": document["id"], **changed}])
        else:
            task = index.add_documents([{**document, **changed}])
        admin.wait_for_task(task.task_uid, timeout_in_ms=60_000, interval_in_ms=5)
        samples.append((time.perf_counter() - started) * 1000)
        if traces is not None:
            batch = admin.http.get(f"tasks/{task.task_uid}")["batchUid"]
            traces.append(admin.http.get(f"batches/{batch}")["stats"].get("progressTrace", {}))
        time.sleep(0.05)
    return samples


UNITS = {"ns": 1e-6, "µs": 1e-3, "ms": 1.0, "s": 1000.0}


def milliseconds(duration: str) -> float:
    """A progress trace's duration ("1.09s", "83.35µs", "15.86ms") in milliseconds."""
    number = duration.rstrip("nµms")
    return float(number) * UNITS[duration[len(number) :]]


def stages(traces: list[dict[str, str]], largest: int = 5) -> dict[str, float]:
    """The median milliseconds of the batches' stages, the largest first: the whole batch
    ("processing tasks") and the `largest` next of its steps ("indexing", …) and the
    indexing's own ("writing geo points", …)."""
    times: dict[str, list[float]] = {}
    for trace in traces:
        for name, duration in trace.items():
            parts = name.split(" > ")
            step = len(parts) <= 2 or (len(parts) == 3 and parts[1] == "indexing")
            if parts[0] == "processing tasks" and step:
                times.setdefault(parts[-1], []).append(milliseconds(duration))
    medians = {name: round(statistics.median(ms), 1) for name, ms in times.items()}
    ordered = sorted(medians.items(), key=lambda item: -item[1])
    return dict(ordered[: largest + 1])


def batch_costs(
    admin: Any, pid: int, documents: list[dict[str, Any]], sizes: list[int], batches: int
) -> dict[str, Any]:
    """For each size: wall and Meilisearch CPU of one task carrying that many programs."""
    index = admin.index(INDEX_UID)
    figures: dict[str, Any] = {}
    for size in sizes:
        walls, cpus = [], []
        for n in range(batches):
            chosen = [documents[(n * size + k) % len(documents)] for k in range(size)]
            changed = [{**d, "tags": f"batch{size}-{n}"} for d in chosen]
            cpu, started = own_cpu_seconds(pid), time.perf_counter()
            task = index.add_documents(changed)
            admin.wait_for_task(task.task_uid, timeout_in_ms=60_000, interval_in_ms=5)
            walls.append((time.perf_counter() - started) * 1000)
            cpus.append((own_cpu_seconds(pid) - cpu) * 1000)
            time.sleep(0.2)  # Meilisearch's own work after a task ends is counted in the next
        figures[f"{size} programs a task"] = {
            "wall_ms": percentiles(walls),
            "meilisearch_cpu_ms": percentiles(cpus),
            "cpu_ms_a_program_p50": round(statistics.median(cpus) / size, 1),
            "load": load_average(),
        }
        print(f"# {size}: {figures[f'{size} programs a task']}", flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--programs", type=int, default=100_000)
    parser.add_argument("--updates", type=int, default=30)
    parser.add_argument("--batch-sizes", type=int, nargs="*", default=[])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="meili-update-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        seed_demo(engine, programs=args.programs)
        with throwaway_server(Path(tmp)) as meili:
            admin = make_client(meili.url, meili.master_key)
            reindex(engine, admin)
            wanted = max([args.updates, *args.batch_sizes])
            with read_session(engine) as session:
                ids = next(catalog_program_ids(session, wanted))
                documents = build_batch(session, ids, datetime.now(UTC).date()).documents
            figures: dict[str, Any] = {"machine": machine(), "programs": args.programs}
            if args.batch_sizes:
                assert meili.process is not None
                costs = batch_costs(
                    admin, meili.process.pid, documents, args.batch_sizes, args.updates
                )
                print(json.dumps({**figures, **costs}, ensure_ascii=False))
                return
            settings = index_settings()
            for step, (name, change) in enumerate(STEPS):
                settings = change(settings)
                task = admin.index(INDEX_UID).update_settings(settings)
                admin.wait_for_task(task.task_uid, timeout_in_ms=900_000)
                traces: list[dict[str, str]] = []
                samples = one_document_updates(
                    admin, documents, f"s{step}", partial=name == PARTIAL, traces=traces
                )
                figures[name] = {
                    **percentiles(samples),
                    "load": load_average(),
                    "meilisearch's stages (median ms)": stages(traces),
                }
                print(f"# {name}: {figures[name]}", flush=True)
            print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
