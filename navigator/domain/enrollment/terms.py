"""What an enrollment costs and who pays: the quote a parent agrees to, and the context
(child, group, program, provider, municipality, certificate) every enrollment rule reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, select

from navigator.domain.accounts.access import Actor, check_guardian, check_provider_staff
from navigator.domain.accounts.models import Child
from navigator.domain.certificates.models import Certificate, CertificateAccount, CertificateStatus
from navigator.domain.certificates.queries import current_account_in_period
from navigator.domain.enrollment.models import LIVE_ENROLLMENT, Enrollment
from navigator.domain.funding.models import FundingPeriod
from navigator.domain.municipalities.models import Municipality
from navigator.domain.municipalities.queries import policy_of
from navigator.domain.programs.models import CertificationStatus, Group, Program, ProgramListing
from navigator.domain.programs.timetable import lesson_dates
from navigator.domain.providers.models import Provider
from navigator.domain.shared.calendar import age_on, local_today
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import Conflict, NotFound
from navigator.domain.shared.locks import locked
from navigator.domain.shared.models import Notification


@dataclass(frozen=True)
class Quote:
    """What an enrollment costs and who pays: the breakdown a parent agrees to."""

    lessons: int
    first_lesson: date | None
    last_lesson: date | None
    price_per_lesson_minor: int
    contract_minor: int
    certificate_share_minor: int
    copayment_minor: int
    funded: bool
    funded_lessons: int
    funded_until: date | None
    available_minor: int
    currency: str
    # the rest of the offer the parent accepts: who, what, and the rules that apply
    provider_name: str = ""
    program_title: str = ""
    group_name: str = ""
    child_first_name: str = ""
    absence_charge: str = "none"  # the child's municipality's: is a missed lesson paid?
    correction_days: int = 7  # how long the provider may correct a mark


@dataclass
class EnrollmentContext:
    child: Child
    group: Group
    program: Program
    provider: Provider
    municipality: Municipality  # the child's: its certificate, policy and calendar
    certificate: Certificate | None
    currency: str = ""  # the program's: what its groups are priced in


@dataclass(frozen=True)
class Funding:
    account: CertificateAccount
    period: FundingPeriod
    until: date


def context_of(session: Session, child: Child, group: Group) -> EnrollmentContext:
    program = get_row(session, Program, group.program_id)
    assert program is not None
    provider = get_row(session, Provider, program.provider_id)
    municipality = get_row(session, Municipality, child.municipality_id)
    assert provider is not None and municipality is not None
    certificate = session.exec(select(Certificate).where(Certificate.child_id == child.id)).first()
    home = (
        municipality
        if program.municipality_id == municipality.id
        else get_row(session, Municipality, program.municipality_id)
    )
    assert home is not None
    return EnrollmentContext(
        child, group, program, provider, municipality, certificate, currency=home.currency
    )


def in_catalog(ctx: EnrollmentContext) -> bool:
    """The program is listed for parents: certified (its last certified version, while a
    change waits for review) or free, by an admitted provider, not paused or suspended."""
    program = ctx.program
    return (
        ctx.provider.admitted
        and program.listing == ProgramListing.LISTED
        and program.certification_status != CertificationStatus.SUSPENDED
        and (program.certified_version is not None or program.is_free)
    )


def check_takes_applications(ctx: EnrollmentContext) -> None:
    """NotFound outside the catalog; a group whose terms are not certified yet (new, or
    changed since) takes no application until the municipality has seen them."""
    if not in_catalog(ctx):
        raise NotFound()
    if not ctx.program.takes_applications(ctx.group):
        raise Conflict("group_awaiting_certification")


def funding_of(session: Session, ctx: EnrollmentContext, today: date) -> Funding | None:
    """The account that pays, when the certificate may pay for this program at all."""
    certificate = ctx.certificate
    if (
        certificate is None
        or certificate.status != CertificateStatus.FUNDED
        or not ctx.program.payable_by_certificate
        or ctx.program.municipality_id != ctx.child.municipality_id
    ):
        return None
    found = current_account_in_period(session, certificate, today)
    if found is None:
        return None
    account, period = found
    until = min(period.ends_on, certificate.valid_until - timedelta(days=1))
    return Funding(account, period, until)


def lesson_share(certificate_share: int, lessons: int, lesson_number: int) -> int:
    """The certificate's part of lesson k of n: spread evenly, summing exactly to the share."""
    if lessons <= 0 or not 1 <= lesson_number <= lessons:
        return 0
    return (
        certificate_share * lesson_number // lessons
        - certificate_share * (lesson_number - 1) // lessons
    )


