"""The rush's world, made in the database before the load starts (setup may use the domain).

One municipality ("rush") with an open funding period; two admitted providers, each with
an API key for its e-journal; ten popular certified programs with one group each (the
seats add up to `seats`); groups already running whose children the providers mark
through the provider API during the rush; and `parents` families: a parent whose address
is confirmed, one verified child, a funded certificate, and (for most) a session that
was opened before the morning of the rush, as a browser keeps one for 14 days.

Everything a simulated parent needs to act like a person (their e-mail and password,
their session cookie, which program they want) is written to a JSON file the load reads.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

from sqlalchemy.engine import Engine

from navigator.domain.accounts import api as accounts_api
from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.children import add_child
from navigator.domain.accounts.models import Role
from navigator.domain.accounts.signin import start_session
from navigator.domain.certificates.api import fund_certificate, issue_certificate
from navigator.domain.certificates.verification import Identity, decide_request, request_identity
from navigator.domain.enrollment.api import accept_application, apply_to_group
from navigator.domain.funding.models import PeriodStatus
from navigator.domain.funding.nominal import add_nominal_rule
from navigator.domain.funding.periods import create_period
from navigator.domain.municipalities.api import create_municipality
from navigator.domain.municipalities.models import MunicipalityPolicy
from navigator.domain.programs.api import ProgramFields, create_group, create_program
from navigator.domain.programs.certification import set_certification
from navigator.domain.programs.models import CertificationStatus
from navigator.domain.programs.timetable import lesson_dates
from navigator.domain.providers.api import admit_provider, create_provider
from navigator.domain.providers.apikeys import create_api_key
from navigator.domain.shared.calendar import local_today
from navigator.domain.shared.db import read_session, transaction
from navigator.domain.shared.models import utcnow
from seed.demo import school_year
from seed.identifiers import snils

SYSTEM = Actor.system()
PASSWORD = "rush password 2026"  # noqa: S105 (the bench's own throwaway accounts)
TOWN_CODE = "rush"
PRICE = 50_000  # kopecks a lesson
NOMINAL = 2_000_000
# What parents type to find each popular program, and its title: real words, so the
# catalog's search (Meilisearch, or the SQL fallback) has to find them among the others.
POPULAR = [
    ("робототехника", "Робототехника Лего для младших"),
    ("шахматы", "Шахматы: первый разряд"),
    ("плавание", "Плавание в бассейне «Дельфин»"),
    ("программирование", "Программирование на Python"),
    ("танцы", "Современные танцы"),
    ("английский", "Английский язык через игру"),
    ("рисование", "Рисование и живопись"),
    ("футбол", "Футбол для мальчиков и девочек"),
    ("гитара", "Гитара с нуля"),
    ("театр", "Детский театр «Маска»"),
]
RUNNING_GROUPS_PER_PROVIDER = 3
RUNNING_CHILDREN_PER_GROUP = 30  # a register of 30 is one save


@dataclass
class Parent:
    email: str
    child_id: int
    child_name: str
    session_token: str  # "" for a parent who signs in through the form during the rush
    wants: int  # index into World.programs


@dataclass
class Program:
    id: int
    group_id: int
    seats: int
    query: str
    title: str
    provider: int  # index into World.providers


@dataclass
class Provider:
    id: int
    api_key: str
    running: list[dict] = field(default_factory=list)  # {"enrollments": [...], "dates": [...]}


@dataclass
class World:
    password: str
    municipality_id: int
    programs: list[Program]
    providers: list[Provider]
    parents: list[Parent]

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), ensure_ascii=False))

    @classmethod
    def load(cls, path: Path) -> World:
        raw = json.loads(path.read_text())
        return cls(
            password=raw["password"],
            municipality_id=raw["municipality_id"],
            programs=[Program(**p) for p in raw["programs"]],
            providers=[Provider(**p) for p in raw["providers"]],
            parents=[Parent(**p) for p in raw["parents"]],
        )


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def build_world(
    engine: Engine,
    *,
    parents: int,
    seats: int = 300,
    groups: int = 10,
    form_sign_in_share: float = 0.2,
    seed: int = 2026,
) -> World:
    """The rush's municipality, providers, popular groups and families (see the module)."""
    rng = random.Random(seed)
    # every account shares one scrypt hash of the same password: the salt is per hash,
    # not per account, so 1 000 parents cost one hash (78 ms) instead of 1 000
    one_hash = accounts_api.hash_password(PASSWORD)
    with mock.patch.object(accounts_api, "hash_password", lambda _password: one_hash):
        return _build(engine, rng, parents, seats, groups, form_sign_in_share)


