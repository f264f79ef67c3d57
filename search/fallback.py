"""The catalog from SQL when Meilisearch cannot answer: the same filters, facets and sorts,
and the result says it is degraded.

Text is matched as the index matches it: the query rewritten into keys (search/words.py)
against each program's stored keys (`program_words`, with SQLite FTS5 or a PostgreSQL GIN
index over them), every word required, the last one as a prefix while it is typed, and
ranked by the database (bm25 / ts_rank; a title's word weighs more than a description's),
also higher for the query's optional keys (its words as typed, narrower synonyms).
Filtering, ranking, counting and paging all happen in SQL: Python only reads one page.
Typos are not forgiven beyond what keys already absorb (endings, alphabets, diacritics).
The query reaches the database as a bound parameter made of word characters only.
"""

from __future__ import annotations

import math
import time
from datetime import date
from typing import Any

from sqlalchemy import Float, bindparam, case, func, literal_column, text
from sqlmodel import Session, col, select

from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.models import CertificationStatus, Group, Program
from navigator.domain.programs.photos import photo_url
from navigator.domain.programs.queries import catalog_filter
from navigator.domain.providers.models import Provider
from search.query import (
    DISJUNCTIVE,
    FACETS,
    CatalogQuery,
    CatalogResult,
    Hit,
    highlighted,
    validate,
)
from search.words import QueryWords, query_words

STARTS_ON = Group.__table__.c.starts_on  # type: ignore[attr-defined]
KM_PER_DEGREE = 111.195  # the Earth's mean radius (6 371 km) × π / 180
PG_DOCUMENT = (
    "(setweight(to_tsvector('simple', program_words.title), 'A')"
    " || setweight(to_tsvector('simple', program_words.body), 'B'))"
)  # the expression migration 0021 indexes


def _sqlite_match(typed: QueryWords) -> str:
    """An FTS5 expression: every key, the last as a prefix; the optional keys only rank."""
    terms = [f'"{k}"' for k in typed.keys]
    if typed.last_is_prefix:
        terms[-1] += "*"
    expression = " AND ".join(terms)
    if typed.boosts:  # X AND (X OR b): matches what X matches, bm25 counts b too
        expression += " AND (" + " OR ".join([*terms, *(f'"{b}"' for b in typed.boosts)]) + ")"
    return expression


def _pg_tsquery(typed: QueryWords) -> str:
    terms = list(typed.keys)
    if typed.last_is_prefix:
        terms[-1] += ":*"
    expression = " & ".join(terms)
    if typed.boosts:
        expression += " & (" + " | ".join([*terms, *typed.boosts]) + ")"
    return expression


def _text_match(session: Session, typed: QueryWords, *, ranked: bool) -> Any:
    """(program_id, rank) of the programs that answer the text, lower rank first; the rank
    is worked out only for the statement that sorts by it (the page), not for the counts."""
    if session.get_bind().dialect.name == "sqlite":
        rank = "bm25(program_fts_words, 4.0, 1.0)" if ranked else "0"
        sql = (
            f"SELECT rowid AS program_id, {rank} AS rank"  # noqa: S608 (constants)
            " FROM program_fts_words WHERE program_fts_words MATCH :q"
        )
        expression = _sqlite_match(typed)
    else:
        # the title's vector only: short, so ranking thousands of matches stays cheap
        rank = "-ts_rank(to_tsvector('simple', title), to_tsquery('simple', :q))"
        sql = (
            f"SELECT program_id, {rank if ranked else '0'} AS rank FROM program_words"  # noqa: S608
            f" WHERE {PG_DOCUMENT} @@ to_tsquery('simple', :q)"
        )
        expression = _pg_tsquery(typed)
    return (
        text(sql)
        .bindparams(q=expression)
        .columns(literal_column("program_id"), literal_column("rank", Float))
        .cte("matched_ranked" if ranked else "matched")
        .prefix_with("MATERIALIZED")  # matched once, not once per program row
    )


def _live_groups(today: date) -> list[Any]:
    """Groups that take applications now: open, not over, on certified terms (or a free
    program's free ones)."""
    return [
        col(Group.enrollment_open).is_(True),
        Group.ends_on >= today,
        col(Group.certified_terms).is_not(None) | (Group.price_per_lesson_minor == 0),
    ]


def _group_value(aggregate: Any, today: date, *more: Any) -> Any:
    """A correlated value over the program's live groups (the index on program_id finds
    them), so no statement aggregates every group of the catalog."""
    return (
        select(aggregate)
        .where(col(Group.program_id) == col(Program.id), *_live_groups(today), *more)
        .correlate(Program)
        .scalar_subquery()
    )


def _has_group(today: date, *more: Any) -> Any:
    return (
        select(col(Group.id))
        .where(col(Group.program_id) == col(Program.id), *_live_groups(today), *more)
        .correlate(Program)
        .exists()
    )


