"""What Meilisearch spent indexing while the rush ran: its tasks and batches, in its own words.

Searches cost Meilisearch little on the rush's small catalog; the relay's document tasks do
not (every batch rewrites the index's structures), and on two cores that time is taken from
the workers. `IndexingMeter` notes the last task before the load and, afterwards, counts the
tasks enqueued since, the batches Meilisearch ran them in and those batches' own durations.
"""

from __future__ import annotations

import re
import time
from typing import Any

import httpx

from bench.common import percentiles

DURATION = re.compile(r"^P(?:(?P<d>\d+)D)?T?(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>[\d.]+)S)?$")
PAGE = 1000


def seconds(duration: str | None) -> float:
    """An ISO 8601 duration as Meilisearch writes it ("PT0.012S", "PT1M3.5S") in seconds."""
    found = DURATION.match(duration or "")
    if not found:
        return 0.0
    parts = {k: float(v) for k, v in found.groupdict().items() if v}
    return (
        parts.get("d", 0) * 86400
        + parts.get("h", 0) * 3600
        + parts.get("m", 0) * 60
        + parts.get("s", 0)
    )


class IndexingMeter:
    def __init__(self, url: str, master_key: str) -> None:
        self.client = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {master_key}"}, timeout=30
        )
        self._after = -1

    def _since(self, path: str, after: int) -> list[dict[str, Any]]:
        """Every item of /tasks or /batches with a uid above `after`, newest first."""
        found: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": PAGE}
        while True:
            page = self.client.get(path, params=params).raise_for_status().json()
            fresh = [item for item in page["results"] if item["uid"] > after]
            found += fresh
            if len(fresh) < len(page["results"]) or page.get("next") is None:
                return found
            params["from"] = page["next"]

    def _settled(self, timeout: float = 120.0) -> None:
        """Until Meilisearch has no task waiting or running (its batches then have their
        durations), `timeout` seconds at most."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = self.client.get(
                "/tasks", params={"statuses": "enqueued,processing", "limit": 1}
            ).raise_for_status()
            if not busy.json()["results"]:
                return
            time.sleep(0.1)

    def start(self) -> None:
        self._settled()  # the world's indexing is not the rush's
        latest = self.client.get("/tasks", params={"limit": 1}).raise_for_status().json()
        self._after = latest["results"][0]["uid"] if latest["results"] else -1

    def report(self) -> dict[str, Any]:
        self._settled()
        tasks = self._since("/tasks", self._after)
        batch_uids = {t["batchUid"] for t in tasks if t.get("batchUid") is not None}
        batches = (
            [b for b in self._since("/batches", min(batch_uids) - 1) if b["uid"] in batch_uids]
            if batch_uids
            else []
        )
        durations = [seconds(b.get("duration")) * 1000 for b in batches]
        by_type: dict[str, int] = {}
        for task in tasks:
            by_type[task["type"]] = by_type.get(task["type"], 0) + 1
        return {
            "tasks": len(tasks),
            "tasks_by_type": by_type,
            "documents_sent": sum(
                int((t.get("details") or {}).get("receivedDocuments") or 0) for t in tasks
            ),
            "batches": len(batches),
            "batch_seconds": round(sum(durations) / 1000, 3),
            "batch_ms": percentiles(durations) if len(durations) > 1 else durations,
        }
