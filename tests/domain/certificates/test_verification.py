"""A certificate is funded only for a real, verified child: a registry match naming this
parent, or an official's approval; one certificate per national identifier."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import col, select

from navigator.domain.accounts import national_ids
from navigator.domain.accounts.children import add_child, update_child
from navigator.domain.accounts.models import Child
from navigator.domain.certificates.api import (
    decide_verification,
    import_registry,
    issue_certificate,
    request_certificate,
)
from navigator.domain.certificates.models import (
    Certificate,
    CertificateAccount,
    RegistryChild,
    VerificationRequest,
)
from navigator.domain.certificates.verification import (
    latest_requests,
    request_category,
    request_identity_change,
    verification_queue,
)
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from seed.identifiers import lithuanian_code, snils
from tests.domain.cabinet import _admin
from tests.factories import World, build_world

BORN = date(2016, 4, 1)


def _new_family(world: World, email_hint: str = "") -> tuple:
    """A parent account with no children yet, and its e-mail."""
    parent, child_id, _, _ = world.add_parent_with_child(fund=False)
    with read_session(world.engine) as s:
        guardian = s.get(Child, child_id).guardian_id
        from navigator.domain.accounts.models import User

        email = s.get(User, guardian).email
    return parent, email


def _child(world: World, parent, first="Пётр", last="Сидоров", born=BORN) -> int:
    with world.tx() as s:
        return add_child(
            s,
            parent,
            guardian_id=parent.user_id,
            municipality_id=world.municipality_id,
            first_name=first,
            last_name=last,
            birth_date=born,
        ).id


def _registry(world: World, *rows: tuple[str, date, str, str]) -> object:
    lines = ["national_id,birth_date,category,guardian_email"]
    lines += [f"{i},{b.isoformat()},{c},{e}" for i, b, c, e in rows]
    with world.tx() as s:
        return import_registry(s, _admin_of(world), world.municipality_id, "\n".join(lines))


def _admin_of(world: World):
    """The municipality's administrator, made once per world."""
    if not hasattr(world, "admin"):
        world.admin = _admin(world)
    return world.admin


def _queued(s, admin, world: World, child_id: int) -> list:
    queue = verification_queue(s, admin, world.municipality_id)
    return [item for item in queue if item.request.child_id == child_id]


def _request(world: World, parent, child_id: int, national_id: str):
    with world.tx() as s:
        return request_certificate(s, parent, child_id, national_id=national_id, today=world.today)


def _certificate(world: World, child_id: int) -> Certificate | None:
    with read_session(world.engine) as s:
        return s.exec(select(Certificate).where(Certificate.child_id == child_id)).first()


def test_a_registry_match_naming_this_parent_verifies_and_funds_at_once(engine):
    world = build_world(engine)
    parent, email = _new_family(world)
    child_id = _child(world, parent)
    code = snils(101)
    _registry(world, (code, BORN, "disability", email))

    outcome = _request(world, parent, child_id, code)

    assert outcome.waiting is None and outcome.refusal is None
    certificate = _certificate(world, child_id)
    assert certificate is not None and certificate.status == "funded"
    with read_session(engine) as s:
        child = s.get(Child, child_id)
        assert child.verified and child.category == "disability"  # the registry says so
        assert child.national_id_hint == "…" + code[-2:]
        stored = [
            *s.exec(select(Child.national_id_digest)).all(),
            *s.exec(select(VerificationRequest.national_id_digest)).all(),
            *s.exec(select(RegistryChild.national_id_digest)).all(),
        ]
    digits = code.replace("-", "").replace(" ", "")
    assert all(digits not in (d or "") for d in stored)  # only keyed digests are stored
    assert child.national_id_digest == national_ids.digest("RU", digits)


def test_without_a_registry_match_the_request_waits_for_an_official(engine):
    world = build_world(engine)
    admin = _admin_of(world)
    parent, email = _new_family(world)
    child_id = _child(world, parent)
    _registry(world, (snils(102), BORN, "base", "someone.else@example.org"))

    outcome = _request(world, parent, child_id, snils(102))  # the registry names another parent

    assert outcome.certificate is None and outcome.waiting.status == "pending"
    assert _certificate(world, child_id) is None
    with pytest.raises(Conflict) as refused, world.tx() as s:
        issue_certificate(s, parent, child_id, today=world.today)  # no side door
    assert refused.value.code == "child_not_verified"
    with read_session(engine) as s:
        [item] = [
            i
            for i in verification_queue(s, admin, world.municipality_id)
            if i.request.child_id == child_id
        ]
    assert item.request.registry_note == "registry_guardian_differs"
    assert (item.guardian_email, item.child_first_name) == (email, "Пётр")

    with world.tx() as s:
        _, refusal = decide_verification(s, admin, item.request.id, "approve")
    assert refusal is None
    assert _certificate(world, child_id).status == "funded"
    with pytest.raises(Conflict) as again, world.tx() as s:
        decide_verification(s, admin, item.request.id, "approve")
    assert again.value.code == "request_not_pending"


