"""/provider/culture: the provider's culture-pass services, their sessions and the class
bookings on them: submit or change a service, publish a session, confirm or decline a
booking, and record who came.

Every handler asks who is asking again; the domain answers "not found" for another
provider's service, session or booking. Booked pupils' names reach this state only for a
confirmed booking on this provider's own session once it has begun (its register).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

import reflex as rx

from navigator import routes
from navigator.domain.accounts.access import Actor
from navigator.domain.culture.booking import confirm_booking, decline_booking, record_attendance
from navigator.domain.culture.criteria import SERVICE_CRITERIA
from navigator.domain.culture.disputes import (
    accept_culture_dispute,
    contest_culture_dispute,
    provider_culture_disputes,
)
from navigator.domain.culture.models import CULTURE_CURRENCY, LIVE_BOOKING, BookingStatus
from navigator.domain.culture.photos import remove_service_photo, set_service_photo
from navigator.domain.culture.reports import provider_booking_amounts
from navigator.domain.culture.schedule import ProviderService, provider_services
from navigator.domain.culture.services import (
    ArtForm,
    ServiceFields,
    ServicePlace,
    change_session,
    publish_session,
    submit_service,
    update_service,
)
from navigator.domain.programs.photos import MAX_PHOTO_BYTES, media_dir, photo_url
from navigator.domain.shared.db import atomically, read_session
from navigator.domain.shared.errors import DomainError, InvalidInput, NotFound
from navigator.domain.shared.models import Language, utcnow
from navigator.domain.shared.money import parse_amount
from navigator.i18n import text, value_label
from navigator.i18n.formatting import format_day, format_moment, format_money
from navigator.settings import get_settings
from navigator.state.app import LABELS_LANG
from navigator.state.forms import Choice, form_date, form_whole, row_id
from navigator.state.provider_cabinet import ProviderState
from navigator.state.threaded import in_thread, run_in_thread

CULTURE_TIMEZONE = "Europe/Vilnius"  # the programme's: sessions are given and read in it
TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


@dataclasses.dataclass
class ServiceCard:
    id: str
    title: str
    status: str
    reason: str  # why rejected or suspended
    price: str
    summary: str  # art form, grades, duration, place, language
    change_waiting: str  # the note that a change waits for review, or ""
    photo_url: str  # "" without a photo


@dataclasses.dataclass
class DisputeCard:
    id: str
    service: str
    day: str
    school_class: str
    amount: str
    comment: str  # the coordinator's words, or ""
    status: str  # in words
    answer_by: str  # "" once answered
    can_contest: bool  # still open (contested or escalated ones can still be accepted)


@dataclasses.dataclass
class SessionRow:
    id: str
    service: str
    starts: str
    booked: str
    # what the change form starts from: the day and time in Vilnius, the capacity
    day: str
    start_time: str
    capacity: str
    can_change: bool  # not begun yet


@dataclasses.dataclass
class RegisterLine:
    pupil_id: str
    name: str


@dataclasses.dataclass
class BookingCard:
    id: str
    service: str
    starts: str
    school: str
    classes: str
    people: str
    total: str
    status: str
    reason: str
    can_confirm: bool
    can_decline: bool
    register: list[RegisterLine]  # the names, once a confirmed booking's session has begun


def service_form(form: dict) -> ServiceFields:
    """A service's form, read strictly: a wrong number is an error naming its field."""
    form = form if isinstance(form, dict) else {}
    return ServiceFields(
        title=str(form.get("title", "")),
        description=str(form.get("description", "")),
        art_form=str(form.get("art_form", "")),
        grade_min=form_whole(form, "grade_min"),
        grade_max=form_whole(form, "grade_max"),
        duration_minutes=form_whole(form, "duration_minutes"),
        language=str(form.get("language", "")),
        place=str(form.get("place", "")),
        address=str(form.get("address", "")),
        price_per_pupil_minor=parse_amount(
            str(form.get("price", ""))[:40], CULTURE_CURRENCY, field="price"
        ),
        free_adults=form_whole(form, "free_adults"),
    )


def session_start(form: dict) -> datetime:
    """The date and time typed in Vilnius, as an aware UTC moment."""
    day = form_date(form, "starts_at")
    match = TIME.fullmatch(str(form.get("start_time", "")).strip()[:8])
    if match is None:
        raise InvalidInput("time_invalid", field="start_time")
    local = datetime.combine(
        day, time(int(match.group(1)), int(match.group(2))), ZoneInfo(CULTURE_TIMEZONE)
    )
    return local.astimezone(ZoneInfo("UTC"))


