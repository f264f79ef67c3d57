"""Every event handler of the municipality cabinet, called as a browser could call it.

Any handler can be invoked by name with any arguments, so each one is called here by an
administrator of town A with town B's ids (and by a parent): nothing of B changes and
nothing of B appears in the state. The state runs against the real database.
"""

from __future__ import annotations

import asyncio
import inspect
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import func, select

import navigator.domain.shared.db as db
from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.children import add_child
from navigator.domain.accounts.models import Role
from navigator.domain.accounts.signin import start_session
from navigator.domain.certificates.api import request_certificate
from navigator.domain.certificates.models import Certificate, RegistryChild, VerificationRequest
from navigator.domain.funding.models import FundingPeriod, NominalRule
from navigator.domain.municipalities.models import MunicipalityPolicy
from navigator.domain.programs.certification import set_certification
from navigator.domain.programs.models import CertificationStatus, Program
from navigator.domain.providers.api import create_provider
from navigator.domain.providers.models import Provider
from navigator.domain.shared.models import AuditEvent, utcnow
from navigator.state.app import AppState
from navigator.state.municipality import MunicipalityState
from seed.identifiers import snils
from tests.factories import PASSWORD, build_world

SYSTEM = Actor.system()


@pytest.fixture
def towns(engine, monkeypatch):
    """Town A with its admin signed in (the state's user), town B with pending work."""
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    a, b = build_world(engine), build_world(engine)
    with a.tx() as s:
        admin = create_user(
            s,
            f"admin-a-{a.municipality_id}@example.org",
            PASSWORD,
            roles=((Role.MUNICIPALITY_ADMIN, a.municipality_id, None),),
        )
        token = start_session(s, admin.id, utcnow()).token
        pending = create_provider(
            s, municipality_id=b.municipality_id, name="B pending", kind="private"
        )
        program = s.get(Program, b.program_id)
        program.title = "B changed"
        program.certification_status = CertificationStatus.SUBMITTED
        s.add(program)
    b.request_id = _pending_request(b, "Бэзил")
    monkeypatch.setattr(AppState, "_session_token", lambda self: token)
    return a, b, pending.id


def _pending_request(world, first_name: str) -> int:
    """A child of the town whose certificate request waits in the verification queue."""
    parent, _child, _cert, _acc = world.add_parent_with_child(fund=False)
    with world.tx() as s:
        child = add_child(
            s,
            parent,
            guardian_id=parent.user_id,
            municipality_id=world.municipality_id,
            first_name=first_name,
            last_name="Ожидающий",
            birth_date=date(2016, 4, 1),
        )
        child_id = child.id
    with world.tx() as s:
        outcome = request_certificate(s, parent, child_id, national_id=snils(child_id + 500))
        return outcome.waiting.id


class Upload:
    """What the browser's upload hands a handler: a file to read."""

    def __init__(self, content: bytes) -> None:
        self.content = content

    async def read(self, size: int = -1) -> bytes:
        return self.content[:size] if size >= 0 else self.content


def snapshot(engine, b) -> tuple:
    """Everything of town B a handler could change."""
    with db.read_session(engine) as s:
        period = s.get(FundingPeriod, b.period_id)
        return (
            period.name,
            period.budget_minor,
            period.max_funded_certificates,
            period.status,
            s.exec(
                select(func.count())
                .select_from(NominalRule)
                .where(NominalRule.period_id == b.period_id)
            ).one(),
            s.exec(
                select(MunicipalityPolicy).where(
                    MunicipalityPolicy.municipality_id == b.municipality_id
                )
            )
            .one()
            .model_dump(),
            s.get(Program, b.program_id).certification_status,
            [
                p.admitted
                for p in s.exec(
                    select(Provider).where(Provider.municipality_id == b.municipality_id)
                ).all()
            ],
            s.exec(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.municipality_id == b.municipality_id)
            ).one(),
            s.get(VerificationRequest, b.request_id).status,
            s.exec(
                select(func.count())
                .select_from(RegistryChild)
                .where(RegistryChild.municipality_id == b.municipality_id)
            ).one(),
        )


def fresh_state() -> MunicipalityState:
    return MunicipalityState(_reflex_internal_init=True)


