"""Search documents built from database rows: one per program in the catalog.

A document holds what a catalog card and its filters need (titles, provider, ages,
prices, seats, weekdays, place, the photo's address) and nothing about any person.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from navigator.domain.enrollment.seats import SeatClaims, group_free_seats, seat_claims
from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.models import Group, Program
from navigator.domain.programs.photos import photo_url
from navigator.domain.programs.queries import catalog_filter
from navigator.domain.providers.models import Provider
from navigator.i18n import value_label
from search.settings import LANGUAGES
from search.words import document_words

EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class DocumentBatch:
    """Documents to write, and ids of programs that must leave the index."""

    documents: list[dict[str, Any]]
    removed_ids: list[int]


def _group_summary(
    program: Program, groups: list[Group], today: date, claims: Mapping[int, SeatClaims]
) -> dict[str, Any]:
    live = [
        g
        for g in groups
        if g.enrollment_open and g.ends_on >= today and program.takes_applications(g)
    ]
    prices = [g.price_per_lesson_minor for g in live]
    free_seats = sum(group_free_seats(g, claims) for g in live)  # what a new application gets
    starts = [max(g.starts_on, today) for g in live]
    return {
        "lowest_price": min(prices) if prices else None,
        "free_seats": free_seats,
        "has_free_seats": free_seats > 0,
        "weekdays": sorted({int(s["weekday"]) for g in live for s in g.timetable}),
        "nearest_start": (min(starts) - EPOCH).days if starts else None,
        "groups": len(live),
    }


def program_document(
    program: Program,
    provider: Provider,
    municipality: Municipality,
    groups: list[Group],
    today: date,
    claims: Mapping[int, SeatClaims],
) -> dict[str, Any]:
    """The version parents may apply to: while a change waits for review, the certified one,
    with only the groups whose terms are certified. `claims`: the groups' applications
    (enrollment.seats.seat_claims), which free seats count."""
    shown = program.shown
    direction_labels = [value_label(shown["direction"], lang) for lang in LANGUAGES]
    document: dict[str, Any] = {
        "id": program.id,
        "language": shown["language"],
        "direction": shown["direction"],
        "direction_labels": direction_labels,
        "tags": shown["tags"],
        "provider_id": provider.id,
        "provider_name": provider.name,
        "municipality": municipality.code,
        "currency": municipality.currency,
        "age_min": shown["age_min"],
        "age_max": shown["age_max"],
        "ages": list(range(shown["age_min"], shown["age_max"] + 1)),
        "format": shown["format"],
        "address": shown["address"],
        "photo_url": photo_url(shown["photo"]),  # the card shows it without asking SQL
        "payable_by_certificate": program.payable_by_certificate,
        "is_free": bool(shown["is_free"]),
        **_group_summary(program, groups, today, claims),
    }
    # the words a query is matched against, normalised as queries are (search/words.py)
    document["words_title"] = document_words(shown["title"])
    document["words_more"] = document_words(provider.name, shown["tags"], *direction_labels)
    document["words_description"] = document_words(shown["description"])
    for lang in LANGUAGES:
        ours = shown["language"] == lang
        document[f"title_{lang}"] = shown["title"] if ours else None
        document[f"description_{lang}"] = shown["description"] if ours else None
    if program.latitude is not None and program.longitude is not None:
        document["_geo"] = {"lat": program.latitude, "lng": program.longitude}
    return document


def build_batch(session: Session, program_ids: Iterable[int], today: date) -> DocumentBatch:
    """Current documents for these programs; those no longer in the catalog are removed."""
    wanted = sorted(set(program_ids))
    if not wanted:
        return DocumentBatch([], [])
    rows = session.exec(
        select(Program, Provider, Municipality)
        .join(Provider, col(Provider.id) == Program.provider_id)
        .join(Municipality, col(Municipality.id) == Program.municipality_id)
        .where(col(Program.id).in_(wanted), catalog_filter())
    ).all()
    groups: dict[int, list[Group]] = {}
    for group in session.exec(select(Group).where(col(Group.program_id).in_(wanted))):
        groups.setdefault(group.program_id, []).append(group)
    claims = seat_claims(session, (g.id for its in groups.values() for g in its))
    documents = [
        program_document(
            program, provider, municipality, groups.get(program.id or 0, []), today, claims
        )
        for program, provider, municipality in rows
    ]
    present = {d["id"] for d in documents}
    return DocumentBatch(documents, [i for i in wanted if i not in present])


def catalog_program_ids(session: Session, batch_size: int) -> Iterator[list[int]]:
    """Every program id in the catalog, in batches, for a full reindex."""
    last = 0
    while True:
        ids = list(
            session.exec(
                select(Program.id)
                .join(Provider, col(Provider.id) == Program.provider_id)
                .where(catalog_filter(), col(Program.id) > last)
                .order_by(col(Program.id))
                .limit(batch_size)
            )
        )
        if not ids:
            return
        yield [i for i in ids if i is not None]
        last = ids[-1] or last
