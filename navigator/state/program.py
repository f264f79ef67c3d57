"""A program's page and the application: child → group → breakdown → offer terms → apply.

Only programs in the catalog are shown. The child list holds the signed-in parent's own
children; every handler asks the domain again with the parent as the actor, so an id
typed into an event answers "not found" unless it is this parent's child.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from urllib.parse import quote_plus

import reflex as rx

from navigator import routes
from navigator.domain.accounts.access import Actor
from navigator.domain.certificates.queries import children_of, paying_municipalities
from navigator.domain.enrollment.api import apply_to_group
from navigator.domain.enrollment.models import EnrollmentStatus
from navigator.domain.enrollment.terms import Quote, quote
from navigator.domain.programs.queries import public_program
from navigator.domain.shared.db import atomically, read_session
from navigator.domain.shared.errors import Conflict, DomainError, InvalidInput, NotFound
from navigator.i18n import text, value_label
from navigator.state.app import AppState
from navigator.state.formatting import TextBlock, day, description_blocks, money, timetable
from navigator.state.forms import Choice, path_id, row_id
from navigator.state.threaded import in_thread, in_thread_unshed


@dataclasses.dataclass
class GroupRow:
    id: str
    name: str
    timetable: str
    dates: str
    seats_left: str
    price: str
    open: bool


@dataclasses.dataclass
class Breakdown:
    lessons: str = ""
    dates: str = ""
    price_per_lesson: str = ""
    contract: str = ""
    certificate_share: str = ""
    co_payment: str = ""


def _offer_clauses(q: Quote, lang: str) -> list[str]:
    """The offer the parent accepts, clause by clause, in the parent's language: who serves
    whom, the lessons and price, what the certificate holds and pays, absences, corrections
    and cancelling."""
    figures = {
        "provider": q.provider_name,
        "program": q.program_title,
        "group": q.group_name,
        "child": q.child_first_name,
        "lessons": q.lessons,
        "count": q.lessons,
        "first": day(q.first_lesson, lang),
        "last": day(q.last_lesson, lang),
        "price": money(q.price_per_lesson_minor, q.currency, lang),
        "total": money(q.contract_minor, q.currency, lang),
        "share": money(q.certificate_share_minor, q.currency, lang),
        "copay": money(q.copayment_minor, q.currency, lang),
        "days": q.correction_days,
    }
    keys = [
        "offer_clause_parties",
        "offer_clause_lessons",
        "offer_clause_certificate" if q.certificate_share_minor else "offer_clause_no_certificate",
        "offer_clause_copayment" if q.copayment_minor else "offer_clause_no_copayment",
        "offer_clause_absence_paid" if q.absence_charge == "full" else "offer_clause_absence_free",
        "offer_clause_corrections",
        "offer_clause_cancel",
    ]
    return [text(key, lang, **figures) for key in keys]


class ProgramState(AppState):
    found: bool = False
    title: str = ""
    description: list[TextBlock] = []
    photo_url: str = ""
    placeholder: str = ""  # the direction's drawing, shown when there is no photo
    facts: list[str] = []
    provider: str = ""
    address: str = ""
    map_url: str = ""
    payable_by_certificate: bool = False
    is_free: bool = False
    groups: list[GroupRow] = []
    children: list[Choice] = []
    child_id: str = ""
    group_id: str = ""
    breakdown: Breakdown = Breakdown()
    has_breakdown: bool = False
    offer_clauses: list[str] = []  # the offer's text, with this child's and group's figures
    terms_accepted: bool = False
    sign_in_href: str = routes.LOGIN  # back to this program after signing in (set by load)
    error: str = ""
    notice: str = ""
    _program_id: int | None = None
    _quoted: tuple[int, int, int, int] | None = None  # what the parent was shown

    @rx.event
    @in_thread_unshed
    def load(self) -> None:
        # back to this program after signing in; set here, not a computed var reading the
        # router, which would load this state with every event of every page
        self.sign_in_href = routes.login_then(quote_plus(self.router.url.path or routes.HOME))
        user_id = self._user_id()
        self.error = self.notice = ""
        self.child_id = self.group_id = ""
        self.has_breakdown = self.terms_accepted = False
        self._program_id = path_id(self.router.url.path)
        lang = self.lang
        try:
            if self._program_id is None:
                raise NotFound()
            with read_session() as session:
                program = public_program(session, self._program_id, datetime.now(UTC).date())
                children = children_of(session, Actor.user(user_id)) if user_id is not None else []
                paying = (
                    paying_municipalities(session, Actor.user(user_id))
                    if user_id is not None
                    else None
                )
        except NotFound:
            self.found = False
            self.title = text("program_not_found", lang)
            return
        self.found = True
        self.title = program.title
        self.description = description_blocks(program.description)
        self.photo_url = program.photo_url
        self.placeholder = routes.direction_picture(program.direction)
        self.facts = [
            value_label(program.direction, lang),
            text("ages", lang, min=program.age_min, max=program.age_max),
            value_label(program.format, lang),
            value_label(program.language, lang),
        ]
        self.provider = program.provider_name
        self.address = program.address
        self.map_url = (
            f"https://www.openstreetmap.org/?mlat={program.latitude:.5f}&mlon={program.longitude:.5f}#map=16/"
            f"{program.latitude:.5f}/{program.longitude:.5f}"
            if program.latitude is not None and program.longitude is not None
            else (
                f"https://www.openstreetmap.org/search?query={quote_plus(program.address)}"
                if program.address
                else ""
            )
        )
        # for a family, only where its own certificate can pay
        self.payable_by_certificate = program.payable_by_certificate and (
            paying is None or program.municipality in paying
        )
        self.is_free = program.is_free
        self.groups = [
            GroupRow(
                id=str(g.id),
                name=g.name,
                timetable=timetable(g.timetable, lang),
                dates=f"{day(g.starts_on, lang)} – {day(g.ends_on, lang)}",
                seats_left=(
                    f"{g.free_seats} / {g.seats}"
                    if g.free_seats
                    else text("seats_waiting_list", lang, count=g.waiting)
                ),
                price=money(g.price_per_lesson_minor, program.currency, lang),
                open=g.enrollment_open,
            )
            for g in program.groups
        ]
        self.children = [Choice(str(c.id), f"{c.first_name} {c.last_name}") for c in children]
        if len(self.children) == 1:
            self.child_id = self.children[0].value

    def _refresh_quote(self) -> None:
        self.has_breakdown = False
        self._quoted = None
        self.error = ""
        actor = self._actor()
        child_id, group_id = row_id(self.child_id), row_id(self.group_id)
        if actor is None or child_id is None or group_id is None:
            return
        try:
            with read_session() as session:
                q = quote(session, actor, child_id, group_id)
        except DomainError as error:
            self.error = self._message(error)
            return
        lang = self.lang
        self._quoted = (q.lessons, q.contract_minor, q.certificate_share_minor, q.copayment_minor)
        self.breakdown = Breakdown(
            lessons=str(q.lessons),
            dates=f"{day(q.first_lesson, lang)} – {day(q.last_lesson, lang)}",
            price_per_lesson=money(q.price_per_lesson_minor, q.currency, lang),
            contract=money(q.contract_minor, q.currency, lang),
            certificate_share=money(q.certificate_share_minor, q.currency, lang),
            co_payment=money(q.copayment_minor, q.currency, lang),
        )
        self.offer_clauses = _offer_clauses(q, lang)
        self.has_breakdown = True

    @rx.event
    def choose_child(self, value: str) -> None:
        self.child_id = value if row_id(value) is not None else ""
        self.terms_accepted = False
        self._refresh_quote()

    @rx.event
    @in_thread
    def choose_group(self, value: str) -> None:
        self.group_id = value if row_id(value) is not None else ""
        self.terms_accepted = False
        self._refresh_quote()

    @rx.event
    def set_terms_accepted(self, value: bool) -> None:
        self.terms_accepted = value is True

    @rx.event
    @in_thread
    def apply(self) -> None:
        self.notice = ""
        actor = self._actor()
        if actor is None:
            self.error = self._message(DomainError("sign_in_required"))
            return
        if not self.terms_accepted:
            self.error = self._message(InvalidInput("terms_not_accepted"))
            return
        child_id, group_id = row_id(self.child_id), row_id(self.group_id)
        if child_id is None or group_id is None:
            self.error = self._message(InvalidInput("field_required", field="group_id"))
            return
        shown = self._quoted
        try:

            def apply(session) -> bool:
                enrollment = apply_to_group(session, actor, child_id, group_id)
                agreed = (
                    enrollment.contract_lessons,
                    enrollment.contract_minor,
                    enrollment.certificate_share_minor,
                    enrollment.copayment_minor,
                )
                if agreed != shown:  # the price or the balance moved since the breakdown
                    raise Conflict("terms_changed")
                return enrollment.status == EnrollmentStatus.WAITLISTED

            waitlisted = atomically(apply)
        except DomainError as error:
            self.error = self._message(error)
            if error.code == "terms_changed":
                self._refresh_quote()
                self.error = self._message(error)
            return
        self.error = ""
        self.terms_accepted = False
        # a full group puts the child on its waiting list: said so, not "sent"
        self.notice = text("applied_waitlisted" if waitlisted else "applied", self.lang)

    @rx.var
    def group_choices(self) -> list[Choice]:
        return [
            Choice(g.id, f"{g.name} · {g.timetable} · {g.price}") for g in self.groups if g.open
        ]