def calls(a, b, pending_id):
    """(handler name, positional arguments) aimed at town B."""
    today = a.today
    period_form = {"name": "hijack", "budget": "1", "max_funded_certificates": "1"}
    return [
        ("load", ()),
        ("choose_municipality", (str(b.municipality_id),)),
        ("choose_period", (str(b.period_id),)),
        (
            "create_period",
            (
                {
                    "name": "x",
                    "starts_on": str(today),
                    "ends_on": str(today + timedelta(days=9)),
                    "budget": "5",
                    "max_funded_certificates": "5",
                },
            ),
        ),
        ("save_period", (period_form,)),
        ("open_period", ()),
        ("preview_close", ()),
        ("cancel_close", ()),
        ("close_period", ()),
        (
            "save_nominal",
            (
                {
                    "category": "base",
                    "effective_from": str(today),
                    "from_0": "5",
                    "to_0": "17",
                    "amount_0": "1",
                },
            ),
        ),
        (
            "save_policy",
            (
                {
                    "max_funded_enrollments": "1",
                    "absence_charge": "full",
                    "attendance_correction_days": "0",
                },
            ),
        ),
        ("admit", (str(pending_id),)),
        ("certify", (str(b.program_id),)),
        ("reinstate", (str(b.program_id),)),
        ("start_decision", ("reject", str(b.program_id))),
        ("cancel_decision", ()),
        ("decide", ({"reason": "no"},)),
        ("show_report", ("spending",)),
        ("download_report", ("csv",)),
        ("approve_request", (str(getattr(b, "request_id", 0)),)),
        ("start_decision", ("refuse_request", str(getattr(b, "request_id", 0)))),
        ("import_registry", ([Upload(REGISTRY_ROW.encode())],)),
        ("save_waitlist_priority", ({"level_disability": "1", "level_large_family": "2"},)),
    ]


REGISTRY_ROW = (
    "national_id,birth_date,category,guardian_email\n900-000-001 82,2016-04-01,base,x@y.z"
)


def test_every_handler_is_in_the_table():
    handlers = {
        name
        for name, value in vars(MunicipalityState).items()
        if not name.startswith("_") and type(value).__name__ == "EventHandler"
    }
    town = SimpleNamespace(today=date.today(), municipality_id=0, period_id=0, program_id=0)
    assert handlers, "found no handlers"
    assert handlers - {name for name, _ in calls(town, town, 0)} == set(), "a handler untested"


def _run(state: MunicipalityState, name: str, args: tuple) -> object:
    handler = getattr(MunicipalityState, name)
    result = handler.fn(state, *args)
    if not inspect.iscoroutine(result):
        return result
    # an async handler (an upload) runs on its own loop: the browser tests of the same
    # session leave one running in this thread
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, result).result()


def test_an_admin_of_a_changes_nothing_of_b_through_any_handler(engine, towns):
    a, b, pending_id = towns
    before = snapshot(engine, b)
    for name, args in calls(a, b, pending_id):
        state = fresh_state()
        state.period_id = str(b.period_id)  # as if the browser had sent B's ids all along
        state.municipality_id = str(b.municipality_id)
        state.closing = "shown"  # a close without its preview must not slip through either
        state.deciding = (
            f"refuse_request:{b.request_id}" if name == "decide" else f"suspend:{b.program_id}"
        )
        _run(state, name, args)
        assert snapshot(engine, b) == before, name
        shown = repr(
            [
                state.periods,
                state.admissions,
                state.submissions,
                state.certified,
                state.log,
                state.report_rows,
                state.verifications,
            ]
        )
        assert "B pending" not in shown and "B changed" not in shown, name
        assert "Бэзил" not in shown, name
        assert {p.id for p in state.periods} <= {str(a.period_id)}, name


def test_a_parent_gets_nothing_from_any_handler(engine, towns, monkeypatch):
    a, b, pending_id = towns
    with a.tx() as s:
        token = start_session(s, a.parent.user_id, utcnow()).token
    monkeypatch.setattr(AppState, "_session_token", lambda self: token)
    before = snapshot(engine, b)
    for name, args in calls(a, b, pending_id):
        state = fresh_state()
        state.period_id = str(a.period_id)
        _run(state, name, args)
        assert snapshot(engine, b) == before, name
        assert not state.has_access and state.periods == [], name


