"""A notification in words, for one person in their language.

Generic on purpose: the words are the ui key `notification.<kind>`, filled with the
payload's display fields (`child_first_name`, `program_title`, `amount_minor` with
`currency`, `lesson_date`, `expires_on`, `provider_name`) and with what its ids lead to
(`account_id`, `enrollment_id`, `group_id`, `offer_id`, `entry_id`, `child_id`,
`request_id`, `program_id`, `provider_id`). A new kind needs only its key and a payload. A kind
without words reads as a generic line; nothing here raises for an odd payload.

Only a child's first name is ever used: these words go into mail. A letter (`letter=True`)
carries no free text at all (a parent's comment, a provider's or a decision's reason may name
a child or its health): it says the reason is in the app, where the centre shows the words.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from navigator import routes
from navigator.domain.accounts.models import Child, Membership, Role
from navigator.domain.certificates.models import (
    Certificate,
    CertificateAccount,
    LedgerEntry,
    VerificationRequest,
)
from navigator.domain.culture.models import CultureOperator
from navigator.domain.enrollment.models import Attendance, Enrollment, EnrollmentOffer
from navigator.domain.funding.models import FundingPeriod
from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.models import Group, Program
from navigator.domain.providers.models import Provider
from navigator.domain.shared.models import Notification
from navigator.i18n import text
from navigator.i18n.formatting import format_day, format_money

GENERIC = "notification.generic"
# where a line leads, by the kind's first word; a payload's own `link` (a path) wins
LINKS = {
    "certificate": routes.CABINET,
    "enrollment": routes.CABINET,
    "verification": routes.CABINET,
    "dispute": routes.CABINET,
    "culture_dispute": routes.CULTURE,
    "application": routes.PROVIDER,
    "certification": routes.PROVIDER_PROGRAMS,
    "queue": routes.MUNICIPALITY,
    "culture_queue": routes.CULTURE_OPERATOR,  # the operator's review queue
    "culture_provider": routes.PROVIDER_CULTURE,  # a school's booking, to its provider
    "culture_service": routes.PROVIDER_CULTURE,  # the operator's decision on a service
    "culture_booking": routes.CULTURE,  # the provider's step, to the school's coordinators
    "culture_wallet": routes.CULTURE,  # the school's wallet credited, adjusted, expiring
}
# kinds told to several roles at once: the link follows the reader's role
SHARED_KINDS = ("dispute", "culture_dispute")
# money movements: always mailed at least in the digest, whatever the person chose
# what moves money: a certificate's movements, and a school's wallet's (a class booking's
# money held or charged, given back, the wallet credited, corrected or expired)
MONEY_PREFIXES = (
    "certificate.",
    "culture_wallet.",
    "culture_booking.delivered",
    "culture_booking.declined",
    "culture_booking.expired",
    "culture_booking.released",
)
# the display texts a letter may carry: names of things, never what someone wrote
LETTER_FIELDS = frozenset(
    {
        "child_first_name",
        "program_title",
        "provider_name",
        "currency",
        "class_name",
        "service_title",
        "school_name",
        "year",
        "pupils",
    }
)
IN_APP = "notification.letter.reason"  # what a letter says instead of someone's words


@dataclass(frozen=True)
class Rendered:
    id: int
    kind: str
    line: str
    link: str
    created_at: Any
    unread: bool


def is_money(kind: str) -> bool:
    return kind.startswith(MONEY_PREFIXES)


def render(
    session: Session, notification: Notification, language: str, *, letter: bool = False
) -> Rendered:
    """The line in the centre; with `letter`, the line a letter carries (no free text)."""
    payload = notification.payload if isinstance(notification.payload, dict) else {}
    try:
        fields = display_fields(session, payload, language, letter=letter)
    except Exception:  # a broken payload still reads as a line
        fields = {}
    kept = _kept_out(payload) if letter else frozenset()
    line = words_for(str(notification.kind), language, fields, unquoted=kept)
    assert notification.id is not None
    return Rendered(
        id=notification.id,
        kind=notification.kind,
        line=line,
        link=_link_for_reader(session, notification, payload),
        created_at=notification.created_at,
        unread=notification.read_at is None,
    )


def _kept_out(payload: dict[str, Any]) -> frozenset[str]:
    """The payload's free texts: what a letter leaves out."""
    return frozenset(
        name
        for name, value in payload.items()
        if isinstance(name, str)
        and isinstance(value, str)
        and value.strip()
        and name not in LETTER_FIELDS
    ) - {"lesson_date", "expires_on"}


def words_for(
    kind: str, language: str, fields: dict[str, str], *, unquoted: frozenset[str] = frozenset()
) -> str:
    """`unquoted`: fields whose quotation marks go (a letter's "the reason is in the app" is
    not a quotation)."""
    key = f"notification.{kind}"
    template = text(key, language)
    if template == key:
        template = text(GENERIC, language)
    for name in unquoted:
        placeholder = "\\{" + re.escape(name) + "\\}"
        template = re.sub(f'[«„“"]({placeholder})[»“”"]', r"\1", template)
    try:
        return string.Formatter().vformat(template, (), _Blank(fields))
    except (ValueError, IndexError, AttributeError):
        return text(GENERIC, language)


