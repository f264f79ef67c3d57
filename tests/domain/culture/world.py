"""A culture-pass world built through the domain services, as the operator, a school's
coordinator and a provider would build it: a year, a school with its wallet, two classes,
an approved service and a session."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.engine import Engine
from sqlmodel import select

from navigator import routes
from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role, User
from navigator.domain.culture.booking import book_session, confirm_booking, record_attendance
from navigator.domain.culture.coordinators import (
    accept_coordinator_invitation,
    invite_coordinator,
)
from navigator.domain.culture.models import CulturePassYear, Pupil, School, SchoolWallet
from navigator.domain.culture.roster import import_roster
from navigator.domain.culture.services import (
    ServiceFields,
    publish_session,
    review_service,
    submit_service,
)
from navigator.domain.culture.years import import_schools, make_operator, open_year
from navigator.domain.municipalities.api import create_municipality
from navigator.domain.providers.api import admit_provider, create_provider
from navigator.domain.shared.db import read_session, transaction
from tests.support.mail import last_link

PASSWORD = "culture pass secret"
# The world's year is always the one after the real one, so that what the code under test
# reads from the real clock (the relay's documents, a screen's booking, the coordinator's
# year) stays before every date of this world whatever day the tests run on.
YEAR = datetime.now(UTC).year + 1
NOW = datetime(YEAR, 3, 1, 9, 0, tzinfo=UTC)  # early in March: before every session
SESSION_AT = datetime(YEAR, 3, 15, 10, 0, tzinfo=UTC)  # winter time in Vilnius: UTC+2
_seq = itertools.count(1)


def service_fields(**changes) -> ServiceFields:
    values = {
        "title": "Teatro pamoka",
        "description": "Vaidinimas ir pokalbis su aktoriais.",
        "art_form": "theatre",
        "grade_min": 1,
        "grade_max": 12,
        "duration_minutes": 90,
        "language": "lt",
        "place": "on_site",
        "address": "Gedimino pr. 4, Vilnius",
        "price_per_pupil_minor": 500,
        "free_adults": 2,
    }
    values.update(changes)
    return ServiceFields(**values)


@dataclass
class CultureWorld:
    engine: Engine
    operator: Actor
    year_id: int
    school_id: int
    wallet_id: int
    coordinator: Actor
    provider_user: Actor
    provider_id: int
    service_id: int
    session_id: int
    classes: dict[str, list[int]] = field(default_factory=dict)

    def tx(self):
        return transaction(self.engine)

    @property
    def pupils(self) -> list[int]:
        return [p for ids in self.classes.values() for p in ids]

    def book(
        self,
        pupils: list[int],
        *,
        session_id: int | None = None,
        actor: Actor | None = None,
        adults: int = 0,
        key: str | None = None,
        now: datetime = NOW,
    ) -> int:
        with self.tx() as s:
            booking = book_session(
                s,
                actor or self.coordinator,
                session_id or self.session_id,
                pupils,
                adults,
                key or f"request-{next(_seq):06d}",
                now=now,
            )
            return booking.id  # type: ignore[return-value]

    def deliver(self, booking_id: int, present: list[int], *, hours_after: int = 2) -> None:
        """The provider confirms the booking, then records who came, each its own request."""
        with self.tx() as s:
            confirm_booking(s, self.provider_user, booking_id)
        with self.tx() as s:
            record_attendance(
                s,
                self.provider_user,
                booking_id,
                present,
                now=SESSION_AT + timedelta(hours=hours_after),
            )

    def add_session(self, starts_at: datetime = SESSION_AT, capacity: int = 60) -> int:
        with self.tx() as s:
            return publish_session(
                s, self.provider_user, self.service_id, starts_at, capacity, now=NOW
            ).id  # type: ignore[return-value]

    def new_coordinator(self, email: str | None = None, *, by: Actor | None = None) -> Actor:
        """A coordinator invited by e-mail who follows the link and sets a password."""
        email = email or f"coordinator{next(_seq)}@school.example"
        with self.tx() as s:
            invite_coordinator(
                s, by or self.operator, self.school_id, email, app_url="http://test", now=NOW
            )
        token = parse_qs(urlsplit(last_link(self.engine, email, routes.CULTURE_INVITE)).query)[
            "token"
        ][0]
        with self.tx() as s:
            accept_coordinator_invitation(
                s, token, PASSWORD, PASSWORD, client_address="127.0.0.1", now=NOW
            )
            user = s.exec(select(User).where(User.email == email)).one()
        return Actor.user(user.id)


def roster_csv(classes: dict[str, int], *, prefix: str = "") -> str:
    lines = ["class,first_name,last_name,register_id"]
    n = 0
    for class_name, count in classes.items():
        for _ in range(count):
            n += 1
            lines.append(f"{class_name},Vardas{n},Pavardė{n},{prefix}R{n:04d}")
    return "\n".join(lines)


def build_culture(
    engine: Engine,
    *,
    pupils: int = 20,
    per_pupil: int = 1054,
    cap: int = 1500,
    price: int = 500,
    capacity: int = 60,
    classes: dict[str, int] | None = None,
) -> CultureWorld:
    n = next(_seq)
    classes = classes or {"5A": 10, "5B": 10}
    with transaction(engine) as s:
        made, _created = make_operator(s, f"operator{n}@lnb.example", password=PASSWORD)
        operator = Actor.user(made.user_id)
    with transaction(engine) as s:
        opened = s.exec(select(CulturePassYear).where(CulturePassYear.year == YEAR)).first()
        year_id = (
            opened.id
            if opened is not None  # a second school of the same year
            else open_year(
                s,
                operator,
                year=YEAR,
                per_pupil_minor=per_pupil,
                cap_minor=cap,
                window_start=date(YEAR, 1, 1),
                window_end=date(YEAR, 12, 20),
                reference_date=date(YEAR - 1, 9, 1),
            ).id
        )
    code = f"S{n}"
    with transaction(engine) as s:
        report = import_schools(
            s,
            operator,
            year_id,
            f"code,name,municipality,pupils\n{code},Mokykla {n},Vilnius,{pupils}",
        )
        assert report.errors == []
        school = s.exec(select(School).where(School.code == code)).one()
        wallet = s.exec(select(SchoolWallet).where(SchoolWallet.school_id == school.id)).one()
        town = create_municipality(
            s,
            code=f"culture-{n}",
            name="Vilnius",
            country="LT",
            currency="EUR",
            locale="lt",
            timezone="Europe/Vilnius",
        )
        provider = create_provider(s, municipality_id=town.id, name=f"Teatras {n}", kind="private")
        admit_provider(s, Actor.system(), provider.id)
        staff = create_user(
            s,
            f"teatras{n}@example.org",
            PASSWORD,
            roles=((Role.PROVIDER_OWNER, None, provider.id),),
        )
    world = CultureWorld(
        engine=engine,
        operator=operator,
        year_id=year_id,  # type: ignore[arg-type]
        school_id=school.id,  # type: ignore[arg-type]
        wallet_id=wallet.id,  # type: ignore[arg-type]
        coordinator=Actor.system(),
        provider_user=Actor.user(staff.id),  # type: ignore[arg-type]
        provider_id=provider.id,  # type: ignore[arg-type]
        service_id=0,
        session_id=0,
    )
    world.coordinator = world.new_coordinator()
    with transaction(engine) as s:
        assert (
            import_roster(
                s, world.coordinator, world.school_id, roster_csv(classes, prefix=code)
            ).errors
            == []
        )
    with read_session(engine) as s:
        for pupil in s.exec(
            select(Pupil).where(Pupil.school_id == world.school_id).order_by(Pupil.id)
        ).all():
            world.classes.setdefault(pupil.class_name, []).append(pupil.id)  # type: ignore[arg-type]
    with transaction(engine) as s:
        world.service_id = submit_service(
            s, world.provider_user, world.provider_id, service_fields(price_per_pupil_minor=price)
        ).id  # type: ignore[assignment]
    with transaction(engine) as s:
        review_service(s, operator, world.service_id, "approve")
    world.session_id = world.add_session(capacity=capacity)
    return world


def later(days: int) -> datetime:
    return NOW + timedelta(days=days)