def test_a_refusal_says_why_and_the_parent_can_ask_again(engine):
    world = build_world(engine)
    admin = _admin_of(world)
    parent, _ = _new_family(world)
    child_id = _child(world, parent)
    request_id = _request(world, parent, child_id, snils(103)).waiting.id
    with pytest.raises(InvalidInput), world.tx() as s:
        decide_verification(s, admin, request_id, "refuse", reason="  ")
    with world.tx() as s:
        decide_verification(s, admin, request_id, "refuse", reason="Нет свидетельства о рождении")
    with read_session(engine) as s:
        [latest] = latest_requests(s, parent, child_id)
    assert (latest.status, latest.reason) == ("refused", "Нет свидетельства о рождении")
    assert _request(world, parent, child_id, snils(103)).waiting.status == "pending"


def test_another_family_knowing_name_and_birth_date_cannot_take_the_certificate(engine):
    world = build_world(engine)
    admin = _admin_of(world)
    mother, email = _new_family(world)
    own = _child(world, mother)
    code = snils(104)
    _registry(world, (code, BORN, "base", email))
    _request(world, mother, own, code)
    assert _certificate(world, own) is not None

    stranger, _ = _new_family(world)
    copy = _child(world, stranger)  # the same name and birth date, typed by a stranger
    # without the number: a made-up one waits; with the real one, still no match for them
    for attempt in (snils(105), code):
        outcome = _request(world, stranger, copy, attempt)
        assert outcome.certificate is None and outcome.waiting is not None
    with read_session(engine) as s:
        [item] = [
            i
            for i in verification_queue(s, admin, world.municipality_id)
            if i.request.child_id == copy
        ]
    assert item.identifier_elsewhere and item.request.registry_note == "registry_identifier_taken"
    with pytest.raises(Conflict) as refused, world.tx() as s:  # even an official cannot
        decide_verification(s, admin, item.request.id, "approve")
    assert refused.value.code == "identifier_verified_elsewhere"
    assert _certificate(world, copy) is None
    with pytest.raises(NotFound), world.tx() as s:  # nor reach the mother's child
        request_certificate(s, stranger, own, national_id=code, today=world.today)
    with read_session(engine) as s:
        assert s.exec(select(Certificate).where(Certificate.child_id == own)).one()
        accounts = s.exec(
            select(CertificateAccount)
            .join(Certificate, col(Certificate.id) == CertificateAccount.certificate_id)
            .where(Certificate.child_id == copy)
        ).all()
    assert accounts == []


def test_two_approvals_of_the_same_identifier_end_in_one_verified_child(engine):
    world = build_world(engine)
    admin = _admin_of(world)
    first, _ = _new_family(world)
    second, _ = _new_family(world)
    a, b = _child(world, first), _child(world, second)
    ra = _request(world, first, a, snils(106)).waiting.id
    rb = _request(world, second, b, snils(106)).waiting.id
    with world.tx() as s:
        decide_verification(s, admin, ra, "approve")
    with pytest.raises(Conflict), world.tx() as s:
        decide_verification(s, admin, rb, "approve")
    with read_session(engine) as s:
        digests = s.exec(select(Child.national_id_digest).where(col(Child.id).in_([a, b]))).all()
    assert sorted(d is None for d in digests) == [False, True]


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "field_required"),
        ("12345", "national_id_format"),
        ("900-000-001 83", "national_id_checksum"),
        ("девятьсот", "national_id_format"),
        ("9" * 200, "national_id_format"),
    ],
)
def test_a_wrong_identifier_is_refused_clearly_and_changes_nothing(engine, typed, code):
    world = build_world(engine)
    parent, _ = _new_family(world)
    child_id = _child(world, parent)
    with pytest.raises(InvalidInput) as refused, world.tx() as s:
        request_certificate(s, parent, child_id, national_id=typed, today=world.today)
    assert refused.value.code == code
    with read_session(engine) as s:
        assert (
            s.exec(
                select(VerificationRequest).where(VerificationRequest.child_id == child_id)
            ).all()
            == []
        )


def test_a_lithuanian_code_must_hold_the_childs_birth_date():
    born = date(2016, 9, 15)
    good = lithuanian_code(born, 7)
    assert national_ids.normalize("LT", good, born) == good
    with pytest.raises(InvalidInput) as wrong_date:
        national_ids.normalize("LT", good, date(2016, 9, 16))
    assert wrong_date.value.code == "national_id_birth_date"
    typo = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(InvalidInput) as wrong_check:
        national_ids.normalize("LT", typo, born)
    assert wrong_check.value.code == "national_id_checksum"


