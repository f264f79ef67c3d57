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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

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
from navigator.domain.shared.db import chunks
from navigator.domain.shared.models import Notification
from navigator.domain.shared.validation import is_row_id
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


@dataclass(frozen=True)
class Reader:
    """What a line of a kind told to several roles needs to know of its reader."""

    roles: frozenset[str]
    operator: bool  # the culture pass's programme operator


def render(
    session: Session,
    notification: Notification,
    language: str,
    *,
    letter: bool = False,
    readers: dict[int, Reader] | None = None,
) -> Rendered:
    """The line in the centre; with `letter`, the line a letter carries (no free text).
    `readers`: the readers `warm` found, for a batch (each is asked for otherwise)."""
    payload = _payload(notification)
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
        link=_link_for_reader(session, notification, payload, readers),
        created_at=notification.created_at,
        unread=notification.read_at is None,
    )


def render_many(
    session: Session,
    notifications: Sequence[Notification],
    language: str | Sequence[str],
    *,
    letter: bool = False,
) -> list[Rendered]:
    """Each notification as `render` says it, a page or a batch at once: what their ids lead
    to is loaded first a model at a time (`warm`), not row by row. `language`: one for all,
    or each notification's own."""
    languages = [language] * len(notifications) if isinstance(language, str) else language
    warmed = warm(session, notifications)
    return [
        render(session, notification, reader_language, letter=letter, readers=warmed.readers)
        for notification, reader_language in zip(notifications, languages, strict=True)
    ]


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


def _told_to_several(notification: Notification, payload: dict[str, Any]) -> bool:
    return notification.kind.split(".", 1)[0] in SHARED_KINDS and "link" not in payload


def _link_for_reader(
    session: Session,
    notification: Notification,
    payload: dict[str, Any],
    readers: dict[int, Reader] | None = None,
) -> str:
    """A kind several roles are told of (a dispute: the parent, the provider, the
    municipality) leads each reader to their own screen."""
    link = link_for(notification.kind, payload)
    if not _told_to_several(notification, payload):
        return link
    if readers is None or notification.user_id not in readers:
        readers = _readers(session, [notification.user_id])
    reader = readers[notification.user_id]
    roles = reader.roles
    if notification.kind.startswith("culture_dispute."):  # a school's: coordinator, provider
        if reader.operator:
            return routes.CULTURE_OPERATOR
        if roles & {Role.PROVIDER_OWNER.value, Role.PROVIDER_STAFF.value}:
            return routes.PROVIDER_CULTURE
        return routes.CULTURE
    if roles & {Role.PROVIDER_OWNER.value, Role.PROVIDER_STAFF.value}:
        return routes.PROVIDER
    if Role.MUNICIPALITY_ADMIN.value in roles:
        return routes.MUNICIPALITY
    return link


def _readers(session: Session, user_ids: Iterable[int]) -> dict[int, Reader]:
    """These people's roles and whether each is the programme operator: two statements."""
    wanted = sorted(set(user_ids))
    roles: dict[int, set[str]] = {user_id: set() for user_id in wanted}
    operators: set[int] = set()
    for chunk in chunks(wanted):
        for user_id, role in session.exec(
            select(Membership.user_id, Membership.role).where(col(Membership.user_id).in_(chunk))
        ):
            roles[user_id].add(role)
        operators.update(
            session.exec(
                select(CultureOperator.user_id).where(col(CultureOperator.user_id).in_(chunk))
            )
        )
    return {
        user_id: Reader(frozenset(found), user_id in operators) for user_id, found in roles.items()
    }


@dataclass(frozen=True)
class Warmed:
    """What `warm` loaded. The session holds the rows it has loaded only weakly: these are
    kept here while the batch renders, so `display_fields` finds them there."""

    rows: list[Any]
    readers: dict[int, Reader]


def _ids(values: Iterable[Any]) -> list[int]:
    """The ids `display_fields` would look up (`_get`'s test), without repeats."""
    return sorted({value for value in values if is_row_id(value)})


def _load(session: Session, model: Any, ids: Iterable[Any], rows: list[Any]) -> list[Any]:
    """The rows of `model` with these ids, a statement per chunk of ids."""
    found: list[Any] = []
    for chunk in chunks(_ids(ids)):
        found.extend(session.exec(select(model).where(col(model.id).in_(chunk))).all())
    rows.extend(found)
    return found


def warm(session: Session, notifications: Sequence[Notification]) -> Warmed:
    """Load into the session, a model at a time, every row the notifications' payloads lead
    to along the chains `display_fields` follows (an entry to its account and enrollment;
    an enrollment, offer or request to its child and group; a group to its program and
    provider; an account to its certificate's child and its period's municipality), so
    rendering them reads the session, not the database: a batch costs a constant number of
    statements, not several a notification. What a line says stays `display_fields`'s."""
    payloads = [n.payload for n in notifications if isinstance(n.payload, dict)]

    def given(name: str) -> list[Any]:
        return [payload.get(name) for payload in payloads]

    rows: list[Any] = []
    entries = _load(session, LedgerEntry, given("entry_id"), rows)
    accounts = _load(
        session,
        CertificateAccount,
        given("account_id") + [e.account_id for e in entries],
        rows,
    )
    enrollments = _load(
        session, Enrollment, given("enrollment_id") + [e.enrollment_id for e in entries], rows
    )
    offers = _load(session, EnrollmentOffer, given("offer_id"), rows)
    requests = _load(session, VerificationRequest, given("request_id"), rows)
    certificates = _load(session, Certificate, [a.certificate_id for a in accounts], rows)
    with_child = [*enrollments, *offers, *requests, *certificates]
    children = _load(session, Child, given("child_id") + [s.child_id for s in with_child], rows)
    in_group = [*enrollments, *offers]
    groups = _load(session, Group, given("group_id") + [s.group_id for s in in_group], rows)
    programs = _load(session, Program, given("program_id") + [g.program_id for g in groups], rows)
    _load(session, Provider, given("provider_id") + [p.provider_id for p in programs], rows)
    periods = _load(session, FundingPeriod, [a.period_id for a in accounts], rows)
    _load(
        session,
        Municipality,
        [p.municipality_id for p in periods] + [c.municipality_id for c in children],
        rows,
    )
    _load(session, Attendance, [e.attendance_id for e in entries], rows)
    several = [n.user_id for n in notifications if _told_to_several(n, _payload(n))]
    return Warmed(rows, _readers(session, several) if several else {})


def _payload(notification: Notification) -> dict[str, Any]:
    return notification.payload if isinstance(notification.payload, dict) else {}


def _get(session: Session, model: Any, value: Any) -> Any:
    return session.get(model, value) if is_row_id(value) else None


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
