"""The culture-pass catalog search: a typed, validated query in, typed results out.

As for programs, filters are assembled from validated values only (whitelisted art forms,
places and languages, whole grades and prices, an ISO date written back by `date`), never
from the text a user typed, which goes to Meilisearch as the query string and nowhere else.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import meilisearch

from navigator.domain.culture.models import CULTURE_CURRENCY, ServicePlace
from navigator.domain.culture.services import ArtForm
from navigator.domain.shared.errors import InvalidInput
from navigator.domain.shared.models import Language
from search.query import (
    MAX_PER_PAGE,
    MAX_TEXT,
    Segment,
    _quoted,  # the one quoting of whitelisted words for a filter
    highlighted,
    meili_q,
)
from search.settings import CULTURE_INDEX_UID, LANGUAGES
from search.words import QueryWords, query_words

CULTURE_SORTS = ("relevance", "price", "soonest")
ART_FORMS = tuple(a.value for a in ArtForm)
PLACES = tuple(p.value for p in ServicePlace)
SERVICE_LANGUAGES = tuple(lang.value for lang in Language)
DISJUNCTIVE = ("art_form", "place", "language")
FACETS = (*DISJUNCTIVE, "grades", "has_free_places")
MAX_PRICE_MINOR = 1_000_000  # far above any year's amount per pupil


@dataclass(frozen=True)
class CultureQuery:
    text: str = ""
    art_forms: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    grade: int | None = None
    day: str | None = None  # an ISO date: services with a session with free places that day
    price_max_minor: int | None = None
    has_free_places: bool | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    locale: str = "lt"


def _whole(value: object, field_name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput("query_out_of_range", field=field_name, min=low, max=high)
    return value


def _choices(values: object, field_name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    if not isinstance(values, tuple | list):
        raise InvalidInput("field_not_allowed", field=field_name, allowed=", ".join(allowed))
    for value in values:
        if not isinstance(value, str) or value not in allowed:
            raise InvalidInput("field_not_allowed", field=field_name, allowed=", ".join(allowed))
    return tuple(dict.fromkeys(values))


def _day(value: object) -> str:
    if not isinstance(value, str) or len(value) != 10:
        raise InvalidInput("date_invalid", field="date")
    try:
        return date.fromisoformat(value).isoformat()  # written back: digits and dashes only
    except ValueError:
        raise InvalidInput("date_invalid", field="date") from None


def validate(query: CultureQuery) -> CultureQuery:
    """The query itself, or InvalidInput naming the first wrong field."""
    if not isinstance(query.text, str) or len(query.text) > MAX_TEXT:
        raise InvalidInput("field_too_long", field="q", max_length=MAX_TEXT)
    if query.grade is not None:
        _whole(query.grade, "grade", 1, 12)
    if query.price_max_minor is not None:
        _whole(query.price_max_minor, "price_max", 0, MAX_PRICE_MINOR)
    if query.has_free_places is not None and not isinstance(query.has_free_places, bool):
        raise InvalidInput("field_not_allowed", field="has_free_places", allowed="true, false")
    if query.sort not in CULTURE_SORTS:
        raise InvalidInput("field_not_allowed", field="sort", allowed=", ".join(CULTURE_SORTS))
    _whole(query.page, "page", 1, 10_000)
    _whole(query.per_page, "per_page", 1, MAX_PER_PAGE)
    if query.locale not in LANGUAGES:
        raise InvalidInput("field_not_allowed", field="locale", allowed=", ".join(LANGUAGES))
    return replace(
        query,
        text="".join(ch for ch in query.text if ch.isprintable()).strip(),
        art_forms=_choices(query.art_forms, "art_form", ART_FORMS),
        places=_choices(query.places, "place", PLACES),
        languages=_choices(query.languages, "language", SERVICE_LANGUAGES),
        day=None if query.day is None else _day(query.day),
    )


def filters(query: CultureQuery, *, without: str | None = None) -> list[str]:
    """Meilisearch filter clauses (ANDed), optionally leaving out one disjunctive facet."""
    clauses: list[str] = []
    for name, values in (
        ("art_form", query.art_forms),
        ("place", query.places),
        ("language", query.languages),
    ):
        if values and name != without:
            clauses.append(f"{name} IN [{_quoted(values)}]")
    if query.grade is not None:
        clauses.append(f"grades = {int(query.grade)}")
    if query.day is not None:  # an ISO date written by `date.isoformat` in validate()
        clauses.append(f"session_days = '{query.day}'")
    if query.price_max_minor is not None:
        clauses.append(f"price_per_pupil <= {int(query.price_max_minor)}")
    if query.has_free_places is not None:
        clauses.append(f"has_free_places = {'true' if query.has_free_places else 'false'}")
    return clauses


def _sort(query: CultureQuery) -> list[str] | None:
    if query.sort == "price":
        return ["price_per_pupil:asc", "next_session:asc"]
    if query.sort == "soonest":
        return ["next_session:asc"]
    return None


@dataclass(frozen=True)
class CultureHit:
    id: int
    title: str
    title_segments: list[Segment]
    provider_name: str
    art_form: str
    grade_min: int
    grade_max: int
    place: str
    address: str
    language: str
    price_per_pupil_minor: int
    currency: str
    duration_minutes: int
    next_session: int | None  # seconds since the epoch, UTC
    next_free_places: int
    photo_url: str = ""  # "" when the service has no approved photo


@dataclass(frozen=True)
class CultureResult:
    hits: list[CultureHit]
    facets: dict[str, dict[str, int]]
    total: int
    page: int
    per_page: int
    took_ms: float
    degraded: bool = False
    query: CultureQuery = field(default_factory=CultureQuery)


def culture_hit(document: dict[str, Any], typed: QueryWords | None = None) -> CultureHit:
    title = str(document.get("title") or "")
    return CultureHit(
        id=int(document["id"]),
        title=title,
        title_segments=highlighted(title, typed or QueryWords((), last_is_prefix=False)),
        provider_name=str(document.get("provider_name") or ""),
        art_form=str(document.get("art_form") or ""),
        grade_min=int(document.get("grade_min") or 1),
        grade_max=int(document.get("grade_max") or 12),
        place=str(document.get("place") or ""),
        address=str(document.get("address") or ""),
        language=str(document.get("language") or ""),
        price_per_pupil_minor=int(document.get("price_per_pupil") or 0),
        currency=str(document.get("currency") or CULTURE_CURRENCY),
        duration_minutes=int(document.get("duration_minutes") or 0),
        next_session=document.get("next_session"),
        next_free_places=int(document.get("next_free_places") or 0),
        photo_url=str(document.get("photo_url") or ""),
    )


def search_culture(
    client: meilisearch.Client, query: CultureQuery, *, uid: str = CULTURE_INDEX_UID
) -> CultureResult:
    """Hits, disjunctive facet counts and the total, in one multi-search round trip."""
    query = validate(query)
    started = time.perf_counter()
    typed = query_words(query.text)
    q = meili_q(typed, query.text)
    main: dict[str, Any] = {
        "indexUid": uid,
        "q": q,
        "filter": filters(query),
        "facets": list(FACETS),
        "hitsPerPage": query.per_page,
        "page": query.page,
    }
    if sort := _sort(query):
        main["sort"] = sort
    selected = {"art_form": query.art_forms, "place": query.places, "language": query.languages}
    extra = [
        {
            "indexUid": uid,
            "q": q,
            "filter": filters(query, without=name),
            "facets": [name],
            "limit": 0,
        }
        for name in DISJUNCTIVE
        if selected[name]
    ]
    results = client.multi_search([main, *extra])["results"]
    first = results[0]
    facets = {name: dict(first.get("facetDistribution", {}).get(name, {})) for name in FACETS}
    for name, result in zip([n for n in DISJUNCTIVE if selected[n]], results[1:], strict=True):
        facets[name] = dict(result.get("facetDistribution", {}).get(name, {}))
    return CultureResult(
        hits=[culture_hit(document, typed) for document in first["hits"]],
        facets=facets,
        total=int(first.get("totalHits", 0)),
        page=query.page,
        per_page=query.per_page,
        took_ms=(time.perf_counter() - started) * 1000,
        query=query,
    )
