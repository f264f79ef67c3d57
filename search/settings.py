"""The catalog index's settings, kept in code and applied idempotently at start-up.

Each program's text sits in fields named after its language (`title_ru`, `title_lt`,
`title_en`), for display. What queries match are the `words_*` fields: the same text as keys
(stemmed, one alphabet, synonym groups; `search/words.py`), the form queries are rewritten
into, so typo tolerance and prefix search work on keys and every word form meets its title.
"""

from __future__ import annotations

from typing import Any

import meilisearch

from search.words import raw_synonyms

INDEX_UID = "programs"
PRIMARY_KEY = "id"
LANGUAGES = ("ru", "lt", "en")

# In the order of their weight: a title's word counts more than a description's. The text as
# written stays searchable too (a raw query straight to Meilisearch still finds a title).
SEARCHABLE = [
    "words_title",
    *(f"title_{lang}" for lang in LANGUAGES),
    "words_more",
    "provider_name",
    "tags",
    "direction_labels",
    "words_description",
    *(f"description_{lang}" for lang in LANGUAGES),
]
FILTERABLE = [
    "id",
    "municipality",
    "direction",
    "ages",
    "format",
    "language",
    "payable_by_certificate",
    "is_free",
    "lowest_price",
    "currency",
    "weekdays",
    "has_free_seats",
    "provider_id",
    "_geo",
]
SORTABLE = ["lowest_price", "nearest_start", "_geo"]


def index_settings() -> dict[str, Any]:
    return {
        "searchableAttributes": SEARCHABLE,
        "filterableAttributes": FILTERABLE,
        "sortableAttributes": SORTABLE,
        "displayedAttributes": ["*"],
        "localizedAttributes": [
            {"attributePatterns": ["*_ru"], "locales": ["rus"]},
            {"attributePatterns": ["*_lt"], "locales": ["lit"]},
            {"attributePatterns": ["*_en"], "locales": ["eng"]},
            {"attributePatterns": ["words_*"], "locales": ["eng"]},  # keys: Latin letters
        ],
        # queries are keys whose groups are the synonyms; this serves a raw query sent as typed
        "synonyms": raw_synonyms(),
        "typoTolerance": {
            "enabled": True,
            "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 8},
        },
        "faceting": {"maxValuesPerFacet": 100},
        "facetSearch": False,  # no search inside facet values: less to rebuild per update
        "pagination": {"maxTotalHits": 10_000},
    }


def apply_settings(
    client: meilisearch.Client,
    uid: str = INDEX_UID,
    timeout_ms: int = 60_000,
    settings: dict[str, Any] | None = None,
) -> None:
    """Create the index if needed and make its settings exactly these (the catalog's unless
    told); safe to repeat."""
    task = client.create_index(uid, {"primaryKey": PRIMARY_KEY})
    client.wait_for_task(task.task_uid, timeout_in_ms=timeout_ms)  # fails harmlessly if it exists
    task = client.index(uid).update_settings(settings or index_settings())
    done = client.wait_for_task(task.task_uid, timeout_in_ms=timeout_ms)
    if done.status != "succeeded":
        raise RuntimeError(f"Meilisearch refused the index settings: {done.error}")


# ---------------------------------------------------------------- the culture-pass index
# One document per service schools can book, on its approved terms (search/culture_documents.py).

CULTURE_INDEX_UID = "culture_services"
CULTURE_SEARCHABLE = [  # keys first (search/words.py), then the text as written
    "words_title",
    "title",
    "words_more",
    "provider_name",
    "art_form_labels",
    "words_description",
    "description",
]
CULTURE_FILTERABLE = [
    "id",
    "art_form",
    "grades",
    "place",
    "language",
    "session_days",
    "has_free_places",
    "price_per_pupil",
    "provider_id",
]
CULTURE_SORTABLE = ["price_per_pupil", "next_session"]


def culture_index_settings() -> dict[str, Any]:
    return {
        "searchableAttributes": CULTURE_SEARCHABLE,
        "filterableAttributes": CULTURE_FILTERABLE,
        "sortableAttributes": CULTURE_SORTABLE,
        "displayedAttributes": ["*"],
        "localizedAttributes": [{"attributePatterns": ["words_*"], "locales": ["eng"]}],
        "synonyms": raw_synonyms(),  # as the catalog's: "театр" finds "teatras" typed raw too
        "typoTolerance": {
            "enabled": True,
            "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 8},
        },
        "faceting": {"maxValuesPerFacet": 100},
        "facetSearch": False,
        "pagination": {"maxTotalHits": 10_000},
    }


def apply_culture_settings(
    client: meilisearch.Client, uid: str = CULTURE_INDEX_UID, timeout_ms: int = 60_000
) -> None:
    apply_settings(client, uid, timeout_ms, culture_index_settings())
