"""Search documents for the culture pass: one per service schools can book, built from the
database on the terms the operator approved.

A service whose change waits for review shows its approved version; a suspended, rejected
or never approved service has no document. A document says what a service card and its
filters need (the provider's name, the next sessions with free places) and nothing about
any school or pupil.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from navigator.domain.culture.models import (
    CULTURE_CURRENCY,
    CultureService,
    CultureSession,
    ServiceStatus,
)
from navigator.domain.culture.services import bookable_terms
from navigator.domain.programs.photos import photo_url
from navigator.domain.providers.models import Provider
from navigator.domain.shared.models import CatalogChange
from navigator.i18n import value_label
from search.documents import DocumentBatch
from search.settings import LANGUAGES
from search.words import document_words

CULTURE_TIMEZONE = ZoneInfo("Europe/Vilnius")  # the programme's: a session's day is Lithuanian


def session_day(starts_at: datetime) -> str:
    return starts_at.astimezone(CULTURE_TIMEZONE).date().isoformat()


def culture_document(
    service: CultureService,
    terms: dict[str, Any],
    provider: Provider,
    sessions: list[CultureSession],
    now: datetime,
) -> dict[str, Any]:
    """The approved terms, and the future sessions that still have free places."""
    open_sessions = sorted(
        (s for s in sessions if s.starts_at > now and s.booked < s.capacity),
        key=lambda s: (s.starts_at, s.id or 0),
    )
    first = open_sessions[0] if open_sessions else None
    grade_min, grade_max = int(terms["grade_min"]), int(terms["grade_max"])
    art_form_labels = [value_label(terms["art_form"], lang) for lang in LANGUAGES]
    return {
        "id": service.id,
        "title": terms["title"],
        "description": terms["description"],
        "art_form": terms["art_form"],
        "art_form_labels": art_form_labels,
        # what queries match, normalised as they are (search/words.py)
        "words_title": document_words(terms["title"]),
        "words_more": document_words(provider.name, *art_form_labels),
        "words_description": document_words(terms["description"]),
        "grade_min": grade_min,
        "grade_max": grade_max,
        "grades": list(range(grade_min, grade_max + 1)),
        "place": terms["place"],
        "address": terms["address"],
        "language": terms["language"],
        "provider_id": provider.id,
        "provider_name": provider.name,
        "price_per_pupil": int(terms["price_per_pupil_minor"]),
        "currency": CULTURE_CURRENCY,
        "free_adults": int(terms["free_adults"]),
        # the approved photo (a change waits for review like any other)
        "photo_url": photo_url(str(terms.get("photo") or "")),
        "duration_minutes": int(terms["duration_minutes"]),
        "next_session": int(first.starts_at.timestamp()) if first else None,
        "next_free_places": first.capacity - first.booked if first else 0,
        "session_days": sorted({session_day(s.starts_at) for s in open_sessions}),
        "has_free_places": first is not None,
    }


def bookable_filter() -> Any:
    """Services that may have bookable terms (`bookable_terms` decides for each one)."""
    approved_or_in_review = col(CultureService.status).in_(
        [ServiceStatus.APPROVED, ServiceStatus.SUBMITTED]
    )
    return approved_or_in_review & col(CultureService.approved_version).is_not(None)


def culture_documents(
    session: Session, service_ids: Iterable[int] | None, now: datetime
) -> list[dict[str, Any]]:
    """Documents of these services (of every bookable one for None), in id order."""
    statement = (
        select(CultureService, Provider)
        .join(Provider, col(Provider.id) == CultureService.provider_id)
        .where(bookable_filter())
        .order_by(col(CultureService.id))
    )
    if service_ids is not None:
        statement = statement.where(col(CultureService.id).in_(sorted(set(service_ids))))
    rows = [
        (service, terms, provider)
        for service, provider in session.exec(statement).all()
        if (terms := bookable_terms(service)) is not None
    ]
    sessions: dict[int, list[CultureSession]] = {}
    ids = [service.id for service, _terms, _provider in rows]
    for first in range(0, len(ids), 5_000):
        for culture_session in session.exec(
            select(CultureSession).where(
                col(CultureSession.service_id).in_(ids[first : first + 5_000]),
                CultureSession.starts_at > now,
            )
        ):
            sessions.setdefault(culture_session.service_id, []).append(culture_session)
    return [
        culture_document(service, terms, provider, sessions.get(service.id or 0, []), now)
        for service, terms, provider in rows
    ]


def build_culture_batch(
    session: Session, service_ids: Iterable[int], now: datetime
) -> DocumentBatch:
    """Current documents for these services; those no longer bookable are removed."""
    wanted = sorted(set(service_ids))
    if not wanted:
        return DocumentBatch([], [])
    documents = culture_documents(session, wanted, now)
    present = {d["id"] for d in documents}
    return DocumentBatch(documents, [i for i in wanted if i not in present])


def changed_services(session: Session, rows: list[CatalogChange]) -> set[int]:
    """The services outbox rows stand for: their own rows, and a provider's for all of its."""
    service_ids = {r.culture_service_id for r in rows if r.culture_service_id is not None}
    providers = {r.provider_id for r in rows if r.provider_id is not None}
    if providers:
        service_ids |= {
            i
            for i in session.exec(
                select(CultureService.id).where(col(CultureService.provider_id).in_(providers))
            )
            if i is not None
        }
    return service_ids


def bookable_service_ids(session: Session, batch_size: int) -> Iterator[list[int]]:
    """Every service that may be bookable, in batches, for a full reindex."""
    last = 0
    while True:
        ids = [
            i
            for i in session.exec(
                select(CultureService.id)
                .where(bookable_filter(), col(CultureService.id) > last)
                .order_by(col(CultureService.id))
                .limit(batch_size)
            )
            if i is not None
        ]
        if not ids:
            return
        yield ids
        last = ids[-1]