class _Blank(dict[str, str]):
    """A field the payload does not give reads as a dash, never a KeyError."""

    def __missing__(self, key: str) -> str:
        return "—"


def link_for(kind: str, payload: dict[str, Any]) -> str:
    own = payload.get("link")
    if isinstance(own, str) and own.startswith("/") and not own.startswith("//"):
        return own
    return LINKS.get(kind.split(".", 1)[0], routes.HOME)


def _link_for_reader(session: Session, notification: Notification, payload: dict[str, Any]) -> str:
    """A kind several roles are told of (a dispute: the parent, the provider, the
    municipality) leads each reader to their own screen."""
    link = link_for(notification.kind, payload)
    if notification.kind.split(".", 1)[0] not in SHARED_KINDS or "link" in payload:
        return link
    roles = set(
        session.exec(select(Membership.role).where(Membership.user_id == notification.user_id))
    )
    if notification.kind.startswith("culture_dispute."):  # a school's: coordinator, provider
        operator = session.exec(
            select(CultureOperator.id).where(CultureOperator.user_id == notification.user_id)
        ).first()
        if operator is not None:
            return routes.CULTURE_OPERATOR
        if roles & {Role.PROVIDER_OWNER.value, Role.PROVIDER_STAFF.value}:
            return routes.PROVIDER_CULTURE
        return routes.CULTURE
    if roles & {Role.PROVIDER_OWNER.value, Role.PROVIDER_STAFF.value}:
        return routes.PROVIDER
    if Role.MUNICIPALITY_ADMIN.value in roles:
        return routes.MUNICIPALITY
    return link


def _get(session: Session, model: Any, value: Any) -> Any:
    return session.get(model, value) if isinstance(value, int) and value > 0 else None


def display_fields(
    session: Session, payload: dict[str, Any], language: str, *, letter: bool = False
) -> dict[str, str]:
    """The payload's display fields, completed from its ids, in words; for a `letter`, what
    someone wrote is replaced by a pointer to the app."""
    if not isinstance(payload, dict):
        return {}
    language = language if language in ("ru", "lt", "en") else "en"
    found: dict[str, Any] = {}
    for name in ("child_first_name", "program_title", "provider_name", "currency"):
        if isinstance(payload.get(name), str):
            found[name] = payload[name]
    entry = _get(session, LedgerEntry, payload.get("entry_id"))
    account = _get(session, CertificateAccount, payload.get("account_id"))
    if account is None and entry is not None:
        account = session.get(CertificateAccount, entry.account_id)
    enrollment = _get(session, Enrollment, payload.get("enrollment_id"))
    if enrollment is None and entry is not None and entry.enrollment_id:
        enrollment = session.get(Enrollment, entry.enrollment_id)
    offer = _get(session, EnrollmentOffer, payload.get("offer_id"))
    request = _get(session, VerificationRequest, payload.get("request_id"))
    child = _get(session, Child, payload.get("child_id"))
    for source in (enrollment, offer, request):
        if child is None and source is not None:
            child = session.get(Child, source.child_id)
    if child is None and account is not None:
        certificate = session.get(Certificate, account.certificate_id)
        child = session.get(Child, certificate.child_id) if certificate else None
    group = _get(session, Group, payload.get("group_id"))
    for source in (enrollment, offer):
        if group is None and source is not None:
            group = session.get(Group, source.group_id)
    program = _get(session, Program, payload.get("program_id"))
    if program is None and group is not None:
        program = session.get(Program, group.program_id)
    provider = _get(session, Provider, payload.get("provider_id"))
    if provider is None and program is not None:
        provider = session.get(Provider, program.provider_id)

    if child is not None:
        found.setdefault("child_first_name", child.first_name)
    if program is not None:
        found.setdefault("program_title", program.title)
    if provider is not None:
        found.setdefault("provider_name", provider.name)
    if "currency" not in found:
        municipality = None
        if account is not None:
            period = session.get(FundingPeriod, account.period_id)
            municipality = session.get(Municipality, period.municipality_id) if period else None
        elif child is not None:
            municipality = session.get(Municipality, child.municipality_id)
        if municipality is not None:
            found["currency"] = municipality.currency

    words = {
        "child": found.get("child_first_name", "—"),
        "program": found.get("program_title", "—"),
        "provider": found.get("provider_name", "—"),
    }
    amount = payload.get("amount_minor")
    currency = found.get("currency")
    if isinstance(amount, int) and isinstance(currency, str) and len(currency) == 3:
        words["amount"] = format_money(amount, currency, language)
    lesson = _day(payload.get("lesson_date"))
    if lesson is None and entry is not None and entry.attendance_id:
        attendance = session.get(Attendance, entry.attendance_id)
        lesson = attendance.lesson_date if attendance else None
    if lesson is not None:
        words["lesson_date"] = format_day(lesson, language)
    expires = _day(payload.get("expires_on"))
    if expires is not None:
        words["expires_on"] = format_day(expires, language)
    for name, value in payload.items():  # any other display text a new kind carries
        if isinstance(name, str) and isinstance(value, str) and name not in words:
            words[name] = " ".join(value.split())[:300]
    if letter:
        for name in _kept_out(payload):
            words[name] = text(IN_APP, language)
    return words


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None
