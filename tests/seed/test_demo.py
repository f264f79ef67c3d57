"""The demo seed is deterministic and complete; the catalog lists only what may be shown."""

from __future__ import annotations

from sqlmodel import func, select

from navigator.domain.accounts.api import verify_password
from navigator.domain.accounts.models import User
from navigator.domain.certificates.ledger import ledger_sums
from navigator.domain.certificates.models import CertificateAccount
from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.models import CertificationStatus, Program
from navigator.domain.programs.queries import count_catalog_programs, list_catalog_programs
from navigator.domain.providers.models import Provider
from navigator.domain.shared.db import read_session
from seed.demo import DEMO_PASSWORD, database_is_empty, seed_demo
from tests.support.invariants import assert_ledger_invariants


def test_demo_seed_covers_the_product_and_its_logins_work(engine):
    assert database_is_empty(engine)
    report = seed_demo(engine, programs=240)
    assert not database_is_empty(engine)
    assert report.programs == 240
    with read_session(engine) as s:
        currencies = sorted(s.exec(select(Municipality.currency)).all())
        assert currencies == ["EUR", "EUR", "RUB", "RUB"]
        assert set(s.exec(select(Provider.kind)).all()) == {"municipal", "private", "individual"}
        assert set(s.exec(select(Program.language)).all()) == {"ru", "lt", "en"}
        assert len(set(s.exec(select(Program.direction)).all())) == 6
        assert s.exec(select(func.count()).select_from(Program).where(Program.is_free)).one() > 0
        for email, _role in report.logins:
            user = s.exec(select(User).where(User.email == email)).one()
            assert verify_password(DEMO_PASSWORD, user.password_hash)
            assert not verify_password("wrong password 1", user.password_hash)
        for account in s.exec(select(CertificateAccount)).all():
            assert ledger_sums(s, account.id).balance > 0
    assert_ledger_invariants(engine)


def test_demo_seed_is_deterministic(sqlite_template, tmp_path):
    from tests.conftest import _sqlite_engine

    titles = []
    for _ in range(2):
        engine = _sqlite_engine(sqlite_template, tmp_path)
        seed_demo(engine, programs=60)
        with read_session(engine) as s:
            titles.append(
                s.exec(select(Program.title, Program.latitude).order_by(Program.id)).all()
            )
        engine.dispose()
    assert titles[0] == titles[1]


def test_catalog_lists_only_certified_or_free_programs_of_admitted_providers(engine):
    seed_demo(engine, programs=120)
    with read_session(engine) as s:
        listed = list_catalog_programs(s, limit=1000)
        assert len(listed) == count_catalog_programs(s) > 0
        for summary in listed:
            program = s.get(Program, summary.id)
            provider = s.get(Provider, program.provider_id)
            assert provider.admitted
            assert program.certification_status == CertificationStatus.CERTIFIED or program.is_free
            assert program.certification_status != CertificationStatus.SUSPENDED
            assert summary.payable_by_certificate == (
                program.certification_status == CertificationStatus.CERTIFIED
                and not program.is_free
            )
        hidden = s.exec(
            select(func.count())
            .select_from(Program)
            .where(Program.certification_status == CertificationStatus.DRAFT, ~Program.is_free)
        ).one()
    assert hidden > 0
    assert count_catalog_programs_total(engine) - len(listed) >= hidden


def count_catalog_programs_total(engine) -> int:
    with read_session(engine) as s:
        return s.exec(select(func.count()).select_from(Program)).one()
