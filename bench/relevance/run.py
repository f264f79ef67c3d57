"""The catalog's search relevance on a catalog and queries of its own (bench/relevance/*.tsv).

    .venv/bin/python -m bench.relevance [--json]

Loads the catalog into a throwaway SQLite database and a throwaway Meilisearch index, asks
every query through the Meilisearch path and through the SQL fallback, and reports, for
typo queries apart from the rest: the success rate (every expected program among the first
five results) and nDCG@10 (binary gains: the expected programs).
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import meilisearch
from sqlalchemy.engine import Engine
from sqlmodel import Session

from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.models import CERTIFIED_PROGRAM_FIELDS, Program
from navigator.domain.providers.models import Provider
from navigator.domain.shared.db import make_engine, read_session, transaction
from navigator.domain.shared.migrate import upgrade
from search.fallback import search_catalog_sql
from search.query import CatalogQuery, search_catalog
from search.relay import make_client, reindex
from search.server import throwaway_server

HERE = Path(__file__).parent
UID = "programs_relevance"


@dataclass(frozen=True)
class Case:
    kind: str
    text: str
    expected: tuple[int, ...]

    @property
    def typo(self) -> bool:
        return self.kind == "typo"


def _rows(name: str) -> Iterator[list[str]]:
    for line in (HERE / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split("\t")


def cases() -> list[Case]:
    return [
        Case(kind, text, tuple(int(i) for i in ids.split(",")))
        for kind, text, ids in _rows("queries.tsv")
    ]


def load_catalog(engine: Engine) -> int:
    """The relevance catalog as certified programs of one admitted provider (ids as listed)."""
    now = datetime.now(UTC)
    with transaction(engine) as s:
        town = Municipality(
            code="relevance", name="Relevance", country="LT", currency="EUR",
            locale="lt", timezone="Europe/Vilnius",
        )  # fmt: skip
        s.add(town)
        s.flush()
        provider = Provider(
            municipality_id=town.id or 0, name="Relevance", kind="municipal", admitted=True
        )
        s.add(provider)
        s.flush()
        count = 0
        for program_id, language, direction, age_min, age_max, title, description in _rows(
            "catalog.tsv"
        ):
            program = Program(
                id=int(program_id),
                provider_id=provider.id or 0,
                municipality_id=town.id or 0,
                title=title,
                description=description,
                direction=direction,
                age_min=int(age_min),
                age_max=int(age_max),
                language=language,
                is_free=True,
                certification_status="certified",
                certified_at=now,
            )
            program.certified_version = {f: getattr(program, f) for f in CERTIFIED_PROGRAM_FIELDS}
            s.add(program)
            count += 1
    return count


def ndcg_at_10(found: list[int], expected: tuple[int, ...]) -> float:
    gains = sum(1 / math.log2(rank + 2) for rank, i in enumerate(found[:10]) if i in expected)
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(len(expected), 10)))
    return gains / ideal


def score(ask: Callable[[str], list[int]], all_cases: list[Case]) -> dict[str, object]:
    """Success rate and nDCG@10, typo queries apart, success by kind; the failed queries."""
    answers = {case: ask(case.text) for case in all_cases}
    success = {c: all(i in answers[c][:5] for i in c.expected) for c in all_cases}
    out: dict[str, object] = {}
    for label, chosen in (
        ("without_typos", [c for c in all_cases if not c.typo]),
        ("typos", [c for c in all_cases if c.typo]),
    ):
        if not chosen:
            continue
        out[label] = {
            "queries": len(chosen),
            "success": round(sum(success[c] for c in chosen) / len(chosen), 3),
            "ndcg_at_10": round(
                sum(ndcg_at_10(answers[c], c.expected) for c in chosen) / len(chosen), 3
            ),
        }
    kinds = dict.fromkeys(c.kind for c in all_cases)
    out["success_by_kind"] = {
        kind: round(
            sum(success[c] for c in all_cases if c.kind == kind)
            / sum(1 for c in all_cases if c.kind == kind),
            3,
        )
        for kind in kinds
    }
    out["failed"] = [
        f"{c.kind}: {c.text} → {answers[c][:5]} (want {list(c.expected)})"
        for c in all_cases
        if not success[c]
    ]
    return out


def meili_asker(client: meilisearch.Client, uid: str = UID) -> Callable[[str], list[int]]:
    def ask(text: str) -> list[int]:
        return [
            h.id for h in search_catalog(client, CatalogQuery(text=text, per_page=10), uid=uid).hits
        ]

    return ask


def sql_asker(session: Session, today: date) -> Callable[[str], list[int]]:
    def ask(text: str) -> list[int]:
        return [
            h.id
            for h in search_catalog_sql(session, CatalogQuery(text=text, per_page=10), today).hits
        ]

    return ask


def measure(database_url: str, client: meilisearch.Client) -> dict[str, object]:
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        programs = load_catalog(engine)
        reindex(engine, client, uid=UID)
        all_cases = cases()
        with read_session(engine) as session:
            report = {
                "programs": programs,
                "queries": len(all_cases),
                "meilisearch": score(meili_asker(client), all_cases),
                "sql_fallback": score(sql_asker(session, datetime.now(UTC).date()), all_cases),
            }
        client.delete_index(UID)
        return report
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="an empty database (default: a temporary SQLite)")
    parser.add_argument("--failures", action="store_true", help="list the queries that failed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="relevance-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'relevance.db'}"
        with throwaway_server(Path(tmp) / "meili") as meili:
            report = measure(url, make_client(meili.url, meili.master_key))
    for path in ("meilisearch", "sql_fallback"):
        part = report[path]
        assert isinstance(part, dict)
        if not args.failures:
            part.pop("failed")
    print(json.dumps(report, ensure_ascii=False, indent=1))