def test_a_verified_childs_identity_changes_only_through_verification(engine):
    world = build_world(engine)
    admin = _admin_of(world)
    with read_session(engine) as s:
        child = s.get(Child, world.child_id)
    assert child.verified
    with pytest.raises(Conflict) as locked, world.tx() as s:
        update_child(
            s,
            world.parent,
            world.child_id,
            first_name="Анна",
            last_name=child.last_name,
            birth_date=child.birth_date,
        )
    assert locked.value.code == "identity_verified"
    with world.tx() as s:
        request = request_identity_change(
            s,
            world.parent,
            world.child_id,
            first_name="Анна",
            last_name=child.last_name,
            birth_date=child.birth_date,
        )
    with read_session(engine) as s:
        assert s.get(Child, world.child_id).first_name == "Аня"  # unchanged until approved
    with world.tx() as s:
        decide_verification(s, admin, request.id, "approve")
    with read_session(engine) as s:
        assert s.get(Child, world.child_id).first_name == "Анна"


def test_a_category_is_verified_in_the_same_queue(engine):
    world = build_world(engine)
    admin = _admin_of(world)
    with world.tx() as s:
        request = request_category(s, world.parent, world.child_id, "large_family")
    with read_session(engine) as s:
        assert s.get(Child, world.child_id).category == "base"
        kinds = {i.request.kind for i in verification_queue(s, admin, world.municipality_id)}
    assert "category" in kinds
    with world.tx() as s:
        decide_verification(s, admin, request.id, "approve")
    with read_session(engine) as s:
        assert s.get(Child, world.child_id).category == "large_family"
    with pytest.raises(InvalidInput), world.tx() as s:
        request_category(s, world.parent, world.child_id, "royal")


def test_only_the_municipalitys_admin_sees_and_decides_its_queue(engine):
    world = build_world(engine)
    other = build_world(engine)
    outsider = _admin_of(other)
    parent, _ = _new_family(world)
    request_id = _request(world, parent, _child(world, parent), snils(107)).waiting.id
    for actor in (outsider, parent, world.provider_user):
        with pytest.raises(NotFound), read_session(engine) as s:
            verification_queue(s, actor, world.municipality_id)
        with pytest.raises(NotFound), world.tx() as s:
            decide_verification(s, actor, request_id, "approve")
    with pytest.raises(NotFound), world.tx() as s:
        import_registry(
            s, outsider, world.municipality_id, "national_id,birth_date,category,guardian_email\n"
        )


def test_a_registry_file_reports_bad_rows_and_verifies_waiting_requests(engine):
    world = build_world(engine)
    parent, email = _new_family(world)
    child_id = _child(world, parent)
    request_id = _request(world, parent, child_id, snils(108)).waiting.id
    report = _registry(
        world,
        (snils(108), BORN, "base", email),
        ("123", BORN, "base", email),
        (snils(109), BORN, "royal", email),
        (snils(110), BORN, "base", "not-an-address"),
    )
    assert (report.added, len(report.verified)) == (1, 1)
    assert [(line, e.code) for line, e in report.errors] == [
        (3, "national_id_format"),
        (4, "field_not_allowed"),
        (5, "email_invalid"),
    ]
    with read_session(engine) as s:
        assert s.get(VerificationRequest, request_id).status == "approved"
    assert _certificate(world, child_id).status == "funded"
    again = _registry(world, (snils(108), BORN, "base", email))
    assert (again.added, again.updated) == (0, 1)  # importing again updates, no duplicate


def test_a_child_certified_before_identifiers_is_not_taken_again_by_name(engine):
    """Children certified before identifiers were asked hold none; the same name and birth
    date from another account is never verified by a registry alone, and is flagged."""
    world = build_world(engine)
    admin = _admin_of(world)
    with world.tx() as s:  # as migration 0015 leaves it: verified, certified, no identifier
        legacy = s.get(Child, world.child_id)
        legacy.national_id_digest, legacy.national_id_hint = None, ""
        s.add(legacy)
        name = (legacy.first_name, legacy.last_name, legacy.birth_date)
    other, email = _new_family(world)
    copy = _child(world, other, first=name[0], last=name[1], born=name[2])
    code = snils(120)
    _registry(world, (code, name[2], "base", email))
    outcome = _request(world, other, copy, code)
    assert outcome.certificate is None and outcome.waiting is not None
    with read_session(engine) as s:
        [item] = _queued(s, admin, world, copy)
    assert item.request.registry_note == "registry_possible_duplicate" and item.identifier_elsewhere


def test_a_family_is_told_payable_only_where_its_certificate_pays(engine):
    from navigator.domain.certificates.queries import paying_municipalities
    from navigator.domain.municipalities.models import Municipality

    home, elsewhere = build_world(engine), build_world(engine)
    unfunded, _child, _cert, _acc = home.add_parent_with_child(fund=False)
    with read_session(engine) as s:
        code = s.get(Municipality, home.municipality_id).code
        assert paying_municipalities(s, home.parent) == {code}  # not elsewhere's programs
        assert paying_municipalities(s, unfunded) == set()  # a certificate not funded pays none
        assert code != s.get(Municipality, elsewhere.municipality_id).code
