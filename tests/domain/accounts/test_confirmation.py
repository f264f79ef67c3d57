"""An e-mail address is confirmed by the link mailed to it before a parent requests a
certificate or a provider is admitted; the links are limited per account."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.children import add_child
from navigator.domain.accounts.confirmation import (
    MAX_LINKS_PER_WINDOW,
    confirm_email,
    send_confirmation,
)
from navigator.domain.accounts.models import User
from navigator.domain.accounts.signin import register_parent
from navigator.domain.certificates.api import request_certificate
from navigator.domain.providers.api import admit_provider, register_provider
from navigator.domain.providers.models import Provider
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict, InvalidInput, TooManyAttempts
from navigator.domain.shared.models import OutgoingMail, utcnow
from seed.identifiers import snils
from tests.domain.cabinet import _admin
from tests.factories import PASSWORD, World, build_world

APP = "https://navigator.example"


def _token(world: World, email: str) -> str:
    with read_session(world.engine) as s:
        letters = s.exec(select(OutgoingMail).where(OutgoingMail.recipient == email)).all()
    return letters[-1].body.split("token=")[1].split()[0]


def _new_parent(world: World, email: str) -> int:
    with world.tx() as s:
        signed_in = register_parent(s, email, PASSWORD, PASSWORD)
        send_confirmation(s, signed_in.user_id, app_url=APP)
    return signed_in.user_id


def test_a_certificate_is_requested_only_from_a_confirmed_address(engine):
    world = build_world(engine)
    user_id = _new_parent(world, "mama@example.org")
    parent = Actor.user(user_id)
    with world.tx() as s:
        child_id = add_child(
            s,
            parent,
            guardian_id=user_id,
            municipality_id=world.municipality_id,
            first_name="Вера",
            last_name="Новая",
            birth_date=date(2016, 4, 1),
        ).id
    with pytest.raises(Conflict) as refused, world.tx() as s:
        request_certificate(s, parent, child_id, national_id=snils(300), today=world.today)
    assert refused.value.code == "email_not_confirmed"

    with world.tx() as s:
        assert confirm_email(s, _token(world, "mama@example.org")) == user_id
    with world.tx() as s:
        outcome = request_certificate(
            s, parent, child_id, national_id=snils(300), today=world.today
        )
    assert outcome.waiting is not None  # on to the municipality's verification


def test_a_link_works_once_and_not_after_it_expires(engine):
    world = build_world(engine)
    user_id = _new_parent(world, "papa@example.org")
    token = _token(world, "papa@example.org")
    with pytest.raises(InvalidInput), world.tx() as s:
        confirm_email(s, token, now=utcnow() + timedelta(days=3))
    with world.tx() as s:
        confirm_email(s, token)
    with world.tx() as s:  # opening it again (a mail scanner, a second click) changes nothing
        confirm_email(s, token)
    for bad in ("", "forged", None, 7, "x" * 500):
        with pytest.raises(InvalidInput), world.tx() as s:
            confirm_email(s, bad)
    with read_session(engine) as s:
        assert s.get(User, user_id).email_verified_at is not None
    with world.tx() as s:  # confirmed: no more letters
        send_confirmation(s, user_id, app_url=APP)
    with read_session(engine) as s:
        sent = s.exec(select(OutgoingMail).where(OutgoingMail.recipient == "papa@example.org"))
        assert len(sent.all()) == 1


def test_links_are_limited_per_account(engine):
    world = build_world(engine)
    user_id = _new_parent(world, "flood@example.org")  # the first link
    for _ in range(MAX_LINKS_PER_WINDOW - 1):
        with world.tx() as s:
            send_confirmation(s, user_id, app_url=APP)
    with pytest.raises(TooManyAttempts), world.tx() as s:
        send_confirmation(s, user_id, app_url=APP)
    with read_session(engine) as s:
        sent = s.exec(select(OutgoingMail).where(OutgoingMail.recipient == "flood@example.org"))
        assert len(sent.all()) == MAX_LINKS_PER_WINDOW


def test_a_provider_is_admitted_once_its_owner_confirmed_the_address(engine):
    world = build_world(engine)
    admin = _admin(world)
    with world.tx() as s:
        signed_in = register_provider(
            s,
            email="owner@studio.example",
            password=PASSWORD,
            password_again=PASSWORD,
            organisation="Студия",
            kind="private",
            licence_number="L-1",
            municipality_id=world.municipality_id,
        )
        send_confirmation(s, signed_in.user_id, app_url=APP)
        provider_id = s.exec(select(Provider.id).where(Provider.name == "Студия")).one()
    with pytest.raises(Conflict) as refused, world.tx() as s:
        admit_provider(s, admin, provider_id)
    assert refused.value.code == "provider_email_not_confirmed"
    with world.tx() as s:
        confirm_email(s, _token(world, "owner@studio.example"))
    with world.tx() as s:
        admit_provider(s, admin, provider_id)
    with read_session(engine) as s:
        assert s.get(Provider, provider_id).admitted
