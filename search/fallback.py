"""The catalog from SQL when Meilisearch cannot answer: the same filters, facets and sorts,
and the result says it is degraded.

Text is matched as the index matches it: the query rewritten into keys (search/words.py)
against each program's stored keys (`program_words`, with SQLite FTS5 or a PostgreSQL GIN
index over them), every word required, the last one as a prefix while it is typed, and
ranked by the database (bm25 / ts_rank; a title's word weighs more than a description's),
also higher for the query's optional keys (its words as typed, narrower synonyms).
Filtering, ranking, counting and paging all happen in SQL: Python only reads one page.
Filters, facets and sorts read the catalog's narrow per-program rows (catalog_row, written
with every change: navigator/domain/programs/catalog_rows.py), not programs joined to their
providers, municipalities and groups.
Typos are not forgiven beyond what keys already absorb (endings, alphabets, diacritics).
The query reaches the database as a bound parameter made of word characters only.
"""

from __future__ import annotations

import math
import time
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    Integer,
    Text,
    and_,
    bindparam,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    null,
    or_,
    table,
    text,
    union_all,
)
from sqlmodel import Session, col, select

from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.catalog_rows import CatalogGroup, CatalogRow, weekday_mask
from navigator.domain.programs.models import Program
from navigator.domain.programs.photos import photo_url
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

KM_PER_DEGREE = 111.195  # the Earth's mean radius (6 371 km) × π / 180
PG_DOCUMENT = (
    "(setweight(to_tsvector('simple', program_words.title), 'A')"
    " || setweight(to_tsvector('simple', program_words.body), 'B'))"
)  # the expression migration 0021 indexes
PG_TITLE = "to_tsvector('simple', program_words.title)"  # migration 0027 indexes it


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


def _pg_any(typed: QueryWords) -> str:
    """Any key or boost of the query: the titles whose ts_rank can be above zero."""
    terms = list(typed.keys)
    if typed.last_is_prefix:
        terms[-1] += ":*"
    return " | ".join(dict.fromkeys([*terms, *typed.boosts]))


def _text_match(session: Session, typed: QueryWords, *, ranked: bool, within: Any = None) -> Any:
    """(program_id, rank) of the programs that answer the text, lower rank first; the rank
    is worked out only for the statement that sorts by it (the page), not for the counts,
    and only for the matches `within` the query's filters (a broad word may match half the
    catalog, and ranking costs per match)."""
    if session.get_bind().dialect.name == "sqlite":
        q: Any = bindparam("q", _sqlite_match(typed))
        fts = table("program_fts_words", column("rowid"))
        rank = literal_column("bm25(program_fts_words, 4.0, 1.0)", Float) if ranked else literal(0)
        statement = select(fts.c.rowid.label("program_id"), rank.label("rank")).where(
            literal_column("program_fts_words").op("MATCH")(q)
        )
        matched = fts.c.rowid + 0  # not an index constraint: FTS5 would match once per id
    else:
        q = bindparam("q", _pg_tsquery(typed))
        words = table("program_words", column("program_id"), column("title"))
        simple: Any = literal_column("'simple'")
        # the title's vector only: short, so ranking thousands of matches stays cheap
        title_rank = func.ts_rank(
            func.to_tsvector(simple, words.c.title), func.to_tsquery(simple, q)
        )
        statement = select(
            words.c.program_id, (-title_rank if ranked else literal(0)).label("rank")
        ).where(text(f"{PG_DOCUMENT} @@ to_tsquery('simple', :q)").bindparams(q))
        matched = words.c.program_id + 0  # not a key to look documents up by one by one
    if within is not None:
        statement = statement.where(matched.in_(within))
    cte = statement.cte("matched_ranked" if ranked else "matched")
    if ranked or session.get_bind().dialect.name == "sqlite":
        cte = cte.prefix_with("MATERIALIZED")  # matched once, not once per program row
    return cte


ROW = CatalogRow.__table__  # type: ignore[attr-defined]
GROUP = CatalogGroup.__table__  # type: ignore[attr-defined]


def _fresh(today: date) -> Any:
    """The row's group values hold today: no group it left out is live, none it counted ended."""
    return and_(
        or_(ROW.c.fresh_from.is_(None), ROW.c.fresh_from <= today),
        or_(ROW.c.fresh_until.is_(None), ROW.c.fresh_until >= today),
    )


