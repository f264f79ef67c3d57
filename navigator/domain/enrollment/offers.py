"""Offline enrollment: a provider finds a child by certificate number and birth date and
prepares an enrollment; no money moves until the parent confirms it in their cabinet.

The number and the date must both match; a mismatch answers exactly like a number that
does not exist, so the desk learns nothing about other children.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor, check_guardian, check_provider_staff
from navigator.domain.accounts.models import Child
from navigator.domain.certificates.models import Certificate
from navigator.domain.certificates.numbers import normalize_certificate_number
from navigator.domain.enrollment.api import accept_application, apply_to_group
from navigator.domain.enrollment.models import Enrollment, EnrollmentOffer
from navigator.domain.enrollment.terms import Quote, quote
from navigator.domain.funding.models import FundingPeriod, PeriodStatus
from navigator.domain.programs.models import Group, Program
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import Conflict, DomainError, InvalidInput, NotFound
from navigator.domain.shared.locks import locked, locked_rows
from navigator.domain.shared.models import Notification, utcnow
from navigator.domain.shared.validation import check_date


def _staff_group(session: Session, actor: Actor, group_id: int) -> Group:
    group = get_row(session, Group, group_id)
    program = get_row(session, Program, group.program_id) if group else None
    if group is None or program is None:
        raise NotFound()
    check_provider_staff(session, actor, program.provider_id)
    return group


def offer_enrollment(
    session: Session, actor: Actor, group_id: int, certificate_number: str, birth_date: date
) -> EnrollmentOffer:
    group = _staff_group(session, actor, group_id)
    number = normalize_certificate_number(certificate_number)
    check_date(birth_date, "birth_date")
    child = session.exec(
        select(Child)
        .join(Certificate, col(Certificate.child_id) == Child.id)
        .where(Certificate.number == number)
    ).first()
    if child is None or child.birth_date != birth_date:
        raise InvalidInput("certificate_not_matched")
    pending = session.exec(
        select(EnrollmentOffer.id).where(
            EnrollmentOffer.child_id == child.id,
            EnrollmentOffer.group_id == group.id,
            EnrollmentOffer.decision == "pending",
        )
    ).first()
    if pending is not None:
        raise Conflict("offer_pending")
    assert child.id is not None and group.id is not None
    offer = EnrollmentOffer(child_id=child.id, group_id=group.id, offered_by_id=actor.user_id)
    session.add(offer)
    session.flush()
    session.add(
        Notification(
            user_id=child.guardian_id,
            kind="enrollment.offered",
            payload={"offer_id": offer.id, "group_id": group.id},
        )
    )
    return offer


@dataclass(frozen=True)
class OfferView:
    id: int
    child_name: str
    program_title: str
    group_name: str
    quote: Quote | None
    problem: DomainError | None


def offers_for_guardian(session: Session, actor: Actor) -> list[OfferView]:
    """The parent's pending offers, each with what it would cost (or why it cannot go ahead)."""
    if actor.user_id is None:
        return []
    rows = session.exec(
        select(EnrollmentOffer, Child)
        .join(Child, col(Child.id) == EnrollmentOffer.child_id)
        .where(Child.guardian_id == actor.user_id, EnrollmentOffer.decision == "pending")
        .order_by(col(EnrollmentOffer.id))
    ).all()
    views = []
    for offer, child in rows:
        group = get_row(session, Group, offer.group_id)
        program = get_row(session, Program, group.program_id) if group else None
        terms, problem = None, None
        try:
            terms = quote(session, actor, offer.child_id, offer.group_id)
        except DomainError as error:
            problem = error
        views.append(
            OfferView(
                id=offer.id,  # type: ignore[arg-type]
                child_name=f"{child.first_name} {child.last_name}",
                program_title=program.title if program else "",
                group_name=group.name if group else "",
                quote=terms,
                problem=problem,
            )
        )
    return views


def _guardian_offer(session: Session, actor: Actor, offer_id: int) -> EnrollmentOffer:
    offer = locked(session, EnrollmentOffer, offer_id)
    if offer is None:
        raise NotFound()
    check_guardian(session, actor, get_row(session, Child, offer.child_id))
    if offer.decision != "pending":
        raise Conflict("offer_decided")
    return offer


def confirm_offer(
    session: Session, actor: Actor, offer_id: int, *, shown: Quote | None = None
) -> int:
    """The parent agrees: the application is made with today's terms and accepted at once
    (the provider asked for it). The enrollment id.

    `shown` is the quote the parent read: when the terms that would be held differ from it
    (another acceptance took the balance, the group's dates or price moved, a day passed),
    nothing is held and Conflict("terms_changed") asks them to read the new terms. The
    same rule as an application made online.
    """
    offer = _guardian_offer(session, actor, offer_id)
    child = locked(session, Child, offer.child_id)
    assert child is not None
    # child → period → group, the order of the enrollment module: the period must not come
    # after the group that apply_to_group locks, or this deadlocks with a provider accepting
    # another child of the same group at the same moment
    locked_rows(
        session,
        FundingPeriod,
        select(FundingPeriod)
        .where(
            FundingPeriod.municipality_id == child.municipality_id,
            FundingPeriod.status == PeriodStatus.OPEN,
        )
        .order_by(col(FundingPeriod.id)),
    )
    enrollment = apply_to_group(session, actor, offer.child_id, offer.group_id, offered=True)
    enrollment_id = enrollment.id
    assert enrollment_id is not None
    if enrollment.status == "applied":
        enrollment = accept_application(session, Actor.system(), enrollment_id)
    if shown is not None and held_terms(enrollment) != shown_terms(shown):
        raise Conflict("terms_changed")
    offer.decision, offer.decided_at, offer.enrollment_id = "confirmed", utcnow(), enrollment_id
    session.add(offer)
    return enrollment_id


def shown_terms(quote: Quote) -> tuple[object, ...]:
    """What a parent agrees to: lessons and their first date, the price, who pays what."""
    return (
        quote.lessons,
        quote.first_lesson,
        quote.contract_minor,
        quote.certificate_share_minor,
        quote.copayment_minor,
    )


def held_terms(enrollment: Enrollment) -> tuple[object, ...]:
    """The same figures of a contract as accepted (or as applied for, on a waiting list)."""
    return (
        enrollment.contract_lessons,
        enrollment.contract_starts_on,
        enrollment.contract_minor,
        enrollment.certificate_share_minor,
        enrollment.copayment_minor,
    )


def decline_offer(session: Session, actor: Actor, offer_id: int) -> None:
    offer = _guardian_offer(session, actor, offer_id)
    offer.decision, offer.decided_at = "declined", utcnow()
    session.add(offer)
