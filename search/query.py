"""One function answers every catalog search: a typed, validated query in, typed results out.

Filters are assembled from validated values only (whitelisted words, integers, floats),
never from the text a user typed, which goes to Meilisearch as the query string and
nowhere else, rewritten into the index's keys (search/words.py). Highlights are the title's
words that answer those keys, as plain-text segments: no markup ever reaches a page.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import meilisearch

from navigator.domain.programs.models import Direction, ProgramFormat
from navigator.domain.shared.errors import InvalidInput
from navigator.domain.shared.models import Language
from search.settings import INDEX_UID, LANGUAGES
from search.words import QueryWords, marked_spans, query_words

Sort = Literal["relevance", "price", "distance", "start"]
SORTS = ("relevance", "price", "distance", "start")
MAX_PER_PAGE = 100
MAX_TEXT = 200
MAX_RADIUS_KM = 500.0
MUNICIPALITY_CODE = re.compile(r"^[a-z0-9-]{1,40}$")
CURRENCY = re.compile(r"[A-Z]{3}")
DISJUNCTIVE = ("direction", "format", "language", "municipality")
FACETS = (*DISJUNCTIVE, "payable_by_certificate", "has_free_seats", "weekdays", "ages")
# Private-use characters mark highlights; they cannot come from a program's own text.
MARK_START, MARK_END = "\ue000", "\ue001"


@dataclass(frozen=True)
class CatalogQuery:
    text: str = ""
    directions: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()
    age: int | None = None
    payable_by_certificate: bool | None = None
    has_free_seats: bool | None = None
    weekdays: tuple[int, ...] = ()
    price_max_minor: int | None = None
    price_currency: str | None = None  # the price filter's currency; None: every currency
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    locale: str = "ru"
    # the facets to count: each costs the engine a pass over the matches, so a page that
    # shows five of them asks for five
    facets: tuple[str, ...] = FACETS


def _whole(value: object, field_name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput("query_out_of_range", field=field_name, min=low, max=high)
    return value


def _number(value: object, field_name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise InvalidInput("query_out_of_range", field=field_name, min=low, max=high)
    return float(value)


def _choices(values: tuple[str, ...], field_name: str, allowed: set[str]) -> tuple[str, ...]:
    for value in values:
        if value not in allowed:
            raise InvalidInput(
                "field_not_allowed", field=field_name, allowed=", ".join(sorted(allowed))
            )
    return tuple(dict.fromkeys(values))


def validate(query: CatalogQuery) -> CatalogQuery:
    """The query itself, or InvalidInput naming the first wrong field."""
    if not isinstance(query.text, str) or len(query.text) > MAX_TEXT:
        raise InvalidInput("field_too_long", field="q", max_length=MAX_TEXT)
    if not set(query.facets) <= set(FACETS):
        raise InvalidInput("field_not_allowed", field="facets", allowed=", ".join(FACETS))
    for code in query.municipalities:
        if not isinstance(code, str) or not MUNICIPALITY_CODE.match(code):
            raise InvalidInput("field_not_allowed", field="municipality", allowed="a-z, 0-9, -")
    has_point = query.latitude is not None or query.longitude is not None
    if has_point:
        _number(query.latitude, "lat", -90, 90)
        _number(query.longitude, "lng", -180, 180)
    if query.radius_km is not None:
        if not has_point:
            raise InvalidInput("query_needs_point", field="radius_km")
        _number(query.radius_km, "radius_km", 0.1, MAX_RADIUS_KM)
    if query.sort not in SORTS:
        raise InvalidInput("field_not_allowed", field="sort", allowed=", ".join(SORTS))
    if query.sort == "distance" and not has_point:
        raise InvalidInput("query_needs_point", field="sort")
    if query.age is not None:
        _whole(query.age, "age", 0, 18)
    if query.price_max_minor is not None:
        _whole(query.price_max_minor, "price_max", 0, 10**13)
    if query.price_currency is not None and (
        not isinstance(query.price_currency, str) or not CURRENCY.fullmatch(query.price_currency)
    ):
        raise InvalidInput("field_not_allowed", field="currency", allowed="A-Z (ISO 4217)")
    for day in query.weekdays:
        _whole(day, "weekday", 1, 7)
    _whole(query.page, "page", 1, 10_000)
    _whole(query.per_page, "per_page", 1, MAX_PER_PAGE)
    if query.locale not in LANGUAGES:
        raise InvalidInput("field_not_allowed", field="locale", allowed=", ".join(LANGUAGES))
    return replace(
        query,
        text="".join(ch for ch in query.text if ch.isprintable()).strip(),
        directions=_choices(query.directions, "direction", {d.value for d in Direction}),
        formats=_choices(query.formats, "format", {f.value for f in ProgramFormat}),
        languages=_choices(query.languages, "language", {lang.value for lang in Language}),
    )


def _quoted(values: tuple[str, ...]) -> str:
    # values are whitelisted words or [a-z0-9-] codes: nothing here needs escaping
    return ", ".join(f"'{v}'" for v in values)


def filters(query: CatalogQuery, *, without: str | None = None) -> list[str]:
    """Meilisearch filter clauses (ANDed), optionally leaving out one disjunctive facet."""
    clauses: list[str] = []
    for name, values in (
        ("direction", query.directions),
        ("format", query.formats),
        ("language", query.languages),
        ("municipality", query.municipalities),
    ):
        if values and name != without:
            clauses.append(f"{name} IN [{_quoted(values)}]")
    if query.age is not None:
        clauses.append(f"ages = {int(query.age)}")
    if query.payable_by_certificate is not None:
        clauses.append(
            f"payable_by_certificate = {'true' if query.payable_by_certificate else 'false'}"
        )
    if query.has_free_seats is not None:
        clauses.append(f"has_free_seats = {'true' if query.has_free_seats else 'false'}")
    if query.weekdays:
        clauses.append(f"weekdays IN [{', '.join(str(int(d)) for d in query.weekdays)}]")
    if query.price_max_minor is not None:
        ceiling = f"lowest_price <= {int(query.price_max_minor)}"
        if query.price_currency is not None:  # three capitals, checked in validate()
            ceiling = f"(currency = '{query.price_currency}' AND {ceiling})"
        clauses.append(f"(is_free = true OR {ceiling})")
    if query.radius_km is not None and query.latitude is not None and query.longitude is not None:
        meters = int(query.radius_km * 1000)
        clauses.append(f"_geoRadius({float(query.latitude)}, {float(query.longitude)}, {meters})")
    return clauses


def _sort(query: CatalogQuery) -> list[str] | None:
    if query.sort == "price":
        return ["lowest_price:asc"]
    if query.sort == "start":
        return ["nearest_start:asc"]
    if query.sort == "distance":
        return [f"_geoPoint({float(query.latitude or 0)}, {float(query.longitude or 0)}):asc"]
    return None


@dataclass(frozen=True)
class Segment:
    text: str
    highlighted: bool


@dataclass(frozen=True)
class Hit:
    id: int
    title: str
    title_segments: list[Segment]
    provider_name: str
    municipality: str
    direction: str
    language: str
    age_min: int
    age_max: int
    lowest_price_minor: int | None
    currency: str
    free_seats: int
    payable_by_certificate: bool
    is_free: bool
    distance_m: int | None
    photo_url: str = ""  # "" when the program has no photo


@dataclass(frozen=True)
class CatalogResult:
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    total: int
    page: int
    per_page: int
    took_ms: float
    degraded: bool = False
    notice: str = ""
    query: CatalogQuery = field(default_factory=CatalogQuery)


def segments(marked: str) -> list[Segment]:
    """'a\\ue000b\\ue001c' → [a, b (highlighted), c]: highlights as data, never as markup."""
    parts: list[Segment] = []
    for i, chunk in enumerate(re.split(f"[{MARK_START}{MARK_END}]", marked)):
        if chunk:
            parts.append(Segment(chunk, highlighted=i % 2 == 1))
    return parts


def highlighted(title: str, typed: QueryWords) -> list[Segment]:
    """The title in segments, the words that answer the query highlighted."""
    return [Segment(text, on) for text, on in marked_spans(title, typed)] or [
        Segment(title, highlighted=False)
    ]


def meili_q(typed: QueryWords, text: str) -> str:
    """The query string Meilisearch gets: keys (a trailing space when the last word is done);
    a text with no word in it (signs, emoji) as it is, so it finds what it finds, not all."""
    if not typed.keys:
        return text
    return typed.text if typed.last_is_prefix else typed.text + " "


def _hit(document: dict[str, Any], typed: QueryWords) -> Hit:
    lang = document.get("language", "ru")
    title = document.get(f"title_{lang}") or ""
    return Hit(
        id=int(document["id"]),
        title=title,
        title_segments=highlighted(title, typed),
        provider_name=document.get("provider_name", ""),
        municipality=document.get("municipality", ""),
        direction=document.get("direction", ""),
        language=lang,
        age_min=int(document.get("age_min", 0)),
        age_max=int(document.get("age_max", 0)),
        lowest_price_minor=document.get("lowest_price"),
        currency=document.get("currency", ""),
        free_seats=int(document.get("free_seats", 0)),
        payable_by_certificate=bool(document.get("payable_by_certificate")),
        is_free=bool(document.get("is_free")),
        distance_m=document.get("_geoDistance"),
        photo_url=str(document.get("photo_url") or ""),
    )


def search_catalog(
    client: meilisearch.Client, query: CatalogQuery, *, uid: str = INDEX_UID
) -> CatalogResult:
    """Hits, disjunctive facet counts and the total, in one multi-search round trip."""
    query = validate(query)
    started = time.perf_counter()
    typed = query_words(query.text)
    q = meili_q(typed, query.text)
    main: dict[str, Any] = {
        "indexUid": uid,
        "q": q,
        "filter": filters(query),
        "facets": list(query.facets),
        "hitsPerPage": query.per_page,
        "page": query.page,
    }
    if sort := _sort(query):
        main["sort"] = sort
    selected = {
        "direction": query.directions,
        "format": query.formats,
        "language": query.languages,
        "municipality": query.municipalities,
    }
    # Each selected facet also counts without its own filter, so its other values stay visible.
    extra = [
        {
            "indexUid": uid,
            "q": q,
            "filter": filters(query, without=name),
            "facets": [name],
            "limit": 0,
        }
        for name in DISJUNCTIVE
        if selected[name] and name in query.facets
    ]
    results = client.multi_search([main, *extra])["results"]
    first = results[0]
    facets = {name: dict(first.get("facetDistribution", {}).get(name, {})) for name in query.facets}
    disjunctive = [n for n in DISJUNCTIVE if selected[n] and n in query.facets]
    for name, result in zip(disjunctive, results[1:], strict=True):
        facets[name] = dict(result.get("facetDistribution", {}).get(name, {}))
    return CatalogResult(
        hits=[_hit(document, typed) for document in first["hits"]],
        facets=facets,
        total=int(first.get("totalHits", 0)),
        page=query.page,
        per_page=query.per_page,
        took_ms=(time.perf_counter() - started) * 1000,
        query=query,
    )