def _local_day_and_time(moment: datetime) -> tuple[str, str]:
    """A session's start as the date and time fields take it back, in Vilnius."""
    local = moment.astimezone(ZoneInfo(CULTURE_TIMEZONE))
    return local.date().isoformat(), local.strftime("%H:%M")


def _euros(minor: int) -> str:
    """An amount as the price field takes it back: 5.00."""
    return f"{minor // 100}.{minor % 100:02d}"


class ProviderCultureState(ProviderState):
    """/provider/culture (the coordinator's screen is `state/culture.py`)."""

    services: list[ServiceCard] = []
    sessions: list[SessionRow] = []
    bookings: list[BookingCard] = []
    session_services: list[Choice] = []  # the services a session can be published for
    declining: str = ""  # the booking whose decline asks for a reason
    changing: str = ""  # the session whose time or capacity is being changed
    changing_title: str = ""  # its service and start, above the change form
    change_day: str = ""  # the change form's defaults: the session's day, time, capacity
    change_time: str = ""
    change_capacity: str = ""
    disputes: list[DisputeCard] = []  # schools' disputes of charges, waiting for an answer first
    contesting: str = ""  # the dispute whose contest asks for a reason
    # the service form: a new service, or the one being changed
    editing: str = ""
    editing_reviewed: bool = False  # a change of it goes back to review
    editing_photo_url: str = ""  # the photo of the service being changed
    form_key: int = 0  # a new key re-mounts the form with these defaults
    form_title: str = ""
    form_description: str = ""
    form_art_form: str = ArtForm.THEATRE.value
    form_grade_min: str = "1"
    form_grade_max: str = "12"
    form_duration: str = "60"
    form_language: str = Language.LT.value
    form_place: str = ServicePlace.ON_SITE.value
    form_address: str = ""
    form_price: str = ""
    form_free_adults: str = "2"
    _service_fields: dict[str, dict] = {}  # each service's fields, for its edit form
    _reviewed: list[str] = []  # services whose change goes back to review
    _registers: dict[str, list[str]] = {}  # booking id → its booked pupils' ids, as listed

    @rx.event
    def load(self):
        self.page_lang = self.lang  # the labels follow the tab's language
        self.declining = self.changing = ""
        self._new_form()
        return self._open(routes.PROVIDER_CULTURE)

    def _rows(self, actor: Actor, provider_id: int) -> None:
        lang = self.lang
        now = utcnow()
        with read_session() as session:
            services = provider_services(session, actor, provider_id, now=now)
            disputes = provider_culture_disputes(session, actor, provider_id)
            # each booking's money as the ledger has it, not the total first booked
            amounts = provider_booking_amounts(
                session,
                actor,
                provider_id,
                [b.booking_id for s in services for found in s.sessions for b in found.bookings],
            )
        self.disputes = [
            DisputeCard(
                id=str(d.id),
                service=d.service_title,
                day=format_day(d.session_day, lang),
                school_class=d.class_name,
                amount=format_money(d.amount_minor, CULTURE_CURRENCY, lang),
                comment=d.comment,
                status=value_label(f"culture_dispute_{d.status}", lang),
                answer_by=text(
                    "dispute_answer_by",
                    lang,
                    date=format_moment(d.answer_due_at, lang, CULTURE_TIMEZONE),
                )
                if d.status == "open"
                else "",
                can_contest=d.status == "open",
            )
            for d in disputes
        ]
        self._service_fields = {str(s.service_id): dataclasses.asdict(s.fields) for s in services}
        self._reviewed = [str(s.service_id) for s in services if s.approved_price_minor is not None]
        self.services = [self._service_card(s, lang) for s in services]
        self.session_services = [
            Choice(str(s.service_id), s.fields.title) for s in services if s.bookable
        ]
        self.sessions = [
            SessionRow(
                str(found.session_id),
                s.fields.title,
                format_moment(found.starts_at, lang, CULTURE_TIMEZONE),
                text("culture_booked_of", lang, booked=found.booked, capacity=found.capacity),
                *_local_day_and_time(found.starts_at),
                str(found.capacity),
                not found.begun,
            )
            for s in services
            for found in s.sessions
        ]
        if not any(row.id == self.changing and row.can_change for row in self.sessions):
            self.changing = ""
        cards = [
            BookingCard(
                id=str(b.booking_id),
                service=s.fields.title,
                starts=format_moment(found.starts_at, lang, CULTURE_TIMEZONE),
                school=b.school_name,
                classes=b.class_names,
                people=text("booking_people", lang, pupils=b.pupils, adults=b.adults),
                total=format_money(amounts.get(b.booking_id, 0), CULTURE_CURRENCY, lang),
                status=value_label(f"booking_{b.status}", lang),
                reason=b.reason,
                can_confirm=b.status == BookingStatus.RESERVED and not found.begun,
                can_decline=b.status in LIVE_BOOKING and not found.begun,
                register=[
                    RegisterLine(str(p.pupil_id), f"{p.first_name} {p.last_name}")
                    for p in b.register
                ],
            )
            for s in services
            for found in s.sessions
            for b in found.bookings
        ]
        self._registers = {c.id: [line.pupil_id for line in c.register] for c in cards}
        # what waits for the provider first: reservations, then registers to mark
        self.bookings = sorted(cards, key=lambda c: (not c.can_confirm, not c.register))

    def _service_card(self, service: ProviderService, lang: str) -> ServiceCard:
        f = service.fields
        place = value_label(f.place, lang) + (f" · {f.address}" if f.address else "")
        return ServiceCard(
            id=str(service.service_id),
            title=f.title,
            status=value_label(f"service_{service.status}", lang),
            reason=service.reason,
            price=text(
                "culture_per_pupil",
                lang,
                price=format_money(f.price_per_pupil_minor, CULTURE_CURRENCY, lang),
            ),
            summary=" · ".join(
                (
                    value_label(f.art_form, lang),
                    text("grades_range", lang, min=f.grade_min, max=f.grade_max),
                    text("culture_minutes", lang, count=f.duration_minutes),
                    place,
                    value_label(f.language, lang),
                )
            ),
            change_waiting=text(
                "culture_change_waiting",
                lang,
                price=format_money(service.approved_price_minor, CULTURE_CURRENCY, lang),
            )
            if service.change_waiting and service.approved_price_minor is not None
            else "",
            photo_url=photo_url(service.photo),
        )

    @rx.var
    def service_criteria(self) -> list[str]:
        """What the operator approves a service against, shown beside the submit form."""
        return [text(key, self.page_lang) for key in SERVICE_CRITERIA]

    page_lang: str = LABELS_LANG  # its labels' language, set by its page's load

    @rx.var
    def art_form_choices(self) -> list[Choice]:
        return [Choice(a.value, value_label(a.value, self.page_lang)) for a in ArtForm]

    @rx.var
    def place_choices(self) -> list[Choice]:
        return [Choice(p.value, value_label(p.value, self.page_lang)) for p in ServicePlace]

    @rx.var
    def language_choices(self) -> list[Choice]:
        return [Choice(lang.value, value_label(lang.value, self.page_lang)) for lang in Language]

    # ------------------------------------------------------------ services

    def _new_form(self) -> None:
        self.editing, self.editing_reviewed, self.editing_photo_url = "", False, ""
        self.form_title = self.form_description = self.form_address = self.form_price = ""
        self.form_art_form, self.form_place = ArtForm.THEATRE.value, ServicePlace.ON_SITE.value
        self.form_grade_min, self.form_grade_max, self.form_duration = "1", "12", "60"
        self.form_language, self.form_free_adults = Language.LT.value, "2"
        self.form_key += 1

    @rx.event
    def new_service(self) -> None:
        self._new_form()

    @rx.event
    def start_edit(self, service_id: str) -> None:
        """The edit form, filled with the service's fields as this state last read them."""
        self.error = self.notice = ""
        wanted = row_id(service_id)
        fields = self._service_fields.get(str(wanted)) if wanted is not None else None
        if self._provider() is None or fields is None:
            self.error = self._message(NotFound())
            return
        self.editing = str(wanted)
        self.editing_reviewed = self.editing in self._reviewed
        self.editing_photo_url = next(
            (s.photo_url for s in self.services if s.id == self.editing), ""
        )
        self.form_title, self.form_description = fields["title"], fields["description"]
        self.form_art_form, self.form_place = fields["art_form"], fields["place"]
        self.form_grade_min, self.form_grade_max = (
            str(fields["grade_min"]),
            str(fields["grade_max"]),
        )
        self.form_duration = str(fields["duration_minutes"])
        self.form_language, self.form_address = fields["language"], fields["address"]
        self.form_price = _euros(fields["price_per_pupil_minor"])
        self.form_free_adults = str(fields["free_adults"])
        self.form_key += 1

    @rx.event
    @in_thread
    def save_service(self, form: dict) -> None:
        """A new service goes to review; a change of an approved one goes back to it."""
        self.error = self.notice = ""
        found = self._provider()
        editing = row_id(self.editing) if self.editing else None
        if found is None or (self.editing and editing is None):
            self.error = self._message(NotFound())
            return
        actor, provider_id = found
        try:
            fields = service_form(form)
            status = atomically(
                lambda session: (
                    (
                        update_service(session, actor, editing, fields)
                        if editing is not None
                        else submit_service(session, actor, provider_id, fields)
                    ).status
                )
            )
        except DomainError as error:
            self.error = self._message(error)
            return
        lang = self.lang
        if editing is None:
            self.notice = text("culture_service_submitted", lang)
        elif status == "submitted" and self.editing_reviewed:
            self.notice = text("culture_change_in_review", lang)
        else:
            self.notice = text("culture_service_saved", lang)
        self._new_form()
        self._reload()

    # ------------------------------------------------------------ the photo

    def _photo_change(self, change) -> None:
        """Run `change(session, actor, service id)` on the service being edited; the photo
        is reviewed content, so an approved service's new photo waits for the operator."""
        self.error = self.notice = ""
        found, service_id = self._provider(), row_id(self.editing)
        if found is None or service_id is None:
            self.error = self._message(NotFound())
            return
        actor = found[0]
        try:
            atomically(lambda session: change(session, actor, service_id))
        except DomainError as error:
            self.error = self._message(error)
            return
        reviewed = self.editing in self._reviewed
        self.notice = text("culture_change_in_review" if reviewed else "done", self.lang)
        self._reload()
        self.editing_photo_url = next(
            (s.photo_url for s in self.services if s.id == self.editing), ""
        )

    @rx.event
    async def upload_photo(self, files: list[rx.UploadFile]):
        """A photo for the service being changed: checked and stored clean by the domain."""
        if not files:
            self.error = self._message(InvalidInput("field_required", field="photo"))
            return
        data = await files[0].read(MAX_PHOTO_BYTES + 1)
        directory = media_dir(get_settings().var_dir)
        return await run_in_thread(  # who asks, the row lock and the file: off the event loop
            self,
            self._photo_change,
            lambda session, actor, sid: set_service_photo(session, actor, sid, data, directory),
        )

    @rx.event
    @in_thread
    def remove_photo(self) -> None:
        self._photo_change(remove_service_photo)

    # ------------------------------------------------------------ sessions

    @rx.event
    @in_thread
    def publish(self, form: dict) -> None:
        form = form if isinstance(form, dict) else {}
        service_id = row_id(form.get("service_id", ""))
        self._write_session(
            form,
            lambda session, actor, starts_at, capacity, now: publish_session(
                session, actor, _required(service_id, "service_id"), starts_at, capacity, now=now
            ),
            "culture_session_published",
        )

    def _write_session(self, form: dict, write, done: str) -> bool:
        """A session's day, time and capacity from the form, written by `write` (publish or
        change) as this provider's staff; the domain's refusal is said beside the form."""
        self.error = self.notice = ""
        form = form if isinstance(form, dict) else {}
        found = self._provider()
        if found is None:
            self.error = self._message(NotFound())
            return False
        actor = found[0]
        try:
            starts_at = session_start(form)
            capacity = form_whole(form, "capacity")
            now = utcnow()
            atomically(lambda session: write(session, actor, starts_at, capacity, now))
        except DomainError as error:
            self.error = self._message(error)
            return False
        self.notice = text(done, self.lang)
        self._reload()
        return True

    @rx.event
    def start_change_session(self, session_id: str) -> None:
        """The change form for a session this screen listed and that has not begun."""
        self.error = self.notice = ""
        wanted = row_id(session_id)
        row = next((r for r in self.sessions if r.id == str(wanted) and r.can_change), None)
        if wanted is None or row is None:
            self.changing = ""
            self.error = self._message(NotFound())
            return
        self.changing = row.id
        self.changing_title = f"{row.service} · {row.starts}"
        self.change_day, self.change_time, self.change_capacity = (
            row.day,
            row.start_time,
            row.capacity,
        )

    @rx.event
    def cancel_change_session(self) -> None:
        self.changing = ""

    @rx.event
    @in_thread
    def save_session(self, form: dict) -> None:
        """A new time or capacity; the domain refuses moving a booked session or shrinking
        it below what is booked, and a session of another provider is not found."""
        session_id = row_id(self.changing)

        def change(session, actor, starts_at, capacity, now):
            if session_id is None:  # no change form open: nothing of this screen's to change
                raise NotFound()
            return change_session(session, actor, session_id, starts_at, capacity, now=now)

        if self._write_session(form, change, "culture_session_changed"):
            self.changing = ""

    # ------------------------------------------------------------ bookings

    def _booking_action(self, booking_id: object, work) -> bool:
        """Run one decision on a booking as the signed-in person; the domain checks that it
        is on this provider's session."""
        self.error = self.notice = ""
        found = self._provider()
        wanted = row_id(booking_id)
        if found is None or wanted is None:
            self.error = self._message(NotFound())
            return False
        actor = found[0]
        try:
            atomically(lambda session: work(session, actor, wanted))
        except DomainError as error:
            self.error = self._message(error)
            return False
        return True

    def _dispute_action(self, work) -> bool:
        """Answer a school's dispute as the signed-in person; the domain checks that it is
        about this provider's charge."""
        self.error = self.notice = ""
        found = self._provider()
        if found is None:
            self.error = self._message(NotFound())
            return False
        actor = found[0]
        try:
            atomically(lambda session: work(session, actor))
        except DomainError as error:
            self.error = self._message(error)
            return False
        self.notice = text("done", self.lang)
        self._reload()
        return True

    @rx.event
    @in_thread
    def accept_dispute(self, dispute_id: str) -> None:
        """The school is right: its charge goes back to the wallet and the pupils' caps."""
        wanted = row_id(dispute_id)
        if wanted is None:
            self.error = self._message(NotFound())
            return
        self._dispute_action(lambda s, actor: accept_culture_dispute(s, actor, wanted))

    @rx.event
    def start_contest(self, dispute_id: str) -> None:
        wanted = row_id(dispute_id)
        self.contesting = str(wanted) if wanted else ""

    @rx.event
    def cancel_contest(self) -> None:
        self.contesting = ""

    @rx.event
    @in_thread
    def contest(self, form: dict) -> None:
        """The charge is right, and why: the programme operator decides."""
        wanted = row_id(self.contesting)
        reason = str(form.get("reason", "")) if isinstance(form, dict) else ""
        if wanted is None:
            self.error = self._message(NotFound())
            return
        if self._dispute_action(lambda s, actor: contest_culture_dispute(s, actor, wanted, reason)):
            self.contesting = ""

    @rx.event
    @in_thread
    def confirm(self, booking_id: str) -> None:
        if self._booking_action(booking_id, confirm_booking):
            self.notice = text("culture_booking_confirmed", self.lang)
            self._reload()

    @rx.event
    def start_decline(self, booking_id: str) -> None:
        self.declining = booking_id if row_id(booking_id) is not None else ""

    @rx.event
    def cancel_decline(self) -> None:
        self.declining = ""

    @rx.event
    @in_thread
    def decline(self, form: dict) -> None:
        reason = str(form.get("reason", ""))[:1000] if isinstance(form, dict) else ""
        if self._booking_action(
            self.declining, lambda s, actor, wanted: decline_booking(s, actor, wanted, reason)
        ):
            self.declining = ""
            self.notice = text("culture_booking_declined", self.lang)
            self._reload()

    @rx.event
    @in_thread
    def record_attendance(self, form: dict) -> None:
        """The ticked pupils came (they are charged), the others did not (released). Only the
        pupils this screen listed for the booking are read from the form."""
        self.error = self.notice = ""
        form = form if isinstance(form, dict) else {}
        wanted = str(form.get("booking_id", ""))
        booked = self._registers.get(wanted, []) if row_id(wanted) is not None else []
        came = [int(p) for p in booked if form.get(f"pupil_{p}") in (True, "on", "true", p)]
        now = utcnow()
        if not booked:
            self.error = self._message(NotFound())
            return
        if self._booking_action(
            wanted, lambda s, actor, b: record_attendance(s, actor, b, came, now=now)
        ):
            self.notice = text("culture_attendance_recorded", self.lang, count=len(came))
            self._reload()


def _required(value: int | None, field: str) -> int:
    if value is None:
        raise InvalidInput("field_required", field=field)
    return value
