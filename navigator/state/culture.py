"""/culture: a school coordinator's screen. The wallet, the classes with each pupil's yearly
cap and who has had no service yet, the sessions open for booking, the booking of a class
(whole class ticked, each pupil's remaining cap and the wallet before and after shown before
anything is held), the school's bookings with cancel, the roster's CSV import, and a second
coordinator's invitation.

Every handler asks the domain with the signed-in person; another school's ids answer "not
found". The request key of a booking is made when the form opens and kept on the server, so
a double click or a resent event books once.
"""

from __future__ import annotations

import dataclasses
import secrets
from datetime import timedelta

import reflex as rx

from navigator import routes
from navigator.domain.accounts.access import Actor
from navigator.domain.culture.access import local_day, schools_of
from navigator.domain.culture.booking import book_session, cancel_booking, quote_booking
from navigator.domain.culture.coordinators import (
    coordinators_of,
    invite_coordinator,
    remove_coordinator,
)
from navigator.domain.culture.disputes import DISPUTE_DAYS, open_culture_dispute, school_disputes
from navigator.domain.culture.models import CULTURE_CURRENCY, BookingStatus
from navigator.domain.culture.queries import (
    PupilView,
    bookings_of,
    count_corrections,
    open_sessions,
    pupils_of,
    school_year,
    unserved_by_class,
    wallet_view,
)
from navigator.domain.culture.reports import booking_amounts, pupil_spend
from navigator.domain.culture.roster import (
    PupilFields,
    import_roster,
    register_ids,
    save_pupil,
    set_pupil_active,
)
from navigator.domain.shared.db import atomically, read_session, transaction
from navigator.domain.shared.errors import Conflict, DomainError, InvalidInput, NotFound
from navigator.domain.shared.exports import to_csv, to_xlsx
from navigator.domain.shared.mail import deliver_after_commit
from navigator.domain.shared.models import utcnow
from navigator.i18n import text, value_label
from navigator.i18n.formatting import format_moment
from navigator.settings import get_settings
from navigator.state.app import AppState
from navigator.state.formatting import Bar, bars, money
from navigator.state.forms import Choice, row_id
from navigator.state.threaded import in_thread, in_thread_unshed, run_in_thread

MAX_ROSTER_BYTES = 2_000_000
TIMEZONE = "Europe/Vilnius"  # the programme's: sessions read in Lithuanian time


@dataclasses.dataclass
class PupilLine:
    id: str
    name: str
    class_name: str
    remaining: str  # of the yearly cap
    served: bool
    ticked: bool
    over: bool  # this booking would pass the pupil's cap


@dataclasses.dataclass
class SessionLine:
    id: str
    title: str
    provider: str
    when: str
    place: str
    grades: str
    price: str
    free_places: str


@dataclasses.dataclass
class BookingLine:
    id: str
    title: str
    when: str
    class_name: str
    people: str
    total: str
    status: str
    reason: str
    cancellable: bool
    can_dispute: bool = False  # delivered, charged, within the days a dispute may be opened
    dispute: str = ""  # where the dispute of its charge stands, in words ("" for none)


@dataclasses.dataclass
class ColleagueLine:
    user_id: str  # "" for an invitation not yet accepted
    email: str
    pending: bool
    is_you: bool


@dataclasses.dataclass
class CorrectionLine:
    when: str
    amount: str  # signed: what the correction added to the wallet or took back
    note: str  # "<old count> → <new count>: <the operator's reason>"


@dataclasses.dataclass
class RosterLine:
    id: str
    class_name: str
    name: str
    register_id: str
    spent: str
    remaining: str
    active: bool


@dataclasses.dataclass
class ClassGap:
    class_name: str
    count: str  # pupils with no service yet