def _weekday_condition(session: Session, weekdays: tuple[int, ...], today: date) -> Any:
    """A running group of the program has a lesson on one of these days (JSON timetable)."""
    if session.get_bind().dialect.name == "sqlite":
        lessons = (
            "SELECT 1 FROM program_group g, json_each(g.timetable) lesson"
            " WHERE g.program_id = program.id AND g.enrollment_open AND g.ends_on >= :wd_today"
            " AND CAST(json_extract(lesson.value, '$.weekday') AS INTEGER) IN :wd_days"
        )
    else:
        lessons = (
            "SELECT 1 FROM program_group g, json_array_elements(g.timetable) lesson"
            " WHERE g.program_id = program.id AND g.enrollment_open AND g.ends_on >= :wd_today"
            " AND (lesson->>'weekday')::int IN :wd_days"
        )
    return text(f"EXISTS ({lessons})").bindparams(
        bindparam("wd_days", [int(d) for d in weekdays], expanding=True), wd_today=today
    )


def _distance_km2(query: CatalogQuery) -> Any:
    """Equirectangular distance from the query's point: exact enough within a city region,
    and plain arithmetic on both databases (so it filters, sorts and is shown alike)."""
    lat0, lng0 = float(query.latitude or 0), float(query.longitude or 0)
    shrink = math.cos(math.radians(lat0))
    dy = (col(Program.latitude) - lat0) * KM_PER_DEGREE
    dx = (col(Program.longitude) - lng0) * (KM_PER_DEGREE * shrink)
    return dx * dx + dy * dy  # squared km: the same order, and no sqrt SQLite may lack


def _conditions(
    session: Session, query: CatalogQuery, today: date, *, without: tuple[str, ...] = ()
) -> list[Any]:
    conditions: list[Any] = [catalog_filter()]
    for name, column, values in (
        ("direction", Program.direction, query.directions),
        ("format", Program.format, query.formats),
        ("language", Program.language, query.languages),
        ("municipality", Municipality.code, query.municipalities),
    ):
        if values and name not in without:
            conditions.append(col(column).in_(values))
    if query.age is not None:
        conditions += [Program.age_min <= query.age, Program.age_max >= query.age]
    if query.payable_by_certificate is not None:
        payable = (
            col(Program.certified_at).is_not(None)
            & ~col(Program.is_free)
            & (col(Program.certification_status) != CertificationStatus.SUSPENDED)
        )
        conditions.append(payable if query.payable_by_certificate else ~payable)
    if query.has_free_seats is not None:  # a sum of free seats > 0: some group has one
        has = _has_group(today, Group.seats > Group.seats_taken)
        conditions.append(has if query.has_free_seats else ~has)
    if query.price_max_minor is not None:  # the lowest price within: some group's is
        ceiling = _has_group(today, Group.price_per_lesson_minor <= query.price_max_minor)
        if query.price_currency is not None:
            ceiling = ceiling & (col(Municipality.currency) == query.price_currency)
        conditions.append(col(Program.is_free) | ceiling)
    if query.weekdays:
        conditions.append(_weekday_condition(session, query.weekdays, today))
    if query.radius_km is not None and query.latitude is not None and query.longitude is not None:
        lat_span = query.radius_km / KM_PER_DEGREE
        lng_span = lat_span / max(0.01, math.cos(math.radians(query.latitude)))
        conditions += [
            col(Program.latitude).between(query.latitude - lat_span, query.latitude + lat_span),
            col(Program.longitude).between(query.longitude - lng_span, query.longitude + lng_span),
            _distance_km2(query) <= float(query.radius_km) ** 2,
        ]
    return conditions


def search_catalog_sql(session: Session, query: CatalogQuery, today: date) -> CatalogResult:
    query = validate(query)
    started = time.perf_counter()
    typed = query_words(query.text)
    if query.text and not typed.keys:  # signs only: nothing answers them
        return _result([], {name: {} for name in FACETS}, 0, query, started)
    by_rank = bool(typed.keys) and query.sort == "relevance"
    ranked = _text_match(session, typed, ranked=True) if by_rank else None
    plain = _text_match(session, typed, ranked=False) if typed.keys else None

    def base(columns: list[Any], *, without: tuple[str, ...] = (), matched: Any = plain) -> Any:
        statement = (
            select(*columns)
            .select_from(Program)
            .join(Provider, col(Provider.id) == Program.provider_id)
            .join(Municipality, col(Municipality.id) == Program.municipality_id)
        )
        if matched is not None:
            statement = statement.join(matched, matched.c.program_id == Program.id)
        return statement.where(*_conditions(session, query, today, without=without))

    order: list[Any]
    if query.sort == "price":
        lowest = _group_value(func.min(Group.price_per_lesson_minor), today)
        order = [lowest.is_(None), lowest]
    elif query.sort == "start":
        past = STARTS_ON.__lt__(today)  # a group already running starts "today", as indexed
        starts = _group_value(func.min(case((past, today), else_=STARTS_ON)), today)
        order = [starts.is_(None), starts]
    elif query.sort == "distance":
        order = [_distance_km2(query)]
    elif ranked is not None:
        order = [ranked.c.rank]
    else:
        order = []
    page_ids = [
        int(i)
        for i in session.exec(
            base([col(Program.id)], matched=ranked if ranked is not None else plain)
            .order_by(*order, col(Program.id))
            .offset((query.page - 1) * query.per_page)
            .limit(query.per_page)
        )
    ]
    total, facets = _counts(session, query, base)
    return _result(_hits(session, page_ids, query, typed, today), facets, total, query, started)