def _build(
    engine: Engine,
    rng: random.Random,
    parent_count: int,
    seats: int,
    group_count: int,
    form_sign_in_share: float,
) -> World:
    with transaction(engine) as s:
        town = create_municipality(
            s,
            code=TOWN_CODE,
            name="Рашгород",
            country="RU",
            currency="RUB",
            locale="ru",
            timezone="Europe/Moscow",
            policy=MunicipalityPolicy(max_funded_enrollments=3, absence_charge="none"),
        )
        today = local_today(town)
        first, last = school_year(today)
        period = create_period(
            s,
            SYSTEM,
            town.id,
            name=f"{first.year}/{last.year % 100:02d}",
            starts_on=first,
            ends_on=last,
            budget_minor=(parent_count + 1000) * NOMINAL,
            max_funded_certificates=parent_count + 1000,
            status=PeriodStatus.OPEN,
        )
        add_nominal_rule(s, SYSTEM, period.id, age_min=5, age_max=17, amount_minor=NOMINAL)
        town_id, period_id = town.id, period.id
        providers: list[tuple[int, Actor, str]] = []
        for n, name in enumerate(("Дом творчества «Рассвет»", "Школа «Полёт»")):
            provider = create_provider(s, municipality_id=town_id, name=name, kind="municipal")
            admit_provider(s, SYSTEM, provider.id)
            staff = Actor.user(
                create_user(
                    s,
                    f"staff{n}@rush.example",
                    PASSWORD,
                    roles=((Role.PROVIDER_STAFF, None, provider.id),),
                    email_confirmed=True,
                ).id
            )
            _key, secret = create_api_key(s, staff, provider.id, "e-journal")
            providers.append((provider.id, staff, secret))

    # the popular groups start next Monday and run to the end of the year's first half
    next_monday = today + timedelta(days=7 - today.weekday())
    popular: list[Program] = []
    for index, group_seats in enumerate(_split(seats, group_count)):
        query, title = POPULAR[index % len(POPULAR)]
        if index >= len(POPULAR):
            title = f"{title} ({index // len(POPULAR) + 1})"
        provider_index = index % len(providers)
        provider_id, staff, _secret = providers[provider_index]
        with transaction(engine) as s:
            program = create_program(
                s,
                staff,
                provider_id,
                ProgramFields(
                    title=title,
                    direction="technical",
                    age_min=5,
                    age_max=17,
                    language="ru",
                    description=f"{title}: набор на новый сезон.",
                ),
            )
            group = create_group(
                s,
                staff,
                program.id,
                name="Основная группа",
                timetable=[{"weekday": d, "start": "16:00", "end": "17:30"} for d in (1, 3)],
                starts_on=next_monday,
                ends_on=next_monday + timedelta(weeks=12),
                seats=group_seats,
                price_per_lesson_minor=PRICE,
                today=today,
            )
            popular.append(Program(program.id, group.id, group_seats, query, title, provider_index))
        _certify(engine, staff, program.id)

    # groups that started four weeks ago: the providers keep their registers meanwhile
    started = today - timedelta(days=28 + today.weekday())
    running_groups: list[tuple[int, int, list[date]]] = []  # (provider index, group, dates)
    for provider_index, (provider_id, staff, _secret) in enumerate(providers):
        with transaction(engine) as s:
            program = create_program(
                s,
                staff,
                provider_id,
                ProgramFields(
                    title="Керамика (идёт набор закрыт)",
                    direction="artistic",
                    age_min=5,
                    age_max=17,
                    language="ru",
                ),
            )
            program_id = program.id
            for g in range(RUNNING_GROUPS_PER_PROVIDER):
                group = create_group(
                    s,
                    staff,
                    program_id,
                    name=f"Группа {g + 1}",
                    timetable=[{"weekday": d, "start": "15:00", "end": "16:00"} for d in (1, 3, 5)],
                    starts_on=started,
                    ends_on=started + timedelta(weeks=16),
                    seats=RUNNING_CHILDREN_PER_GROUP,
                    price_per_lesson_minor=PRICE,
                    today=started,
                )
                dates = [d for d in lesson_dates(group, started) if d < today]
                running_groups.append((provider_index, group.id, dates))
        _certify(engine, staff, program_id)

    serial = iter(range(1, 10_000_000))
    running_children: dict[int, list[int]] = {}
    for provider_index, group_id, _dates in running_groups:
        enrollments = []
        for _ in range(RUNNING_CHILDREN_PER_GROUP):
            with transaction(engine) as s:
                n = next(serial)
                parent, child_id, _name = _family(
                    s, town_id, period_id, started, n, f"family{n}@rush.example"
                )
            with transaction(engine) as s:  # its own request, as on screen (and the lock order)
                enrollments.append(apply_to_group(s, parent, child_id, group_id, today=started).id)
        staff = providers[provider_index][1]
        for enrollment_id in enrollments:
            with transaction(engine) as s:
                accept_application(s, staff, enrollment_id, today=started)
        running_children[group_id] = enrollments

    families: list[Parent] = []
    now = utcnow()
    for n in range(parent_count):
        with transaction(engine) as s:
            parent, child_id, child_name = _family(
                s, town_id, period_id, today, next(serial), f"parent{n}@rush.example"
            )
            assert parent.user_id is not None
            opened = now - timedelta(days=rng.randint(1, 10))  # a session a few days old
            token = (
                ""
                if rng.random() < form_sign_in_share
                else start_session(s, parent.user_id, opened).token
            )
            families.append(
                Parent(
                    email=f"parent{n}@rush.example",
                    child_id=child_id,
                    child_name=child_name,
                    session_token=token,
                    # some programs are more wanted than others: the first ones most
                    wants=min(int(rng.expovariate(1 / 3)), len(popular) - 1),
                )
            )

    return World(
        password=PASSWORD,
        municipality_id=town_id,
        programs=popular,
        providers=[
            Provider(
                id=provider_id,
                api_key=secret,
                running=[
                    {"group_id": group_id, "enrollments": running_children[group_id],
                     "dates": [d.isoformat() for d in dates]}
                    for p, group_id, dates in running_groups
                    if p == index
                ],
            )
            for index, (provider_id, _staff, secret) in enumerate(providers)
        ],
        parents=families,
    )  # fmt: skip