def test_the_admin_works_on_their_own_town(engine, towns):
    a, _b, _pending = towns
    state = fresh_state()
    _run(state, "load", ())
    assert state.has_access and [p.id for p in state.periods] == [str(a.period_id)]
    _run(
        state,
        "save_period",
        ({"name": "renamed", "budget": "2000000", "max_funded_certificates": "500"},),
    )
    assert state.error == "" and state.periods[0].name == "renamed"
    _run(
        state,
        "save_period",
        ({"name": "renamed", "budget": "-1", "max_funded_certificates": "500"},),
    )
    assert "negative" in state.error or "отриц" in state.error
    with db.read_session(engine) as s:
        assert s.get(FundingPeriod, a.period_id).budget_minor == 200_000_000
    _run(state, "show_report", ("take_up",))
    assert state.report_rows and state.chart
    download = _run(state, "download_report", ("xlsx",))
    assert download is not None
    _run(state, "show_report", ("../../etc/passwd",))
    assert state.report_name == ""
    with a.tx() as s:
        set_certification(s, SYSTEM, a.program_id, CertificationStatus.SUSPENDED, reason="audit")
    _run(state, "reinstate", (str(a.program_id),))
    assert state.error == ""


def test_the_admin_verifies_a_child_and_imports_a_registry(engine, towns):
    a, _b, _pending = towns
    waiting = _pending_request(a, "Ада")
    state = fresh_state()
    _run(state, "load", ())
    [line] = [v for v in state.verifications if v.id == str(waiting)]
    assert line.child == "Ада Ожидающий" and line.detail.startswith("…")
    assert line.note in ("нет в реестре", "not in the registry", "registry_not_found")
    _run(state, "approve_request", (str(waiting),))
    assert state.error == "" and all(v.id != str(waiting) for v in state.verifications)
    with db.read_session(engine) as s:
        request = s.get(VerificationRequest, waiting)
        assert request.status == "approved"
        assert s.exec(select(Certificate).where(Certificate.child_id == request.child_id)).one()

    refused = _pending_request(a, "Ева")
    _run(state, "start_decision", ("refuse_request", str(refused)))
    _run(state, "decide", ({"reason": "Нет документа"},))
    with db.read_session(engine) as s:
        assert s.get(VerificationRequest, refused).reason == "Нет документа"

    _run(state, "import_registry", ([Upload(REGISTRY_ROW.encode() + b"\nbad,row")],))
    assert state.error == "" and state.registry_summary and len(state.registry_errors) == 1
    _run(state, "import_registry", ([Upload(b"\xff\xfe")],))
    assert state.error != ""


def test_the_log_tells_time_by_the_municipalitys_clock(engine, towns):
    from sqlmodel import col

    from navigator.i18n.formatting import format_moment

    a, _b, _pending = towns
    state = fresh_state()
    _run(state, "load", ())
    with db.read_session(engine) as s:
        newest = s.exec(
            select(AuditEvent)
            .where(AuditEvent.municipality_id == a.municipality_id)
            .order_by(col(AuditEvent.id).desc())
        ).first()
    assert state.log[0].at == format_moment(newest.at, state.lang, "Europe/Moscow")
    assert state.log[0].at != format_moment(newest.at, state.lang, "UTC")  # three hours apart


def _scrolls_to_the_queue(event) -> bool:
    """The event `rx.scroll_to("queue")` makes (Reflex's events do not compare equal)."""
    import reflex as rx

    return event is not None and repr(event.args) == repr(rx.scroll_to("queue").args)


def test_certifying_takes_the_official_back_to_the_top_of_the_queue(engine, towns):
    a, b, _pending = towns
    with a.tx() as s:
        program = s.get(Program, a.program_id)
        program.title = "Робототехника для всех"
        program.certification_status = CertificationStatus.SUBMITTED
        s.add(program)
    state = fresh_state()
    _run(state, "load", ())
    assert [x.id for x in state.submissions] == [str(a.program_id)]
    event = _run(state, "certify", (str(a.program_id),))
    assert _scrolls_to_the_queue(event)  # the card read is gone: back to the queue's top
    assert state.error == "" and state.submissions == []
    with db.read_session(engine) as s:
        assert s.get(Program, a.program_id).certification_status == "certified"
    # nothing certified, nowhere to go: another town's program, or one already decided
    for program_id in (str(b.program_id), str(a.program_id), "x"):
        assert _run(state, "certify", (program_id,)) is None
        assert state.error != ""
