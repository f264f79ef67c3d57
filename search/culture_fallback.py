"""The culture catalog from SQL when Meilisearch cannot answer: the same documents, built
from the database as the relay builds them, filtered and counted here. No typo tolerance,
and the result says it is degraded. Words are matched as keys, as the index matches them
(search/words.py).

The culture catalog is small (a few hundred services a year), so every bookable service is
read and matched in Python: the same filters as the index, by construction.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from sqlmodel import Session

from search.culture_documents import culture_documents
from search.culture_query import (
    DISJUNCTIVE,
    FACETS,
    CultureQuery,
    CultureResult,
    culture_hit,
    validate,
)
from search.words import QueryWords, document_matches, query_words


def _matches(
    document: dict[str, Any], query: CultureQuery, typed: QueryWords, without: str | None
) -> bool:
    for name, values in (
        ("art_form", query.art_forms),
        ("place", query.places),
        ("language", query.languages),
    ):
        if values and name != without and document[name] not in values:
            return False
    if query.grade is not None and query.grade not in document["grades"]:
        return False
    if query.day is not None and query.day not in document["session_days"]:
        return False
    if query.price_max_minor is not None and document["price_per_pupil"] > query.price_max_minor:
        return False
    if query.has_free_places is not None and document["has_free_places"] != query.has_free_places:
        return False
    if typed.keys:
        return document_matches(
            " ".join(document[f] for f in ("words_title", "words_more", "words_description")),
            typed,
        )
    return True


def _count(documents: list[dict[str, Any]], name: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for document in documents:
        values = document[name] if isinstance(document[name], list) else [document[name]]
        for value in values:
            key = str(value).lower() if isinstance(value, bool) else str(value)
            counts[key] = counts.get(key, 0) + 1
    return counts


def search_culture_sql(session: Session, query: CultureQuery, now: datetime) -> CultureResult:
    query = validate(query)
    started = time.perf_counter()
    typed = query_words(query.text)
    documents = culture_documents(session, None, now)
    found = [d for d in documents if _matches(d, query, typed, None)]
    order = {  # relevance: the services whose title answers the query first
        "relevance": lambda d: (
            bool(typed.keys) and not document_matches(d["words_title"], typed),
            d["title"].casefold(),
            d["id"],
        ),
        "price": lambda d: (
            d["price_per_pupil"],
            d["next_session"] is None,
            d["next_session"] or 0,
        ),
        "soonest": lambda d: (d["next_session"] is None, d["next_session"] or 0, d["id"]),
    }[query.sort]
    found.sort(key=order)
    facets = {name: _count(found, name) for name in FACETS}
    selected = {"art_form": query.art_forms, "place": query.places, "language": query.languages}
    for name in DISJUNCTIVE:
        if selected[name]:
            facets[name] = _count([d for d in documents if _matches(d, query, typed, name)], name)
    page = found[(query.page - 1) * query.per_page : query.page * query.per_page]
    return CultureResult(
        hits=[culture_hit(document, typed) for document in page],
        facets=facets,
        total=len(found),
        page=query.page,
        per_page=query.per_page,
        took_ms=(time.perf_counter() - started) * 1000,
        degraded=True,
        query=query,
    )
