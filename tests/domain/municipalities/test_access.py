"""The municipality's cabinet: only its own administrators reach it.

Every operation of the cabinet, wherever its concept put it (funding, municipalities, programs,
providers), is called by another town's admin, a parent and a provider of the town: each is
refused as if the row did not exist, and the town's own admin gets through.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import ModuleType

import pytest
from sqlmodel import Session

from navigator.domain.accounts.access import Actor
from navigator.domain.certificates import api as certificates_api
from navigator.domain.certificates import verification
from navigator.domain.funding import nominal, periods, reports
from navigator.domain.funding.nominal import NominalRow
from navigator.domain.municipalities import api as municipality_api
from navigator.domain.municipalities import queries as municipality_queries
from navigator.domain.programs import certification
from navigator.domain.programs.models import CertificationStatus
from navigator.domain.providers import api as provider_api
from navigator.domain.providers import queries as provider_queries
from navigator.domain.shared.db import read_session
from navigator.domain.shared.models import AuditEvent
from tests.domain.cabinet import NEXT_YEAR, Target, _admin, _count, _operator, _outcome, _target
from tests.factories import SYSTEM, build_world

Call = Callable[[Session, Actor, Target], object]
REGISTRY = "national_id,birth_date,category,guardian_email\n900-000-042 91,2016-04-01,base,a@b.lt"

GUARDED: dict[str, Call] = {
    "funding.periods.create_period": lambda s, a, t: periods.create_period(
        s,
        a,
        t.municipality_id,
        name="2027/28",
        starts_on=NEXT_YEAR[0],
        ends_on=NEXT_YEAR[1],
        budget_minor=50_000_000,
        max_funded_certificates=500,
    ),
    "funding.periods.close_period": lambda s, a, t: periods.close_period(s, a, t.period_id),
    "funding.periods.period_for_admin": lambda s, a, t: periods.period_for_admin(s, a, t.period_id),
    "funding.periods.periods_of": lambda s, a, t: periods.periods_of(s, a, t.municipality_id),
    "funding.periods.period_figures": lambda s, a, t: periods.period_figures(s, a, t.period_id),
    "funding.periods.update_period": lambda s, a, t: periods.update_period(
        s, a, t.period_id, name="Renamed", budget_minor=200_000_000, max_funded_certificates=2000
    ),
    "funding.periods.open_period": lambda s, a, t: periods.open_period(s, a, t.period_id),
    "funding.periods.closing_preview": lambda s, a, t: periods.closing_preview(s, a, t.period_id),
    "funding.nominal.add_nominal_rule": lambda s, a, t: nominal.add_nominal_rule(
        s, a, t.period_id, age_min=5, age_max=17, amount_minor=900_000, category="large_family"
    ),
    "funding.nominal.nominal_table": lambda s, a, t: nominal.nominal_table(s, a, t.period_id),
    "funding.nominal.set_nominal_table": lambda s, a, t: nominal.set_nominal_table(
        s,
        a,
        t.period_id,
        category="base",
        effective_from=t.today,
        rows=[NominalRow(5, 17, 900_000)],
        today=t.today,
    ),
    "municipalities.api.set_policy": lambda s, a, t: municipality_api.set_policy(
        s,
        a,
        t.municipality_id,
        max_funded_enrollments=4,
        absence_charge="full",
        prorate_late_start=True,
        attendance_correction_days=10,
    ),
    "municipalities.api.set_waitlist_priority": lambda s, a, t: (
        municipality_api.set_waitlist_priority(
            s, a, t.municipality_id, [["disability"], ["large_family"]]
        )
    ),
    "municipalities.api.create_admin": lambda s, a, t: municipality_api.create_admin(
        s, a, email="new.admin@example.org", municipality_code=t.code
    ),
    "municipalities.queries.municipality_for_admin": (
        lambda s, a, t: municipality_queries.municipality_for_admin(s, a, t.municipality_id)
    ),
    "municipalities.queries.policy_for_admin": (
        lambda s, a, t: municipality_queries.policy_for_admin(s, a, t.municipality_id)
    ),
    "municipalities.queries.audit_log": lambda s, a, t: municipality_queries.audit_log(
        s, a, t.municipality_id
    ),
    "providers.queries.admission_queue": lambda s, a, t: provider_queries.admission_queue(
        s, a, t.municipality_id
    ),
    "programs.certification.certification_queue": (
        lambda s, a, t: certification.certification_queue(s, a, t.municipality_id)
    ),
    "programs.certification.listed_programs": (
        lambda s, a, t: certification.listed_programs(s, a, t.municipality_id)
    ),
    "programs.certification.reinstate": lambda s, a, t: (
        certification.set_certification(
            s, a, t.program_id, CertificationStatus.SUSPENDED, reason="Complaint"
        ),
        certification.reinstate(s, a, t.program_id),
    ),
    "certificates.verification.verification_queue": (
        lambda s, a, t: verification.verification_queue(s, a, t.municipality_id)
    ),
    "certificates.verification.decide_request": (
        lambda s, a, t: verification.decide_request(s, a, t.request_id, "approve")
    ),
    "certificates.verification.import_registry": (
        lambda s, a, t: verification.import_registry(s, a, t.municipality_id, REGISTRY)
    ),
    "certificates.api.decide_verification": (
        lambda s, a, t: certificates_api.decide_verification(s, a, t.request_id, "approve")
    ),
    "certificates.api.import_registry": (
        lambda s, a, t: certificates_api.import_registry(s, a, t.municipality_id, REGISTRY)
    ),
    "programs.certification.decide_certification": (
        lambda s, a, t: certification.decide_certification(
            s, a, t.program_id, "suspend", reason="Licence lapsed"
        )
    ),
    # the municipality's moves through it; submitting, the provider's own move, is not here
    "programs.certification.set_certification": lambda s, a, t: certification.set_certification(
        s, a, t.program_id, CertificationStatus.SUSPENDED, reason="Licence lapsed"
    ),
    **{
        f"funding.reports.build:{name}": (
            lambda s, a, t, name=name: reports.build(s, a, name, t.period_id)
        )
        for name in reports.REPORTS
    },
    "providers.api.admit_provider": lambda s, a, t: provider_api.admit_provider(
        s, a, t.waiting_provider_id
    ),
    "providers.api.refuse_admission": lambda s, a, t: provider_api.refuse_admission(
        s, a, t.waiting_provider_id, reason="No licence attached"
    ),
}

# What navigator/domain/municipality.py was split into: each public function of these modules
# that takes an actor is in GUARDED, or here in NOT_GUARDED with the reason it refuses nobody.
CABINET_MODULES = (
    periods,
    nominal,
    municipality_api,
    municipality_queries,
    provider_queries,
    certification,
    verification,
)

NOT_GUARDED = {
    "municipalities.queries.municipalities_of": (
        "lists the actor's own municipalities instead of refusing"
    ),
    "providers.queries.providers_of": "lists the actor's own providers instead of refusing",
    **{
        f"certificates.verification.{name}": (
            "the guardian's own request: anyone else is refused (certificates/test_verification)"
        )
        for name in (
            "request_identity",
            "request_identity_change",
            "request_category",
            "latest_requests",
        )
    },
}


def _key(module: ModuleType, name: str) -> str:
    """A function's name in the table: its module's path below navigator.domain, then its own."""
    return f"{module.__name__.removeprefix('navigator.domain.')}.{name}"


def test_every_public_function_of_the_cabinet_is_in_the_access_table():
    public = {
        _key(module, name)
        for module in CABINET_MODULES
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__
        and not name.startswith("_")
        and "actor" in inspect.signature(function).parameters
    }
    scanned = tuple(_key(module, "") for module in CABINET_MODULES)
    in_table = {key for key in GUARDED if key.startswith(scanned)}
    assert public == in_table | NOT_GUARDED.keys()
    assert not in_table & NOT_GUARDED.keys()
    built = {
        key.removeprefix("funding.reports.build:")
        for key in GUARDED
        if key.startswith("funding.reports.")
    }
    assert built == set(reports.REPORTS) and len(built) == 6


@pytest.mark.parametrize("name", list(GUARDED))
def test_nobody_but_the_municipalitys_own_admin_reaches_it(engine, name):
    call = GUARDED[name]
    home, away = build_world(engine), build_world(engine)
    target = _target(away)
    outsiders = {
        "admin of another municipality": _admin(home),
        "parent of the town": away.parent,
        "provider staff of the town": away.provider_user,
    }
    events_before = _count(away, AuditEvent)

    outcomes = {
        who: _outcome(away, lambda s, actor=actor: call(s, actor, target))
        for who, actor in outsiders.items()
    }

    assert outcomes == dict.fromkeys(outsiders, "not_found")
    assert _count(away, AuditEvent) == events_before
    # the very same call goes through for the town's own admin (the operator names admins)
    allowed = _operator(away) if name == "municipalities.api.create_admin" else _admin(away)
    assert _outcome(away, lambda s: call(s, allowed, target)) == "ok"


def test_municipalities_of_lists_the_admins_own_town_and_every_town_for_the_operator(engine):
    home, away = build_world(engine), build_world(engine)
    admin, operator = _admin(home), _operator(home)
    with read_session(engine) as s:
        listed = {
            who: [m.id for m in municipality_queries.municipalities_of(s, actor)]
            for who, actor in {
                "admin": admin,
                "operator": operator,
                "system": SYSTEM,
                "parent": home.parent,
                "staff": home.provider_user,
            }.items()
        }
    both = sorted([home.municipality_id, away.municipality_id])
    assert listed == {
        "admin": [home.municipality_id],
        "operator": both,
        "system": both,
        "parent": [],
        "staff": [],
    }