def _group_value(stored: Any, aggregate: Any, today: date, *more: Any) -> Any:
    """The row's stored value while it holds; on another day, the same value over the
    program's groups still running (its catalog_group rows, found by index)."""
    live = (
        select(aggregate)
        .where(GROUP.c.program_id == ROW.c.program_id, GROUP.c.ends_on >= today, *more)
        .correlate(ROW)
        .scalar_subquery()
    )
    return case((_fresh(today), stored), else_=live)


def _lowest_price(today: date) -> Any:
    return _group_value(ROW.c.lowest_price, func.min(GROUP.c.price), today)


def _free_seats(today: date) -> Any:
    return _group_value(ROW.c.free_seats, func.coalesce(func.sum(GROUP.c.free_seats), 0), today)


def _nearest_start(today: date) -> Any:
    """A group already running starts "today", as the index has it."""
    first = _group_value(ROW.c.first_start, func.min(GROUP.c.starts_on), today)
    return case((first < today, literal(today, Date)), else_=first)


def _holds(today: date, stored: Any, *on_groups: Any) -> Any:
    """A condition on the row's stored group values while they hold; on another day, the
    same condition on some group of the program still running. (No per-row subquery in the
    common case: a planner that costs one for every row chose slower plans.)"""
    live = (
        select(GROUP.c.group_id)
        .where(GROUP.c.program_id == ROW.c.program_id, GROUP.c.ends_on >= today, *on_groups)
        .correlate(ROW)
        .exists()
    )
    return or_(and_(_fresh(today), stored), and_(~_fresh(today), live))


def _meets_on(weekdays: tuple[int, ...], today: date) -> Any:
    """A live group of the program meets on one of these days (a bitmask, one bit a day)."""
    mask = bindparam("weekday_mask", weekday_mask(weekdays), type_=Integer, unique=True)
    return _holds(today, ROW.c.weekdays.op("&")(mask) != 0, GROUP.c.weekdays.op("&")(mask) != 0)


def _distance_km2(query: CatalogQuery) -> Any:
    """Equirectangular distance from the query's point: exact enough within a city region,
    and plain arithmetic on both databases (so it filters, sorts and is shown alike)."""
    lat0, lng0 = float(query.latitude or 0), float(query.longitude or 0)
    shrink = math.cos(math.radians(lat0))
    dy = (ROW.c.latitude - lat0) * KM_PER_DEGREE
    dx = (ROW.c.longitude - lng0) * (KM_PER_DEGREE * shrink)
    return dx * dx + dy * dy  # squared km: the same order, and no sqrt SQLite may lack


def _conditions(query: CatalogQuery, today: date, *, without: tuple[str, ...] = ()) -> list[Any]:
    """The query's filters on the catalog's rows (a row exists only for a catalog program)."""
    conditions: list[Any] = []
    for name, field, values in (
        ("direction", ROW.c.direction, query.directions),
        ("format", ROW.c.format, query.formats),
        ("language", ROW.c.language, query.languages),
        ("municipality", ROW.c.municipality, query.municipalities),
    ):
        if values and name not in without:
            conditions.append(field.in_(values))
    if query.age is not None:
        conditions += [ROW.c.age_min <= query.age, ROW.c.age_max >= query.age]
    if query.payable_by_certificate is not None:
        conditions.append(ROW.c.payable.is_(bool(query.payable_by_certificate)))
    if query.has_free_seats is not None:  # a sum of free seats > 0: some group has one
        free = _holds(today, ROW.c.free_seats > 0, GROUP.c.free_seats > 0)
        conditions.append(free if query.has_free_seats else ~free)
    if query.price_max_minor is not None:  # the lowest price within: some group's is
        ceiling = _holds(
            today,
            ROW.c.lowest_price <= query.price_max_minor,
            GROUP.c.price <= query.price_max_minor,
        )
        if query.price_currency is not None:
            ceiling = ceiling & (ROW.c.currency == query.price_currency)
        conditions.append(ROW.c.is_free.is_(True) | ceiling)
    if query.weekdays:
        conditions.append(_meets_on(query.weekdays, today))
    if query.radius_km is not None and query.latitude is not None and query.longitude is not None:
        lat_span = query.radius_km / KM_PER_DEGREE
        lng_span = lat_span / max(0.01, math.cos(math.radians(query.latitude)))
        conditions += [
            ROW.c.latitude.between(query.latitude - lat_span, query.latitude + lat_span),
            ROW.c.longitude.between(query.longitude - lng_span, query.longitude + lng_span),
            _distance_km2(query) <= float(query.radius_km) ** 2,
        ]
    return conditions