def _certify(engine: Engine, staff: Actor, program_id: int) -> None:
    with transaction(engine) as s:  # certified once its groups and prices exist
        set_certification(s, staff, program_id, CertificationStatus.SUBMITTED)
    with transaction(engine) as s:
        set_certification(s, SYSTEM, program_id, CertificationStatus.CERTIFIED)


def _family(
    s, town_id: int, period_id: int, today: date, n: int, email: str
) -> tuple[Actor, int, str]:
    """A parent (address confirmed) with one verified child whose certificate is funded."""
    user = create_user(
        s,
        email,
        PASSWORD,
        roles=((Role.PARENT, None, None),),
        email_confirmed=True,
    )
    parent = Actor.user(user.id)
    child = add_child(
        s,
        parent,
        guardian_id=user.id,
        municipality_id=town_id,
        first_name="Аня",
        last_name=f"Рашева {n}",
        birth_date=date(today.year - 9, 3, 15),
    )
    request = request_identity(
        s, parent, child.id, Identity(child.first_name, child.last_name, child.birth_date, snils(n))
    )
    decide_request(s, SYSTEM, request.id, "approve")
    certificate = issue_certificate(s, parent, child.id, today=today)
    fund_certificate(s, parent, certificate.id, period_id, today=today)
    return parent, child.id, f"{child.first_name} {child.last_name}"


def catalog_size(engine: Engine) -> int:
    from navigator.domain.programs.queries import count_catalog_programs

    with read_session(engine) as s:
        return count_catalog_programs(s)