def quote_terms(session: Session, ctx: EnrollmentContext, today: date) -> Quote:
    dates = lesson_dates(ctx.group, today)
    price = ctx.group.price_per_lesson_minor
    contract = price * len(dates)
    funding = funding_of(session, ctx, today)
    funded_lessons = sum(1 for d in dates if d <= funding.until) if funding else 0
    available = funding.account.available_minor if funding else 0
    share = min(price * funded_lessons, available)
    policy = policy_of(session, ctx.municipality.id)  # type: ignore[arg-type]
    return Quote(
        lessons=len(dates),
        first_lesson=dates[0] if dates else None,
        last_lesson=dates[-1] if dates else None,
        price_per_lesson_minor=price,
        contract_minor=contract,
        certificate_share_minor=share,
        copayment_minor=contract - share,
        funded=share > 0,
        funded_lessons=funded_lessons if share > 0 else 0,
        funded_until=funding.until if funding and share > 0 else None,
        available_minor=available,
        currency=ctx.currency,  # the group's prices', never the child's certificate's
        provider_name=ctx.provider.name,
        program_title=str(ctx.program.shown.get("title", ctx.program.title)),  # as certified
        group_name=ctx.group.name,
        child_first_name=ctx.child.first_name,
        absence_charge=policy.absence_charge,
        correction_days=policy.attendance_correction_days,
    )


def group_or_not_found(session: Session, group_id: int) -> Group:
    """The group, or NotFound for an unknown (or malformed) id."""
    group = get_row(session, Group, group_id)
    if group is None:
        raise NotFound()
    return group


def quote(
    session: Session, actor: Actor, child_id: int, group_id: int, *, today: date | None = None
) -> Quote:
    child = check_guardian(session, actor, get_row(session, Child, child_id))
    ctx = context_of(session, child, group_or_not_found(session, group_id))
    check_takes_applications(ctx)
    today = today or local_today(ctx.municipality)
    check_open(ctx.group, today)  # never a price for a place the child cannot take
    check_age_fits(ctx, today)
    return quote_terms(session, ctx, today)


def check_open(group: Group, today: date) -> None:
    """A group closed by its provider, or over, takes no child: Conflict('group_closed')."""
    if not group.enrollment_open or group.ends_on < today:
        raise Conflict("group_closed")


def check_age_fits(ctx: EnrollmentContext, today: date) -> None:
    """The child's age when the group starts (or today, if it has) is the program's."""
    shown = ctx.program.shown
    age = age_on(ctx.child.birth_date, max(today, ctx.group.starts_on))
    if not shown["age_min"] <= age <= shown["age_max"]:
        raise Conflict("age_does_not_fit", age=age, min=shown["age_min"], max=shown["age_max"])


def live_statuses() -> list[str]:
    return [s.value for s in LIVE_ENROLLMENT]


def staff_context(
    session: Session, actor: Actor, enrollment_id: int
) -> tuple[Enrollment, EnrollmentContext]:
    """Checks the actor works for the enrollment's provider before anything is locked."""
    peek = get_row(session, Enrollment, enrollment_id)
    if peek is None:
        raise NotFound()
    group = get_row(session, Group, peek.group_id)
    child = get_row(session, Child, peek.child_id)
    assert group is not None and child is not None
    ctx = context_of(session, child, group)
    check_provider_staff(session, actor, ctx.provider.id)  # type: ignore[arg-type]
    return peek, ctx


def lock_group_and_enrollment(
    session: Session, ctx: EnrollmentContext, enrollment_id: int
) -> tuple[Group, Enrollment]:
    group = locked(session, Group, ctx.group.id)
    # the program read again under a lock: a suspension or an edit committed since the first
    # read is seen (a certification or an edit locks the group first, so it has finished)
    program = locked(session, Program, ctx.program.id, shared=True)
    enrollment = locked(session, Enrollment, enrollment_id)
    assert group is not None and program is not None and enrollment is not None
    ctx.group, ctx.program = group, program
    return group, enrollment


def notify(session: Session, user_id: int, kind: str, enrollment: Enrollment) -> None:
    session.add(
        Notification(
            user_id=user_id,
            kind=kind,
            payload={"enrollment_id": enrollment.id, "group_id": enrollment.group_id},
        )
    )
