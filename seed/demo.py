"""Deterministic demo data: four municipalities (two Russian in RUB, two Lithuanian in EUR),
providers of every kind that teach what their names say, programs across the six directions
in the town's language (now and then one taught in another, which its language says), groups
with timetables, and demo accounts whose logins `make run` prints.

Demo people and their certificates go through the domain services; the bulk of programs
and groups is inserted in batches so `--programs 100000` stays fast.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.children import add_child
from navigator.domain.accounts.models import Role, User
from navigator.domain.certificates.api import import_registry, request_certificate
from navigator.domain.funding.models import PeriodStatus
from navigator.domain.funding.nominal import add_nominal_rule
from navigator.domain.funding.periods import create_period
from navigator.domain.municipalities.api import create_municipality
from navigator.domain.municipalities.models import MunicipalityPolicy
from navigator.domain.programs.models import (
    CERTIFIED_PROGRAM_FIELDS,
    CertificationStatus,
    Direction,
    Group,
    Program,
    ProgramFormat,
)
from navigator.domain.providers.api import create_provider
from navigator.domain.providers.models import ProviderKind
from navigator.domain.shared.calendar import local_today
from navigator.domain.shared.db import transaction
from navigator.domain.shared.models import utcnow
from seed.identifiers import national_id
from seed.vocabulary import (
    DESCRIPTIONS,
    DISTRICTS,
    LEVELS,
    PROVIDERS,
    STREETS,
    SUBJECTS,
    SURNAMES,
    person_name,
)

SYSTEM = Actor.system()
# The languages programs are taught in, by country, and how often: mostly the town's own;
# English now and then; in Lithuania also Russian (the Russian-speaking minority's schools),
# never Lithuanian in Russia. Each program's `language` says which.
TEACHING_LANGUAGES = {"RU": (("ru", "en"), (86, 14)), "LT": (("lt", "en", "ru"), (80, 13, 7))}
DEMO_PASSWORD = "demo-navigator-2026"  # noqa: S105 - published demo logins
BATCH = 5_000


@dataclass(frozen=True)
class Town:
    code: str
    name: str
    country: str
    currency: str
    locale: str
    timezone: str
    latitude: float
    longitude: float
    nominal_minor: int
    price_range_minor: tuple[int, int]


TOWNS = (
    Town(
        "yaroslavl",
        "Ярославль",
        "RU",
        "RUB",
        "ru",
        "Europe/Moscow",
        57.6261,
        39.8845,
        1_800_000,
        (15_000, 60_000),
    ),
    Town(
        "perm",
        "Пермь",
        "RU",
        "RUB",
        "ru",
        "Asia/Yekaterinburg",
        58.0105,
        56.2502,
        2_200_000,
        (20_000, 70_000),
    ),
    Town(
        "vilnius",
        "Vilnius",
        "LT",
        "EUR",
        "lt",
        "Europe/Vilnius",
        54.6872,
        25.2797,
        20_000,
        (300, 1_200),
    ),
    Town(
        "kaunas",
        "Kaunas",
        "LT",
        "EUR",
        "lt",
        "Europe/Vilnius",
        54.8985,
        23.9036,
        18_000,
        (300, 1_000),
    ),
)


@dataclass
class SeedReport:
    municipalities: int = 0
    providers: int = 0
    programs: int = 0
    groups: int = 0
    logins: list[tuple[str, str]] | None = None


def demo_logins(engine: Engine) -> list[str]:
    """The demo accounts present in the database (printed again by every `make run`)."""
    with Session(engine) as session:
        emails = session.exec(select(User.email).where(col(User.email).endswith("@demo.navigator")))
        return sorted(emails)


def database_is_empty(engine: Engine) -> bool:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Program)).one() == 0


def school_year(today: date) -> tuple[date, date]:
    start_year = today.year if today.month >= 9 else today.year - 1
    return date(start_year, 9, 1), date(start_year + 1, 8, 31)


def seed_demo(engine: Engine, *, programs: int = 400, rng_seed: int = 2026) -> SeedReport:
    """Fill an empty database; `programs` are spread over the four municipalities."""
    rng = random.Random(rng_seed)
    report = SeedReport(logins=[])
    per_town = max(1, programs // len(TOWNS))
    for index, town in enumerate(TOWNS):
        count = per_town + (programs - per_town * len(TOWNS) if index == 0 else 0)
        _seed_town(engine, town, count, rng, report)
    return report


def _seed_town(
    engine: Engine, town: Town, programs: int, rng: random.Random, report: SeedReport
) -> None:
    assert report.logins is not None
    with transaction(engine) as s:
        municipality = create_municipality(
            s,
            code=town.code,
            name=town.name,
            country=town.country,
            currency=town.currency,
            locale=town.locale,
            timezone=town.timezone,
            policy=MunicipalityPolicy(max_funded_enrollments=3, prorate_late_start=False),
        )
        today = local_today(municipality)
        starts_on, ends_on = school_year(today)
        period = create_period(
            s,
            SYSTEM,
            municipality.id,
            name=f"{starts_on.year}/{ends_on.year}",
            starts_on=starts_on,
            ends_on=ends_on,
            budget_minor=town.nominal_minor * 20_000,
            max_funded_certificates=20_000,
            status=PeriodStatus.OPEN,
        )
        add_nominal_rule(
            s, SYSTEM, period.id, age_min=5, age_max=17, amount_minor=town.nominal_minor
        )
        add_nominal_rule(
            s,
            SYSTEM,
            period.id,
            age_min=5,
            age_max=17,
            amount_minor=town.nominal_minor * 3 // 2,
            category="disability",
        )
        vocabulary = town.locale
        providers = []
        for profile in PROVIDERS[vocabulary]:
            provider = create_provider(
                s,
                municipality_id=municipality.id,
                name=profile.name,
                kind=profile.kind,
                licence_number=f"{town.country}-{rng.randint(10_000, 99_999)}",
            )
            provider.admitted = True
            provider.admitted_at = utcnow()
            providers.append(provider)
        branch = "filialas" if vocabulary == "lt" else "филиал"
        create_provider(  # waits for admission, so it is not in the catalog
            s,
            municipality_id=municipality.id,
            name=f"{providers[0].name} ({branch})",
            kind=ProviderKind.MUNICIPAL,
        )
        s.flush()
        report.providers += len(providers) + 1
        report.municipalities += 1

        admin = f"admin.{town.code}@demo.navigator"
        create_user(
            s,
            admin,
            DEMO_PASSWORD,
            email_confirmed=True,
            full_name=f"{town.name}: admin",
            locale=town.locale,
            roles=((Role.MUNICIPALITY_ADMIN, municipality.id, None),),
        )
        staff = f"provider.{town.code}@demo.navigator"
        create_user(
            s,
            staff,
            DEMO_PASSWORD,
            email_confirmed=True,
            full_name=providers[0].name,
            locale=town.locale,
            roles=((Role.PROVIDER_OWNER, None, providers[0].id),),
        )
        parent_email = f"parent.{town.code}@demo.navigator"
        family_name = rng.choice(SURNAMES[vocabulary])  # the children's too, in their forms
        parent_names = person_name(
            rng, vocabulary, female=rng.random() < 0.6, adult=True, surname=family_name
        )
        parent = create_user(
            s,
            parent_email,
            DEMO_PASSWORD,
            email_confirmed=True,
            full_name=" ".join(parent_names),
            locale=town.locale,
            roles=((Role.PARENT, None, None),),
        )
        report.logins.extend(
            [(admin, "municipality admin"), (staff, "provider"), (parent_email, "parent")]
        )
    actor = Actor.user(parent.id)
    family = [
        (date(today.year - years, rng.randint(1, 12), rng.randint(1, 28)), female)
        for years, female in ((9, True), (13, False), (7, rng.random() < 0.5))
    ]
    codes = [
        national_id(town.country, born, rng.randint(0, 99_999_999), female=female)
        for born, female in family
    ]
    # the municipality's registry knows the first two children, with this parent as guardian;
    # the third waits in its verification queue, as a child the registry does not know
    registry = ["national_id,birth_date,category,guardian_email"] + [
        f"{code},{born.isoformat()},base,{parent_email}"
        for code, (born, _female) in list(zip(codes, family, strict=True))[:2]
    ]
    with transaction(engine) as s:
        import_registry(s, SYSTEM, municipality.id, "\n".join(registry))
    district = rng.choice(DISTRICTS[town.code])  # one family, one home
    first_names = {parent_names[0]}
    for code, (born, female) in zip(codes, family, strict=True):
        first_name = parent_names[0]
        while first_name in first_names:  # no two in a family share a first name
            first_name, last_name = person_name(
                rng, vocabulary, female=female, adult=False, surname=family_name
            )
        first_names.add(first_name)
        with transaction(engine) as s:  # each child as the parent would: one request each
            child = add_child(
                s,
                actor,
                guardian_id=parent.id,
                municipality_id=municipality.id,
                first_name=first_name,
                last_name=last_name,
                birth_date=born,
                district=district,
            )
            child_id = child.id
        with transaction(engine) as s:
            request_certificate(s, actor, child_id, national_id=code, today=today)

    teachers: dict[str, list[tuple[int, str]]] = {}  # a subject: who teaches it, of what kind
    for provider, profile in zip(providers, PROVIDERS[vocabulary], strict=True):
        assert provider.id is not None
        for subject in profile.subjects:
            teachers.setdefault(subject, []).append((provider.id, profile.kind))
    with engine.begin() as connection:
        for batch in _batched(_program_rows(town, municipality.id, teachers, programs, rng), BATCH):
            result = connection.execute(insert(Program).returning(Program.id), batch)
            ids = [row[0] for row in result]
            group_rows = list(_group_rows(ids, batch, town, starts_on, today, rng))
            connection.execute(insert(Group), group_rows)
            report.programs += len(ids)
            report.groups += len(group_rows)


def _batched(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _program_rows(
    town: Town,
    municipality_id: int,
    teachers: dict[str, list[tuple[int, str]]],
    count: int,
    rng: random.Random,
) -> Iterator[dict[str, Any]]:
    """The directions in turn and, within each, its subjects in turn (so a town of 42 programs
    has every subject); each program by a provider that teaches its subject."""
    directions = list(Direction)
    subjects = {
        direction: [key for key, subject in SUBJECTS.items() if subject.direction == direction]
        for direction in directions
    }
    languages, weights = TEACHING_LANGUAGES[town.country]
    streets = STREETS[town.code]
    now = utcnow()
    for n in range(count):
        language = rng.choices(languages, weights=weights)[0]
        direction = directions[n % len(directions)]
        in_direction = subjects[direction]
        subject = in_direction[(n // len(directions)) % len(in_direction)]
        stem = SUBJECTS[subject].titles[language]
        level = rng.choice(LEVELS[language])
        title = f"{stem} — {level}" if level else stem
        age_min = rng.randint(5, 12)
        provider_id, kind = rng.choice(teachers[subject])
        free = kind == ProviderKind.MUNICIPAL and rng.random() < 0.25
        status = rng.choices(
            [
                CertificationStatus.CERTIFIED,
                CertificationStatus.SUBMITTED,
                CertificationStatus.DRAFT,
            ],
            weights=[88, 7, 5],
        )[0]
        sentences = rng.sample(DESCRIPTIONS[language], 3)
        street, number = rng.choice(streets), rng.randint(1, 120)
        row = {
            "provider_id": provider_id,
            "municipality_id": municipality_id,
            "external_id": f"{town.code}-{n}",
            "title": title,
            "description": f"{stem}. " + " ".join(sentences),
            "direction": direction.value,
            "age_min": age_min,
            "age_max": min(17, age_min + rng.randint(3, 8)),
            "format": rng.choices(list(ProgramFormat), weights=[80, 10, 10])[0].value,
            "language": language,
            # as each country writes its addresses (the town's words whatever the teaching)
            "address": f"{town.name}, {street}, {number}"
            if town.country == "RU"
            else f"{street} {number}, {town.name}",
            "latitude": round(town.latitude + rng.uniform(-0.08, 0.08), 6),
            "longitude": round(town.longitude + rng.uniform(-0.12, 0.12), 6),
            "tags": direction.value.replace("_", " "),
            "certification_status": status.value,
            "is_free": free,
            "created_at": now,
            "updated_at": now,
        }
        certified = status is CertificationStatus.CERTIFIED
        # certified as generated: the catalog shows exactly this version
        row["certified_at"] = now if certified else None
        row["certified_version"] = (
            {name: row[name] for name in CERTIFIED_PROGRAM_FIELDS} if certified else None
        )
        yield row


def _group_rows(
    program_ids: list[int],
    programs: list[dict[str, Any]],
    town: Town,
    year_start: date,
    today: date,
    rng: random.Random,
) -> Iterator[dict[str, Any]]:
    low, high = town.price_range_minor
    now = utcnow()
    for program_id, program in zip(program_ids, programs, strict=True):
        for g in range(rng.randint(1, 3)):
            first = rng.randint(1, 5)
            weekdays = sorted({first, min(7, first + rng.choice((2, 3)))})
            hour = rng.choice((10, 15, 16, 17, 18))
            starts_on = max(year_start, today) + timedelta(days=rng.randint(0, 20))
            price = (
                0
                if program["is_free"]
                else rng.randrange(low, high, 50 if town.currency == "RUB" else 10)
            )
            seats = rng.randint(8, 20)
            group_row: dict[str, Any] = {
                "program_id": program_id,
                "name": f"{g + 1}",
                "teacher": " ".join(
                    person_name(rng, town.locale, female=rng.random() < 0.75, adult=True)
                ),
                "timetable": [
                    {"weekday": d, "start": f"{hour}:00", "end": f"{hour + 1}:30"} for d in weekdays
                ],
                "excluded_dates": [],
                "starts_on": starts_on,
                "ends_on": date(year_start.year + 1, 5, 31),
                "seats": seats,
                "seats_taken": 0,  # seats are taken only by real enrollments
                "price_per_lesson_minor": price,
                "enrollment_open": True,
                "created_at": now,
            }
            terms = Group(**group_row).terms()
            group_row["certified_terms"] = terms if program["certified_at"] else None
            yield group_row
