"""Offline enrollment: the desk prepares, the parent confirms, only then money moves."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from navigator.domain.accounts.models import Child
from navigator.domain.certificates.models import Certificate, CertificateAccount, LedgerEntry
from navigator.domain.certificates.numbers import format_certificate_number
from navigator.domain.enrollment.models import Enrollment, EnrollmentOffer
from navigator.domain.enrollment.offers import (
    confirm_offer,
    decline_offer,
    offer_enrollment,
    offers_for_guardian,
)
from navigator.domain.municipalities.models import Municipality
from navigator.domain.shared.calendar import local_today
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from tests.domain.providers.test_providers import _other_provider
from tests.factories import build_world


def _number_and_birth(world) -> tuple[str, date]:
    with read_session(world.engine) as s:
        certificate = s.exec(
            select(Certificate).where(Certificate.child_id == world.child_id)
        ).one()
        return format_certificate_number(certificate.number), s.get(
            Child, world.child_id
        ).birth_date


def _offer(world, number, born, actor=None):
    with world.tx() as s:
        return offer_enrollment(s, actor or world.provider_user, world.group_id, number, born).id


def test_no_money_moves_until_the_parent_confirms(engine):
    world = build_world(engine, today=date.today())  # the services below use the real clock
    number, born = _number_and_birth(world)
    offer_id = _offer(world, number, born)
    with read_session(engine) as s:
        assert s.exec(select(Enrollment)).all() == []
        assert [e.kind for e in s.exec(select(LedgerEntry)).all()] == ["credit"]
        (view,) = offers_for_guardian(s, world.parent)
        assert view.quote is not None and view.quote.certificate_share_minor > 0
    with world.tx() as s:
        enrollment_id = confirm_offer(s, world.parent, offer_id)
    with read_session(engine) as s:
        enrollment = s.get(Enrollment, enrollment_id)
        assert enrollment.status == "accepted" and enrollment.held_minor > 0
        account = s.exec(select(CertificateAccount)).one()
        assert account.held_minor == enrollment.held_minor
        assert offers_for_guardian(s, world.parent) == []
    with pytest.raises(Conflict), world.tx() as s:
        confirm_offer(s, world.parent, offer_id)


@pytest.mark.parametrize(
    ("number", "born", "code"),
    [
        ("1234", None, "certificate_number_format"),
        ("0000 0000 0001", None, "certificate_number_check_digit"),
        (None, date(2001, 1, 1), "certificate_not_matched"),
        ("0000 0000 0000", None, "certificate_not_matched"),
    ],
)
def test_a_wrong_number_or_birth_date_finds_nobody(engine, number, born, code):
    world = build_world(engine, today=date.today())  # the services below use the real clock
    real_number, real_born = _number_and_birth(world)
    with pytest.raises(InvalidInput) as refused:
        _offer(world, number or real_number, born or real_born)
    assert refused.value.code == code
    with read_session(engine) as s:
        assert s.exec(select(EnrollmentOffer)).all() == []


def test_other_providers_and_other_parents_get_not_found(engine):
    world = build_world(engine, today=date.today())  # the services below use the real clock
    number, born = _number_and_birth(world)
    with pytest.raises(NotFound):
        _offer(world, number, born, actor=_other_provider(world))
    offer_id = _offer(world, number, born)
    stranger, _child, _cert, _acc = world.add_parent_with_child()
    for call in (confirm_offer, decline_offer):
        with pytest.raises(NotFound), world.tx() as s:
            call(s, stranger, offer_id)
    with read_session(engine) as s:
        assert offers_for_guardian(s, stranger) == []
    with world.tx() as s:
        decline_offer(s, world.parent, offer_id)
    with read_session(engine) as s:
        assert s.get(EnrollmentOffer, offer_id).decision == "declined"
        assert s.exec(select(Enrollment)).all() == []


def test_one_pending_offer_per_child_and_group(engine):
    world = build_world(engine, today=date.today())  # the services below use the real clock
    number, born = _number_and_birth(world)
    _offer(world, number, born)
    with pytest.raises(Conflict):
        _offer(world, number, born)


def test_a_confirmation_is_held_to_the_terms_the_parent_read(engine):
    """Between reading the offer and confirming it, another acceptance took most of the
    balance: nothing is held, the parent is asked to read the new terms, and confirming
    those goes through."""
    from navigator.domain.enrollment.api import accept_application

    today = local_today(Municipality(timezone="Europe/Moscow"))  # the services' own today
    world = build_world(engine, today=today, nominal=60_000)
    number, born = _number_and_birth(world)
    offer_id = _offer(world, number, born)
    with read_session(engine) as s:
        (read,) = offers_for_guardian(s, world.parent)
    assert read.quote.certificate_share_minor == 60_000  # the whole balance, as the card says
    other_group = world.add_group(price=10_000)
    elsewhere = world.apply(group_id=other_group)
    with world.tx() as s:  # the provider accepts the child elsewhere: the balance shrinks
        accept_application(s, world.provider_user, elsewhere)

    with pytest.raises(Conflict) as refused, world.tx() as s:
        confirm_offer(s, world.parent, offer_id, shown=read.quote)
    assert refused.value.code == "terms_changed"
    with read_session(engine) as s:
        assert [e.id for e in s.exec(select(Enrollment)).all()] == [elsewhere]
        (fresh,) = offers_for_guardian(s, world.parent)
    assert fresh.quote.certificate_share_minor < read.quote.certificate_share_minor
    with world.tx() as s:
        enrollment_id = confirm_offer(s, world.parent, offer_id, shown=fresh.quote)
    with read_session(engine) as s:
        enrollment = s.get(Enrollment, enrollment_id)
        assert enrollment.certificate_share_minor == fresh.quote.certificate_share_minor
        assert enrollment.copayment_minor == fresh.quote.copayment_minor
