"""Nominal values: what a certificate is credited, by age and category, from a date on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor, check_municipality_admin
from navigator.domain.accounts.models import ChildCategory
from navigator.domain.certificates.models import CertificateAccount
from navigator.domain.funding.models import FundingPeriod, NominalRule, PeriodStatus
from navigator.domain.funding.periods import period_for_admin
from navigator.domain.municipalities.models import Municipality
from navigator.domain.shared import audit
from navigator.domain.shared.calendar import local_today
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from navigator.domain.shared.validation import (
    check_age_range,
    check_choice,
    check_date,
    check_positive,
)


def add_nominal_rule(
    session: Session,
    actor: Actor,
    period_id: int,
    *,
    age_min: int,
    age_max: int,
    amount_minor: int,
    category: str = ChildCategory.BASE,
    effective_from: date | None = None,
) -> NominalRule:
    """A new rule applies to certificates funded from its date on; credited money never changes."""
    period = get_row(session, FundingPeriod, period_id)
    if period is None:
        raise NotFound()
    check_municipality_admin(session, actor, period.municipality_id)
    check_age_range(age_min, age_max)
    if effective_from is not None:
        check_date(effective_from, "effective_from")
    rule = NominalRule(
        period_id=period_id,
        age_min=age_min,
        age_max=age_max,
        category=check_choice(category, "category", ChildCategory),
        amount_minor=check_positive(amount_minor, "nominal"),
        effective_from=effective_from or period.starts_on,
    )
    session.add(rule)
    session.flush()
    return rule


def nominal_for(
    session: Session, period: FundingPeriod, age: int, category: str, on: date
) -> NominalRule | None:
    """The rule in force on `on` for this age and category; the base category when none.

    The rules of a category with one effective date form a table; the latest table in force
    replaces the earlier ones entirely (an age it leaves out has no nominal in that category).
    """
    for wanted in dict.fromkeys((category, ChildCategory.BASE)):
        in_force = session.exec(
            select(func.max(NominalRule.effective_from)).where(
                NominalRule.period_id == period.id,
                NominalRule.category == wanted,
                NominalRule.effective_from <= on,
            )
        ).one()
        if in_force is None:
            continue
        rule = session.exec(
            select(NominalRule)
            .where(
                NominalRule.period_id == period.id,
                NominalRule.category == wanted,
                NominalRule.effective_from == in_force,
                NominalRule.age_min <= age,
                NominalRule.age_max >= age,
            )
            .order_by(col(NominalRule.id).desc())
        ).first()
        if rule is not None:
            return rule
    return None


MAX_NOMINAL_ROWS = 20


@dataclass(frozen=True)
class NominalRow:
    age_min: int
    age_max: int
    amount_minor: int


def nominal_table(session: Session, actor: Actor, period_id: int) -> list[NominalRule]:
    """Every rule of the period: by category, then effective date, then age."""
    period_for_admin(session, actor, period_id)
    return list(
        session.exec(
            select(NominalRule)
            .where(NominalRule.period_id == period_id)
            .order_by(
                col(NominalRule.category),
                col(NominalRule.effective_from),
                col(NominalRule.age_min),
            )
        ).all()
    )


def set_nominal_table(
    session: Session,
    actor: Actor,
    period_id: int,
    *,
    category: str,
    effective_from: date,
    rows: list[NominalRow],
    today: date | None = None,
) -> list[NominalRule]:
    """The nominal by age for one category from a date on: ranges that touch, no gaps.

    It applies to certificates funded from `effective_from` (never earlier than today), and
    replaces the table of the same date unless a certificate was already funded by it.
    Money already credited never changes.
    """
    period = period_for_admin(session, actor, period_id, lock=True)
    if period.status == PeriodStatus.CLOSED:
        raise Conflict("period_closed")
    category = check_choice(category, "category", ChildCategory)
    check_date(effective_from, "effective_from")
    municipality = get_row(session, Municipality, period.municipality_id)
    assert municipality is not None
    today = today or local_today(municipality)
    if not period.starts_on <= effective_from <= period.ends_on:
        raise InvalidInput("effective_outside_period")
    if effective_from < today:
        raise InvalidInput("effective_in_past")
    if not rows:
        raise InvalidInput("nominal_table_empty")
    if len(rows) > MAX_NOMINAL_ROWS:
        raise InvalidInput("nominal_table_too_long", max=MAX_NOMINAL_ROWS)
    cleaned = []
    for row in rows:
        check_age_range(row.age_min, row.age_max)
        cleaned.append(
            NominalRow(row.age_min, row.age_max, check_positive(row.amount_minor, "nominal"))
        )
    cleaned.sort(key=lambda r: (r.age_min, r.age_max))
    for before, after in pairwise(cleaned):
        if after.age_min <= before.age_max:
            raise InvalidInput(
                "age_ranges_overlap",
                first=f"{before.age_min}–{before.age_max}",
                second=f"{after.age_min}–{after.age_max}",
            )
        if after.age_min > before.age_max + 1:
            raise InvalidInput("age_ranges_gap", start=before.age_max + 1, end=after.age_min - 1)
    same_date = select(NominalRule.id).where(
        NominalRule.period_id == period.id,
        NominalRule.category == category,
        NominalRule.effective_from == effective_from,
    )
    used = session.exec(
        select(CertificateAccount.id).where(col(CertificateAccount.nominal_rule_id).in_(same_date))
    ).first()
    if used is not None:
        raise Conflict("nominal_table_in_use")
    replaced = [
        {"age_min": r.age_min, "age_max": r.age_max, "amount_minor": r.amount_minor}
        for r in session.exec(select(NominalRule).where(col(NominalRule.id).in_(same_date))).all()
    ]
    session.exec(delete(NominalRule).where(col(NominalRule.id).in_(same_date)))  # type: ignore[call-overload]
    assert period.id is not None
    rules = [
        NominalRule(
            period_id=period.id,
            category=category,
            effective_from=effective_from,
            age_min=r.age_min,
            age_max=r.age_max,
            amount_minor=r.amount_minor,
        )
        for r in cleaned
    ]
    session.add_all(rules)
    audit.record(
        session,
        actor,
        period.municipality_id,
        "nominal.set",
        "period",
        period.id,
        payload={
            "category": category,
            "effective_from": effective_from.isoformat(),
            "rows": [
                {"age_min": r.age_min, "age_max": r.age_max, "amount_minor": r.amount_minor}
                for r in cleaned
            ],
            "replaced": replaced,
        },
    )
    session.flush()
    return rules