def search_catalog_sql(session: Session, query: CatalogQuery, today: date) -> CatalogResult:
    query = validate(query)
    started = time.perf_counter()
    typed = query_words(query.text)
    if query.text and not typed.keys:  # signs only: nothing answers them
        return _result([], {name: {} for name in FACETS}, 0, query, started)
    if session.get_bind().dialect.name != "sqlite":
        # the per-row group subqueries (read only on a day a row does not hold) inflate the
        # planner's cost past jit_above_cost: compiling them took 100+ ms of a 20 ms query
        session.exec(text("SET LOCAL jit = off"))  # type: ignore[call-overload]
        # counting by four values sorts or hashes every matching row: in memory, not on disk
        session.exec(text("SET LOCAL work_mem = '32MB'"))  # type: ignore[call-overload]
    sqlite = session.get_bind().dialect.name == "sqlite"
    by_rank = bool(typed.keys) and query.sort == "relevance"
    if by_rank and not sqlite:
        page_ids, total, facets = _pg_by_relevance(session, query, typed, today)
        return _result(_hits(session, page_ids, query, typed, today), facets, total, query, started)
    filtered = _conditions(query, today)
    within = select(ROW.c.program_id).where(*filtered) if filtered else None
    ranked = _text_match(session, typed, ranked=True, within=within) if by_rank else None
    plain = _text_match(session, typed, ranked=False) if typed.keys else None

    def base(columns: list[Any], *, without: tuple[str, ...] = (), matched: Any = plain) -> Any:
        statement = select(*columns).select_from(ROW)
        if matched is not None and (matched is ranked or not sqlite):  # sorted by its rank
            statement = statement.join(matched, matched.c.program_id == ROW.c.program_id)
        elif matched is not None:
            # a filter, not a join: the rows are read in the facet index's order, so counting
            # them by their four values needs no sort (+ 0: not a search by primary key)
            statement = statement.where((ROW.c.program_id + 0).in_(select(matched.c.program_id)))
        return statement.where(*_conditions(query, today, without=without))

    order: list[Any]
    if query.sort == "price":
        lowest = _lowest_price(today)
        order = [lowest.is_(None), lowest]
    elif query.sort == "start":
        starts = _nearest_start(today)
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
            base([ROW.c.program_id], matched=ranked if ranked is not None else plain)
            .order_by(*order, ROW.c.program_id)
            .offset((query.page - 1) * query.per_page)
            .limit(query.per_page)
        )
    ]
    total, facets = _counts(session, query, base)
    return _result(_hits(session, page_ids, query, typed, today), facets, total, query, started)


