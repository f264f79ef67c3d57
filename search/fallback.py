"""The catalog from SQL when Meilisearch cannot answer: slower and without typo tolerance,
but the same filters, facets and sorts, and the result says it is degraded.

Text goes through the database's own full-text index (SQLite FTS5, PostgreSQL tsvector),
as a bound parameter built from word characters only.
"""

from __future__ import annotations

import math
import re
import time
from datetime import date
from typing import Any

from sqlalchemy import func, literal_column, text
from sqlmodel import Session, col, select

from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.models import CertificationStatus, Group, Program
from navigator.domain.programs.photos import photo_url
from navigator.domain.programs.queries import catalog_filter
from navigator.domain.providers.models import Provider
from search.documents import EPOCH
from search.query import DISJUNCTIVE, FACETS, CatalogQuery, CatalogResult, Hit, Segment, validate

MAX_TOKENS = 8


def _tokens(query_text: str) -> list[str]:
    return re.findall(r"\w+", query_text.casefold())[:MAX_TOKENS]


def _text_condition(session: Session, tokens: list[str]) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        expression = " AND ".join(f'"{t}"*' for t in tokens)
        matches = text("SELECT rowid FROM program_fts WHERE program_fts MATCH :fts").bindparams(
            fts=expression
        )
        return col(Program.id).in_(matches.columns(literal_column("rowid")))
    expression = " & ".join(f"{t}:*" for t in tokens)
    return text(
        "to_tsvector('simple', program.title || ' ' || program.description || ' ' || program.tags)"
        " @@ to_tsquery('simple', :tsq)"
    ).bindparams(tsq=expression)


def _groups(today: date) -> Any:
    return (
        select(
            col(Group.program_id).label("program_id"),
            func.min(Group.price_per_lesson_minor).label("lowest_price"),
            func.sum(Group.seats - Group.seats_taken).label("free_seats"),
            func.min(Group.starts_on).label("starts_on"),
        )
        .where(
            col(Group.enrollment_open).is_(True),
            Group.ends_on >= today,
            # groups that take applications: certified ones, and a free program's free ones
            col(Group.certified_terms).is_not(None) | (Group.price_per_lesson_minor == 0),
        )
        .group_by(col(Group.program_id))
        .subquery()
    )


def _conditions(query: CatalogQuery, groups: Any, *, without: str | None = None) -> list[Any]:
    conditions: list[Any] = [catalog_filter()]
    for name, column, values in (
        ("direction", Program.direction, query.directions),
        ("format", Program.format, query.formats),
        ("language", Program.language, query.languages),
        ("municipality", Municipality.code, query.municipalities),
    ):
        if values and name != without:
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
    if query.has_free_seats is not None:
        has = func.coalesce(groups.c.free_seats, 0) > 0
        conditions.append(has if query.has_free_seats else ~has)
    if query.price_max_minor is not None:
        ceiling = groups.c.lowest_price <= query.price_max_minor
        if query.price_currency is not None:
            ceiling = ceiling & (col(Municipality.currency) == query.price_currency)
        conditions.append(col(Program.is_free) | ceiling)
    if query.radius_km is not None and query.latitude is not None and query.longitude is not None:
        lat_span = query.radius_km / 111.0
        lng_span = query.radius_km / (111.0 * max(0.01, math.cos(math.radians(query.latitude))))
        conditions += [
            col(Program.latitude).between(query.latitude - lat_span, query.latitude + lat_span),
            col(Program.longitude).between(query.longitude - lng_span, query.longitude + lng_span),
        ]
    return conditions


def _distance_m(query: CatalogQuery, lat: float | None, lng: float | None) -> int | None:
    if query.latitude is None or query.longitude is None or lat is None or lng is None:
        return None
    phi1, phi2 = math.radians(query.latitude), math.radians(lat)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lng - query.longitude) / 2) ** 2
    )
    return round(6_371_000 * 2 * math.asin(math.sqrt(a)))


def _weekdays(session: Session, program_ids: list[int | None], today: date) -> dict[int, set[int]]:
    """Lesson weekdays of the running groups of these programs, in a few queries."""
    days: dict[int, set[int]] = {}
    ids = [i for i in program_ids if i is not None]
    for first in range(0, len(ids), 5_000):
        chunk = ids[first : first + 5_000]
        for program_id, timetable in session.exec(
            select(Group.program_id, Group.timetable).where(
                col(Group.program_id).in_(chunk),
                col(Group.enrollment_open).is_(True),
                Group.ends_on >= today,
            )
        ):
            days.setdefault(program_id, set()).update(int(s["weekday"]) for s in timetable)
    return days


def search_catalog_sql(session: Session, query: CatalogQuery, today: date) -> CatalogResult:
    query = validate(query)
    started = time.perf_counter()
    groups = _groups(today)
    tokens = _tokens(query.text)

    def base(columns: list[Any], *, without: str | None = None) -> Any:
        statement = (
            select(*columns)
            .select_from(Program)
            .join(Provider, col(Provider.id) == Program.provider_id)
            .join(Municipality, col(Municipality.id) == Program.municipality_id)
            .outerjoin(groups, groups.c.program_id == Program.id)
            .where(*_conditions(query, groups, without=without))
        )
        return statement.where(_text_condition(session, tokens)) if tokens else statement

    rows = session.exec(
        base(
            [
                Program,
                Provider.name,
                Municipality.code,
                Municipality.currency,
                groups.c.lowest_price,
                groups.c.free_seats,
                groups.c.starts_on,
            ]
        )
    ).all()
    weekdays = _weekdays(session, [r[0].id for r in rows], today) if query.weekdays else {}
    candidates = []
    for program, provider_name, code, currency, lowest, free, starts_on in rows:
        weekdays_ok = not query.weekdays or bool(
            weekdays.get(program.id, set()) & set(query.weekdays)
        )
        distance = _distance_m(query, program.latitude, program.longitude)
        if not weekdays_ok or (
            query.radius_km is not None and (distance is None or distance > query.radius_km * 1000)
        ):
            continue
        candidates.append(
            (program, provider_name, code, currency, lowest, int(free or 0), starts_on, distance)
        )
    order = {
        "price": lambda c: (c[4] is None, c[4] or 0, c[0].id),
        "start": lambda c: (c[6] is None, c[6] or EPOCH, c[0].id),
        "distance": lambda c: (c[7] is None, c[7] or 0, c[0].id),
        "relevance": lambda c: (c[0].title.casefold(), c[0].id),
    }[query.sort]
    candidates.sort(key=order)
    page = candidates[(query.page - 1) * query.per_page : query.page * query.per_page]
    facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for name, column in zip(
        DISJUNCTIVE,
        (Program.direction, Program.format, Program.language, Municipality.code),
        strict=True,
    ):
        counted = session.exec(base([column, func.count()], without=name).group_by(column)).all()
        facets[name] = {str(value): int(count) for value, count in counted}
    return CatalogResult(
        hits=[
            Hit(  # as certified: an edit waiting for review is not shown (the filters above
                # still read the current columns; the degraded search is approximate there)
                id=program.id or 0,
                title=shown["title"],
                title_segments=[Segment(shown["title"], highlighted=False)],
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
                distance_m=distance,
                photo_url=photo_url(shown["photo"]),
            )
            for program, provider_name, code, currency, lowest, free, _starts, distance in page
            for shown in (program.shown,)
        ],
        facets=facets,
        total=len(candidates),
        page=query.page,
        per_page=query.per_page,
        took_ms=(time.perf_counter() - started) * 1000,
        degraded=True,
        query=query,
    )