class CultureState(AppState):
    has_school: bool = False
    school_id: str = ""
    schools: list[Choice] = []
    year: str = ""
    wallet: dict[str, str] = {}
    gaps: list[ClassGap] = []
    classes: list[str] = []
    sessions: list[SessionLine] = []
    bookings: list[BookingLine] = []
    roster_size: int = 0
    roster: list[RosterLine] = []
    colleagues: list[ColleagueLine] = []
    removable: bool = False  # more than one coordinator: one may leave (never the last)
    removing: str = ""  # the coordinator whose removal is being confirmed
    corrections: list[CorrectionLine] = []  # the operator's corrections of the pupil count
    disputing: str = ""  # the booking whose charge is being disputed (asking for a comment)
    wallet_bars: list[Bar] = []  # the year's money: spent, held, available, of the allocated
    gap_bars: list[Bar] = []  # per class: pupils with no service yet, of the class
    # the booking form
    session_id: str = ""
    class_name: str = ""
    adults: str = "0"
    pupils: list[PupilLine] = []
    quote_total: str = ""
    quote_before: str = ""
    quote_after: str = ""
    over_cap: bool = False
    error: str = ""
    notice: str = ""
    booking_error: str = ""  # beside the booking form
    import_summary: str = ""
    import_errors: list[str] = []
    _ticked: list[int] = []
    _request_key: str = ""
    _just_booked: bool = False  # a second click of the same booking is not a new one
    _pupils_cache: list[PupilView] = []  # the roster as last read, for the booking form

    # ---------------------------------------------------------------- reading

    def _school(self) -> tuple[Actor, int] | None:
        actor = self._actor()
        wanted = row_id(self.school_id)
        if actor is None or wanted is None:
            return None
        return actor, wanted

    def _reload(self) -> None:
        actor = self._actor()
        self.has_school = False
        if actor is None:
            return
        lang = self.lang
        with read_session() as session:
            schools = schools_of(session, actor)
            self.schools = [Choice(str(s.id), s.name) for s in schools]
            if not schools:  # removed from the last school: nothing of it stays on screen
                self._forget_school()
                return
            if self.school_id not in {c.value for c in self.schools}:
                self.school_id = self.schools[0].value
            school_id = int(self.school_id)
            year = school_year(session, utcnow().date())
            self.has_school = True
            people = coordinators_of(session, actor, school_id)
            self.colleagues = [
                ColleagueLine(str(c.user_id or ""), c.email, c.pending, c.user_id == actor.user_id)
                for c in people
            ]
            self.removable = sum(1 for c in people if not c.pending) > 1
            if year is None:
                self.year, self.wallet, self.corrections = "", {}, []
                self.wallet_bars, self.gap_bars = [], []
                self.sessions, self.bookings, self.gaps, self.classes = [], [], [], []
                return
            corrections = count_corrections(session, actor, school_id, year)
            disputes = {d.booking_id: d for d in school_disputes(session, actor, school_id)}
            wallet = wallet_view(session, actor, school_id, year)
            pupils = pupils_of(session, actor, school_id, year)
            sessions = open_sessions(session, actor, school_id, year)
            bookings = bookings_of(session, actor, school_id, year)
            # what each booking holds, was charged or gave back: the ledger, not the quote
            amounts = booking_amounts(session, actor, school_id, [b.id for b in bookings])
        self.year = str(year.year)
        self.wallet = (
            {
                "pupils": str(wallet.pupils),
                "allocated": money(wallet.allocated_minor, CULTURE_CURRENCY, lang),
                "held": money(wallet.held_minor, CULTURE_CURRENCY, lang),
                "charged": money(
                    wallet.charged_minor - wallet.refunded_minor, CULTURE_CURRENCY, lang
                ),
                "available": money(wallet.available_minor, CULTURE_CURRENCY, lang),
                "cap": money(wallet.cap_minor, CULTURE_CURRENCY, lang),
            }
            if wallet
            else {}
        )
        self.corrections = [
            CorrectionLine(
                format_moment(c.at, lang, TIMEZONE),
                ("+" if c.amount_minor > 0 else "−")
                + money(abs(c.amount_minor), CULTURE_CURRENCY, lang),
                c.note,
            )
            for c in corrections
        ]
        self.roster_size = len(pupils)
        with read_session() as session:
            registers = register_ids(session, actor, school_id)
        self.roster = [
            RosterLine(
                str(p.id),
                p.class_name,
                f"{p.last_name} {p.first_name}",
                registers.get(p.id, ""),
                money(p.spent_minor, CULTURE_CURRENCY, lang),
                money(p.remaining_minor, CULTURE_CURRENCY, lang),
                p.active,
            )
            for p in pupils
        ]
        self.classes = sorted({p.class_name for p in pupils if p.active})
        self.gaps = [ClassGap(c, str(n)) for c, n in sorted(unserved_by_class(pupils).items())]
        self.wallet_bars = []
        if wallet:  # the year's money by where it is now; the parts add up to the whole
            spent = wallet.charged_minor - wallet.refunded_minor
            self.wallet_bars = bars(
                [
                    (text("spent", lang), self.wallet["charged"], spent),
                    (text("held", lang), self.wallet["held"], wallet.held_minor),
                    (text("available", lang), self.wallet["available"], wallet.available_minor),
                ],
                of=max(spent + wallet.held_minor + wallet.available_minor, 1),
            )
        sizes: dict[str, int] = {}
        for pupil in pupils:
            if pupil.active:
                sizes[pupil.class_name] = sizes.get(pupil.class_name, 0) + 1
        unserved = unserved_by_class(pupils)
        self.gap_bars = bars(
            (
                (name, f"{unserved.get(name, 0)} / {size}", unserved.get(name, 0) * 1000 // size)
                for name, size in sorted(sizes.items())
            ),
            of=1000,
        )
        self.sessions = [
            SessionLine(
                str(s.id),
                s.title,
                s.provider,
                format_moment(s.starts_at, lang, TIMEZONE),
                value_label(s.place, lang) + (f" · {s.address}" if s.address else ""),
                text("grades_range", lang, min=s.grade_min, max=s.grade_max),
                money(s.price_per_pupil_minor, CULTURE_CURRENCY, lang),
                str(s.free_places),
            )
            for s in sessions
        ]
        live = (BookingStatus.RESERVED, BookingStatus.CONFIRMED)
        today = local_day(utcnow())
        self.bookings = [
            BookingLine(
                str(b.id),
                b.title,
                format_moment(b.starts_at, lang, TIMEZONE),
                b.class_name,
                text("booking_people", lang, pupils=b.pupils, adults=b.adults),
                money(amounts.get(b.id, 0), CULTURE_CURRENCY, lang),
                value_label(f"booking_{b.status}", lang),
                b.reason,
                b.status in live,
                can_dispute=b.status == BookingStatus.DELIVERED
                and amounts.get(b.id, 0) > 0
                and b.id not in disputes
                and today <= local_day(b.starts_at) + timedelta(days=DISPUTE_DAYS),
                dispute=value_label(f"culture_dispute_{disputes[b.id].status}", lang)
                if b.id in disputes
                else "",
            )
            for b in bookings
        ]
        self._pupils_cache = pupils

    def _forget_school(self) -> None:
        self.school_id, self.year, self.wallet, self.roster_size = "", "", {}, 0
        self.roster, self.colleagues, self.corrections = [], [], []
        self.wallet_bars, self.gap_bars = [], []
        self.removable, self.removing, self.disputing = False, "", ""
        self.sessions, self.bookings, self.gaps, self.classes = [], [], [], []
        self.pupils, self._pupils_cache, self._ticked = [], [], []

    @rx.event
    def load(self):
        self.error = self.notice = self.booking_error = ""
        self.import_summary, self.import_errors = "", []
        if self._actor() is None:
            return rx.redirect(routes.login_then(routes.CULTURE))
        self._reload()
        self._reset_form()
        return None

    @rx.event
    def choose_school(self, value: str) -> None:
        self.school_id = value if row_id(value) is not None else ""
        self._reload()
        self._reset_form()

    # ---------------------------------------------------------------- the booking form

    def _reset_form(self) -> None:
        self.session_id, self.class_name, self.adults = "", "", "0"
        self.pupils, self._ticked = [], []
        self.quote_total = self.quote_before = self.quote_after = ""
        self.over_cap = False
        self._request_key = secrets.token_urlsafe(18)
        self._just_booked = False

    @rx.event
    def choose_session(self, value: str) -> None:
        self.session_id = value if row_id(value) is not None else ""
        self.booking_error = ""
        self._quote()

    @rx.event
    def choose_class(self, value: str) -> None:
        """The whole class ticked; the coordinator unticks who is absent."""
        self.class_name = value if value in self.classes else ""
        self._ticked = [
            p.id for p in self._pupils_cache if p.class_name == self.class_name and p.active
        ]
        self.booking_error = ""
        self._quote()

    @rx.event
    def toggle_pupil(self, pupil_id: str) -> None:
        wanted = row_id(pupil_id)
        if wanted is None or wanted not in {p.id for p in self._pupils_cache}:
            return
        self._ticked = (
            [p for p in self._ticked if p != wanted]
            if wanted in self._ticked
            else [*self._ticked, wanted]
        )
        self._quote()

    @rx.event
    def set_adults(self, value: str) -> None:
        self.adults = str(value)[:3]
        self._quote()

    def _adults(self) -> int:
        raw = self.adults.strip()
        if not raw.isascii() or not raw.isdigit():
            raise InvalidInput("must_be_whole_number", field="adults")
        return int(raw)

    def _quote(self) -> None:
        """The pupils of the chosen class with their caps, and what the booking would do to
        the wallet: shown before anything is held."""
        lang = self.lang
        self.quote_total = self.quote_before = self.quote_after = ""
        self.over_cap = False
        over: set[int] = set()
        found = self._school()
        session_id = row_id(self.session_id)
        if found is not None and session_id is not None and self._ticked:
            actor, _school_id = found
            try:
                with read_session() as session:
                    quote = quote_booking(session, actor, session_id, self._ticked, self._adults())
            except DomainError as error:
                self.booking_error = self._text(error)
            else:
                self.booking_error = ""
                self.quote_total = money(quote.total_minor, CULTURE_CURRENCY, lang)
                self.quote_before = money(quote.wallet_before_minor, CULTURE_CURRENCY, lang)
                self.quote_after = money(quote.wallet_after_minor, CULTURE_CURRENCY, lang)
                over = {cap.pupil_id for cap in quote.over_cap}
                self.over_cap = bool(over) or quote.wallet_after_minor < 0
                if over:  # said before the click, naming each pupil, as the server would
                    self.booking_error = self._text(
                        Conflict(
                            "pupil_cap_exceeded",
                            pupils=", ".join(f"{c.name} ({c.class_name})" for c in quote.over_cap),
                            cap=f"{quote.cap_minor / 100:.2f}",
                        )
                    )
                elif quote.wallet_after_minor < 0:
                    self.booking_error = self._text(
                        Conflict(
                            "wallet_insufficient",
                            available=f"{quote.wallet_before_minor / 100:.2f}",
                            total=f"{quote.total_minor / 100:.2f}",
                        )
                    )
        self.pupils = [
            PupilLine(
                str(p.id),
                f"{p.last_name} {p.first_name}",
                p.class_name,
                money(p.remaining_minor, CULTURE_CURRENCY, lang),
                p.served,
                p.id in self._ticked,
                p.id in over,
            )
            for p in self._pupils_cache
            if p.class_name == self.class_name and p.active
        ]

    @rx.event
    @in_thread
    def book(self):
        if self._just_booked and not self.session_id:
            return None  # the same click again, after the form was cleared: booked once
        self.error = self.notice = self.booking_error = ""
        found = self._school()
        session_id = row_id(self.session_id)
        if found is None:
            self.booking_error = self._text(NotFound())
            return None
        actor, _school_id = found
        try:
            if session_id is None:
                raise InvalidInput("field_required", field="session")
            adults, pupils, key = self._adults(), list(self._ticked), self._request_key
            atomically(lambda s: book_session(s, actor, session_id, pupils, adults, key))
        except DomainError as error:
            self.booking_error = self._text(error)
            return rx.set_focus("book")
        self.notice = text("culture_booked", self.lang)
        self._reload()
        self._reset_form()
        self._just_booked = True
        return rx.scroll_to("bookings")

    @rx.event
    @in_thread
    def cancel(self, booking_id: str) -> None:
        self.error = self.notice = ""
        found = self._school()
        wanted = row_id(booking_id)
        if found is None or wanted is None:
            self.error = self._message(NotFound())
            return
        actor, _school_id = found
        try:
            atomically(lambda s: cancel_booking(s, actor, wanted))
        except DomainError as error:
            self.error = self._message(error)
            return
        self.notice = text("culture_cancelled", self.lang)
        self._reload()

    @rx.event
    def start_dispute(self, booking_id: str) -> None:
        """Ask for an optional comment before disputing a delivered booking's charge."""
        wanted = row_id(booking_id)
        self.disputing = str(wanted) if wanted else ""

    @rx.event
    def cancel_dispute(self) -> None:
        self.disputing = ""

    @rx.event
    @in_thread
    def dispute(self, form: dict) -> None:
        """Dispute the charge: the provider answers, or the programme operator decides."""
        self.error = self.notice = ""
        found, wanted = self._school(), row_id(self.disputing)
        if found is None or wanted is None:
            self.error = self._message(NotFound())
            return
        actor = found[0]
        comment = str(form.get("comment", "")) if isinstance(form, dict) else ""
        try:
            atomically(lambda s: open_culture_dispute(s, actor, wanted, comment=comment))
        except DomainError as error:
            self.error = self._message(error)
            return
        self.disputing = ""
        self.notice = text("culture_dispute_sent", self.lang)
        self._reload()

    # ---------------------------------------------------------------- roster and people

    @rx.event
    async def import_roster(self, files: list[rx.UploadFile]):
        """The file is read here; who asks, and the import's writes, off the event loop."""
        content = await files[0].read(MAX_ROSTER_BYTES + 1) if files else None
        return await run_in_thread(self, self._import_roster, content)

    def _import_roster(self, content: bytes | None) -> None:
        self.error = self.notice = self.import_summary = ""
        self.import_errors = []
        found = self._school()
        if found is None or content is None:
            self.error = self._message(
                NotFound() if found is None else InvalidInput("field_required", field="file")
            )
            return
        actor, school_id = found
        if len(content) > MAX_ROSTER_BYTES:
            self.error = self._message(
                InvalidInput("value_too_large", field="file", max=MAX_ROSTER_BYTES)
            )
            return
        try:
            decoded = content.decode("utf-8")
        except UnicodeDecodeError:
            self.error = self._message(InvalidInput("import_not_utf8"))
            return
        try:
            with transaction() as session:
                report = import_roster(session, actor, school_id, decoded)
        except DomainError as error:
            self.error = self._message(error)
            return
        self.import_summary = text(
            "roster_imported",
            self.lang,
            added=report.added,
            updated=report.updated,
            failed=len(report.errors),
        )
        self.import_errors = [
            text("import_line_error", self.lang, line=line, message=self._text(error))
            for line, error in report.errors[:300]
        ]
        self._reload()

    @rx.event
    @in_thread_unshed
    def save_pupil(self, form: dict) -> None:
        """Add a pupil, or correct the one with this register id."""
        self.error = self.notice = ""
        found = self._school()
        if found is None:
            self.error = self._message(NotFound())
            return
        actor, school_id = found
        form = form if isinstance(form, dict) else {}
        fields = PupilFields(
            class_name=str(form.get("class", ""))[:40],
            first_name=str(form.get("first_name", ""))[:200],
            last_name=str(form.get("last_name", ""))[:200],
            register_id=str(form.get("register_id", ""))[:80],
        )
        try:
            with transaction() as session:
                save_pupil(session, actor, school_id, fields)
        except DomainError as error:
            self.error = self._message(error)
            return
        self.notice = text("done", self.lang)
        self._reload()

    @rx.event
    @in_thread
    def set_pupil_active(self, pupil_id: str, active: bool) -> None:
        """A pupil who left the school is booked no more (and comes back the same way)."""
        self.error = self.notice = ""
        found = self._school()
        wanted = row_id(pupil_id)
        if found is None or wanted is None:
            self.error = self._message(NotFound())
            return
        actor, school_id = found
        try:
            with transaction() as session:
                set_pupil_active(session, actor, school_id, wanted, active is True)
        except DomainError as error:
            self.error = self._message(error)
            return
        self._reload()

    @rx.event
    def invite(self, form: dict) -> None:
        self.error = self.notice = ""
        found = self._school()
        if found is None:
            self.error = self._message(NotFound())
            return
        actor, school_id = found
        email = str(form.get("email", "") if isinstance(form, dict) else "")[:300]
        try:
            with transaction() as session:
                invite_coordinator(
                    session,
                    actor,
                    school_id,
                    email,
                    app_url=get_settings().app_url,
                    locale=self.lang,
                )
                deliver_after_commit(session)
        except DomainError as error:
            self.error = self._message(error)
            return
        self.notice = text("invitation_sent", self.lang, email=email.strip().lower())

    @rx.event
    def start_remove(self, user_id: str) -> None:
        """Ask to confirm removing a coordinator of the school (oneself too)."""
        wanted = row_id(user_id)
        self.removing = str(wanted) if wanted else ""

    @rx.event
    def cancel_remove(self) -> None:
        self.removing = ""

    @rx.event
    @in_thread
    def remove(self) -> None:
        """Remove the coordinator asked about; the domain refuses the school's last one."""
        self.error = self.notice = ""
        found, wanted = self._school(), row_id(self.removing)
        self.removing = ""
        if found is None or wanted is None:
            self.error = self._message(NotFound())
            return
        actor, school_id = found
        try:
            atomically(lambda session: remove_coordinator(session, actor, school_id, wanted))
        except DomainError as error:
            self.error = self._message(error)
            return
        self.notice = text("done", self.lang)
        self._reload()

    # ---------------------------------------------------------------- the report

    def _spend_table(self) -> tuple[list[str], list[tuple[object, ...]]]:
        found = self._school()
        if found is None:
            raise NotFound()
        actor, school_id = found
        with read_session() as session:
            year = school_year(session, utcnow().date())
            if year is None or year.id is None:
                raise NotFound()
            rows = pupil_spend(session, actor, school_id, year.id)
        lang = self.lang
        header = [
            text(key, lang)
            for key in ("class", "last_name", "first_name", "culture_services_count")
        ] + [
            f"{text(key, lang)}, {CULTURE_CURRENCY}"
            for key in ("spent", "held", "culture_remaining")
        ]
        return header, [
            (
                r.class_name,
                r.last_name,
                r.first_name,
                r.services,
                r.spent_minor,
                r.held_minor,
                r.remaining_minor,
            )
            for r in rows
        ]

    @rx.event
    def download_report(self, kind: str):
        """Each pupil's year as CSV or XLSX: what the school's records keep."""
        try:
            header, rows = self._spend_table()
        except DomainError as error:
            self.error = self._message(error)
            return None
        name = f"culture-pass-{self.year}"
        if kind == "xlsx":
            return rx.download(
                data=to_xlsx(name, header, rows, {4, 5, 6}, CULTURE_CURRENCY),
                filename=f"{name}.xlsx",
            )
        return rx.download(
            data=to_csv(header, rows, {4, 5, 6}, CULTURE_CURRENCY), filename=f"{name}.csv"
        )

    @rx.var
    def ticked_count(self) -> int:
        return sum(1 for p in self.pupils if p.ticked)