def _counts(
    session: Session, query: CatalogQuery, base: Any
) -> tuple[int, dict[str, dict[str, int]]]:
    """The total and the facet counts from one grouped scan: the programs that pass every
    filter but the selected disjunctive ones, counted by those four values; each facet then
    applies the other selections to these few rows, as Meilisearch's disjunctive counts do."""
    columns = (Program.direction, Program.format, Program.language, Municipality.code)
    selected = dict(
        zip(
            DISJUNCTIVE,
            (query.directions, query.formats, query.languages, query.municipalities),
            strict=True,
        )
    )
    chosen = tuple(name for name in DISJUNCTIVE if selected[name])
    rows = [
        (dict(zip(DISJUNCTIVE, (str(v) for v in values[:4]), strict=True)), int(values[4]))
        for values in session.exec(
            base([*columns, func.count()], without=chosen).group_by(*columns)
        )
    ]

    def passes(row: dict[str, str], *, but: str | None = None) -> bool:
        return all(row[name] in selected[name] for name in chosen if name != but)

    facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for name in DISJUNCTIVE:
        for row, count in rows:
            if passes(row, but=name):
                facets[name][row[name]] = facets[name].get(row[name], 0) + count
    return sum(count for row, count in rows if passes(row)), facets


def _hits(
    session: Session, ids: list[int], query: CatalogQuery, typed: QueryWords, today: date
) -> list[Hit]:
    """The page's cards, in the page's order: its rows and its groups' summary only."""
    if not ids:
        return []
    summary = (
        select(
            col(Group.program_id),
            func.min(Group.price_per_lesson_minor),
            func.sum(Group.seats - Group.seats_taken),
        )
        .where(col(Group.program_id).in_(ids), *_live_groups(today))
        .group_by(col(Group.program_id))
    )
    groups = {pid: (low, int(free or 0)) for pid, low, free in session.exec(summary)}
    rows = session.exec(
        select(Program, Provider.name, Municipality.code, Municipality.currency)
        .join(Provider, col(Provider.id) == Program.provider_id)
        .join(Municipality, col(Municipality.id) == Program.municipality_id)
        .where(col(Program.id).in_(ids))
    ).all()
    by_id = {row[0].id: row for row in rows}
    hits = []
    for program_id in ids:
        program, provider_name, code, currency = by_id[program_id]
        shown = program.shown  # as certified: an edit waiting for review is not shown
        lowest, free = groups.get(program_id, (None, 0))
        hits.append(
            Hit(
                id=program_id,
                title=shown["title"],
                title_segments=highlighted(shown["title"], typed),
                provider_name=provider_name,
                municipality=code,
                direction=shown["direction"],
                language=shown["language"],
                age_min=shown["age_min"],
                age_max=shown["age_max"],
                lowest_price_minor=lowest,
                currency=currency,
                free_seats=free,
                payable_by_certificate=program.payable_by_certificate,
                is_free=bool(shown["is_free"]),
                distance_m=_distance_m(query, program.latitude, program.longitude),
                photo_url=photo_url(shown["photo"]),
            )
        )
    return hits


def _distance_m(query: CatalogQuery, lat: float | None, lng: float | None) -> int | None:
    """The distance the sort and the radius used (equirectangular), in metres."""
    if query.latitude is None or query.longitude is None or lat is None or lng is None:
        return None
    dy = (lat - query.latitude) * KM_PER_DEGREE
    dx = (lng - query.longitude) * KM_PER_DEGREE * math.cos(math.radians(query.latitude))
    return round(math.sqrt(dx * dx + dy * dy) * 1000)


def _result(
    hits: list[Hit],
    facets: dict[str, dict[str, int]],
    total: int,
    query: CatalogQuery,
    started: float,
) -> CatalogResult:
    return CatalogResult(
        hits=hits,
        facets=facets,
        total=total,
        page=query.page,
        per_page=query.per_page,
        took_ms=(time.perf_counter() - started) * 1000,
        degraded=True,
        query=query,
    )