def _pg_by_relevance(
    session: Session, query: CatalogQuery, typed: QueryWords, today: date
) -> tuple[list[int], int, dict[str, dict[str, int]]]:
    """PostgreSQL, a text sorted by relevance: one statement finds the matches once, joins
    them to the catalog's rows once (every filter but the chosen disjunctive ones), and reads
    both the page and the counts from that. The rank is the title's ts_rank, worked out only
    for the titles holding a word of the query (migration 0027's index finds them): every
    other title ranks alike, as ts_rank ranks a vector without the query's words. A broad
    word ("program*") matches most of the catalog through descriptions, but few titles."""
    words = table("program_words", column("program_id"), column("title"))
    q: Any = bindparam("q", _pg_tsquery(typed))
    matched = (
        select(words.c.program_id)
        .where(text(f"{PG_DOCUMENT} @@ to_tsquery('simple', :q)").bindparams(q))
        .cte("matched")
    )
    # grouped byte by byte, not by language
    columns: list[Any] = [ROW.c.program_id, *(ROW.c[n].collate("C").label(n) for n in DISJUNCTIVE)]
    candidates = (
        select(*columns)
        .join(matched, matched.c.program_id == ROW.c.program_id)
        .where(*_conditions(query, today, without=_chosen(query)))
        .cte("candidates")
        .prefix_with("MATERIALIZED")  # read twice: by the page and by the counts
    )
    simple: Any = literal_column("'simple'")
    any_word: Any = bindparam("any", _pg_any(typed))
    # the titles holding a word of the query, by their own index (a hashed set: whatever
    # the planner guesses of the candidates, each is looked up in it once)
    titled = select(words.c.program_id).where(
        text(f"{PG_TITLE} @@ to_tsquery('simple', :any)").bindparams(any_word)
    )
    its_words = words.alias("its_words")
    title_rank = (
        select(
            func.ts_rank(func.to_tsvector(simple, its_words.c.title), func.to_tsquery(simple, q))
        )
        .where(its_words.c.program_id == candidates.c.program_id)
        .correlate(candidates)
        .scalar_subquery()
    )
    # what ts_rank gives any title without the query's words (1e-20 for most queries, the
    # same for every such title: it depends on the words found), worked out once
    no_words = select(
        func.ts_rank(literal_column("array_to_tsvector('{-}')"), func.to_tsquery(simple, q))
    ).scalar_subquery()
    rank = -case((candidates.c.program_id.in_(titled), title_rank), else_=no_words)
    selected = _selected(query)
    page = (
        select(candidates.c.program_id, rank.label("rank"))
        .where(*(candidates.c[name].in_(selected[name]) for name in _chosen(query)))
        .order_by(rank, candidates.c.program_id)
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
        .subquery("page")
    )
    values: list[Any] = [candidates.c[name] for name in DISJUNCTIVE]
    counted: list[Any] = [*values, func.count().label("n")]
    counts = select(*counted).group_by(*values).subquery("counts")
    nothing: list[Any] = [cast(null(), Text)] * len(DISJUNCTIVE)
    page_part: list[Any] = [page.c.program_id, page.c.rank, *nothing, cast(null(), BigInteger)]
    counts_part: list[Any] = [
        cast(null(), Integer),
        cast(null(), Float),
        *(counts.c[name] for name in DISJUNCTIVE),
        counts.c.n,
    ]
    statement = union_all(select(*page_part), select(*counts_part))
    found = session.exec(statement).all()  # type: ignore[call-overload]
    page_rows = sorted((row[1], row[0]) for row in found if row[0] is not None)
    total, facet_counts = _facets(query, [(row[2:6], row[6]) for row in found if row[0] is None])
    return [int(program_id) for _rank, program_id in page_rows], total, facet_counts


def _counts(
    session: Session, query: CatalogQuery, base: Any
) -> tuple[int, dict[str, dict[str, int]]]:
    """The total and the facet counts from one grouped scan: the programs that pass every
    filter but the selected disjunctive ones, counted by those four values; each facet then
    applies the other selections to these few rows, as Meilisearch's disjunctive counts do."""
    columns: tuple[Any, ...] = (ROW.c.direction, ROW.c.format, ROW.c.language, ROW.c.municipality)
    if session.get_bind().dialect.name != "sqlite":  # grouped byte by byte, not by language
        columns = tuple(c.collate("C") for c in columns)
    counted = session.exec(
        base([*columns, func.count()], without=_chosen(query)).group_by(*columns)
    )
    return _facets(query, [(values[:4], values[4]) for values in counted])


def _selected(query: CatalogQuery) -> dict[str, tuple[str, ...]]:
    """The values selected in each disjunctive facet."""
    values = (query.directions, query.formats, query.languages, query.municipalities)
    return dict(zip(DISJUNCTIVE, values, strict=True))


def _chosen(query: CatalogQuery) -> tuple[str, ...]:
    """The disjunctive facets with a selection: the counts leave their filter out."""
    selected = _selected(query)
    return tuple(name for name in DISJUNCTIVE if selected[name])


def _facets(
    query: CatalogQuery, counted: list[tuple[Any, Any]]
) -> tuple[int, dict[str, dict[str, int]]]:
    """The total and the facets from the counts by the four values (of the programs that
    pass every filter but the chosen ones)."""
    selected, chosen = _selected(query), _chosen(query)
    rows = [
        (dict(zip(DISJUNCTIVE, (str(v) for v in values), strict=True)), int(count))
        for values, count in counted
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
        select(GROUP.c.program_id, func.min(GROUP.c.price), func.sum(GROUP.c.free_seats))
        .where(GROUP.c.program_id.in_(ids), GROUP.c.ends_on >= today)
        .group_by(GROUP.c.program_id)
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
