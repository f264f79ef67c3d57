"""The catalog index's settings, kept in code and applied idempotently at start-up.

Each program's text sits in fields named after its language (`title_ru`, `title_lt`,
`title_en`), so `localizedAttributes` can tokenize Russian, Lithuanian and English each
with the right rules.
"""

from __future__ import annotations

from typing import Any

import meilisearch

INDEX_UID = "programs"
PRIMARY_KEY = "id"
LANGUAGES = ("ru", "lt", "en")

SEARCHABLE = [
    *(f"title_{lang}" for lang in LANGUAGES),
    "provider_name",
    "tags",
    "direction_labels",
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

# Words a parent may type in any of the three languages for the same activity.
SYNONYM_GROUPS = [
    ["robotics", "робототехника", "robotika", "роботы"],
    ["chess", "шахматы", "šachmatai"],
    ["programming", "программирование", "programavimas", "coding"],
    ["football", "футбол", "futbolas", "soccer"],
    ["swimming", "плавание", "plaukimas"],
    ["dance", "танцы", "танец", "šokiai"],
    ["drawing", "рисование", "рисунок", "piešimas"],
    ["painting", "живопись", "tapyba"],
    ["singing", "пение", "вокал", "dainavimas"],
    ["theatre", "театр", "teatras"],
    ["guitar", "гитара", "gitara"],
    ["piano", "фортепиано", "fortepijonas"],
    ["english", "английский", "anglų"],
    ["chemistry", "химия", "chemija"],
    ["astronomy", "астрономия", "astronomija"],
    ["ceramics", "керамика", "keramika"],
    ["judo", "дзюдо", "dziudo"],
    ["hiking", "походы", "žygiai", "туризм", "turizmas"],
]


def synonyms() -> dict[str, list[str]]:
    """Every word of a group points to all the others (Meilisearch wants each direction)."""
    mapping: dict[str, list[str]] = {}
    for group in SYNONYM_GROUPS:
        for word in group:
            mapping[word] = [other for other in group if other != word]
    return mapping


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
        ],
        "synonyms": synonyms(),
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
CULTURE_SEARCHABLE = ["title", "provider_name", "art_form_labels", "description"]
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
        "synonyms": synonyms(),  # "театр" finds "teatras" here too
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
