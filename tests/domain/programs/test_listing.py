"""The provider's own switch: pause a program, resume it, archive it once nobody is enrolled."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role
from navigator.domain.enrollment.api import accept_application, cancel_enrollment
from navigator.domain.programs.api import (
    ProgramFields,
    create_group,
    set_enrollment_open,
    set_listing,
    update_group,
    update_program,
)
from navigator.domain.programs.certification import set_certification
from navigator.domain.programs.models import CertificationStatus, Program
from navigator.domain.programs.queries import public_program
from navigator.domain.providers.api import create_provider
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from search.relay import drain, make_client
from tests.factories import build_world
from tests.support.invariants import assert_ledger_invariants

FIELDS = ProgramFields(
    title="Робототехника", direction="technical", age_min=7, age_max=14, language="ru"
)


def _listing(world) -> str:
    with read_session(world.engine) as s:
        return s.get(Program, world.program_id).listing


def test_a_paused_program_leaves_the_catalog_and_takes_no_applications_but_contracts_run_on(
    engine,
):
    world = build_world(engine)
    seated = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, seated, today=world.today)
    with world.tx() as s:
        set_listing(s, world.provider_user, world.program_id, "suspended")
    with pytest.raises(NotFound), read_session(engine) as s:
        public_program(s, world.program_id, world.today)
    parent2, child2, _cert, _acc = world.add_parent_with_child()
    with pytest.raises(NotFound):  # out of the catalog, like a program that never was
        world.apply(child_id=child2, parent=parent2)
    with world.tx() as s:  # the child already enrolled keeps the place and the hold
        set_listing(s, world.provider_user, world.program_id, "listed")
    with read_session(engine) as s:
        assert public_program(s, world.program_id, world.today).id == world.program_id
    assert_ledger_invariants(engine)


def test_archiving_waits_until_no_child_is_enrolled_and_then_freezes_the_program(engine):
    world = build_world(engine)
    enrollment_id = world.apply()
    with pytest.raises(Conflict) as raised, world.tx() as s:
        set_listing(s, world.provider_user, world.program_id, "archived")  # listed: pause first
    assert raised.value.code == "listing_transition"
    with world.tx() as s:
        set_listing(s, world.provider_user, world.program_id, "suspended")
    with pytest.raises(Conflict) as raised, world.tx() as s:
        set_listing(s, world.provider_user, world.program_id, "archived")
    assert raised.value.code == "archive_with_children"
    with world.tx() as s:
        cancel_enrollment(s, world.parent, enrollment_id)
    with world.tx() as s:
        set_listing(s, world.provider_user, world.program_id, "archived")
    assert _listing(world) == "archived"

    frozen = [
        lambda s: update_program(
            s, world.provider_user, world.program_id, replace(FIELDS, title="Новое")
        ),
        lambda s: set_enrollment_open(s, world.provider_user, world.group_id, False),
        lambda s: update_group(s, world.provider_user, world.group_id, name="X"),
        lambda s: set_certification(
            s, world.provider_user, world.program_id, CertificationStatus.SUBMITTED
        ),
        lambda s: create_group(
            s,
            world.provider_user,
            world.program_id,
            name="Новая",
            timetable=[{"weekday": 1, "start": "10:00", "end": "11:00"}],
            starts_on=world.today,
            ends_on=date(world.today.year + 1, 1, 1),
            seats=5,
            price_per_lesson_minor=100,
        ),
    ]
    for call in frozen:
        with pytest.raises(Conflict), world.tx() as s:
            call(s)
    with read_session(engine) as s:
        assert s.get(Program, world.program_id).title == "Робототехника"
    with world.tx() as s:  # restoring brings it back paused, editable, still out of the catalog
        set_listing(s, world.provider_user, world.program_id, "suspended")
    with world.tx() as s:  # each request its own transaction, as on screen
        update_program(s, world.provider_user, world.program_id, replace(FIELDS, title="Новое"))
    assert _listing(world) == "suspended"


@pytest.mark.parametrize("bad", ["deleted", "", None, 3, ["listed"]])
def test_an_unknown_listing_changes_nothing(engine, bad):
    world = build_world(engine)
    with pytest.raises(InvalidInput), world.tx() as s:
        set_listing(s, world.provider_user, world.program_id, bad)
    assert _listing(world) == "listed"


def test_another_provider_cannot_pause_or_archive(engine):
    world = build_world(engine)
    with world.tx() as s:
        other = create_provider(s, municipality_id=world.municipality_id, name="X", kind="private")
        user = create_user(
            s,
            "intruder@example.org",
            "intruder-pass-1",
            roles=((Role.PROVIDER_OWNER, None, other.id),),
        )
    for actor in (Actor.user(user.id), world.parent):
        for target in ("suspended", "archived"):
            with pytest.raises(NotFound), world.tx() as s:
                set_listing(s, actor, world.program_id, target)
    with pytest.raises(NotFound), world.tx() as s:
        set_listing(s, world.provider_user, 10**9, "suspended")
    assert _listing(world) == "listed"


def test_pausing_takes_the_program_out_of_search_and_resuming_puts_it_back(engine, meili_server):
    client = make_client(meili_server.url, meili_server.master_key)
    uid = "programs_listing_test"
    world = build_world(engine, today=date.today())
    try:
        drain(engine, client, uid=uid)
        assert [h["id"] for h in client.index(uid).search("Робототехника")["hits"]] == [
            world.program_id
        ]
        with world.tx() as s:
            set_listing(s, world.provider_user, world.program_id, "suspended")
        drain(engine, client, uid=uid)
        assert client.index(uid).search("Робототехника")["hits"] == []
        with world.tx() as s:
            set_listing(s, world.provider_user, world.program_id, "listed")
        drain(engine, client, uid=uid)
        assert [h["id"] for h in client.index(uid).search("Робототехника")["hits"]] == [
            world.program_id
        ]
    finally:
        client.delete_index(uid)
