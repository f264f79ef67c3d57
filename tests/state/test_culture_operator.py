"""The operator's cabinet, driven through its event handlers as a browser could call them: a
signed-out caller, a coordinator, a provider and a parent change and see nothing; the operator
opens a year, imports schools, invites coordinators and reviews services."""

from __future__ import annotations

import asyncio
import base64
import csv
import inspect
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

import navigator.domain.shared.db as db
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.signin import start_session
from navigator.domain.culture.booking import confirm_booking, record_attendance
from navigator.domain.culture.models import (
    CoordinatorInvitation,
    CulturePassYear,
    CultureService,
    School,
    SchoolCoordinator,
    SchoolWallet,
)
from navigator.domain.culture.services import submit_service
from navigator.domain.providers.models import Provider
from navigator.domain.shared.models import utcnow
from navigator.state.app import AppState
from navigator.state.culture_operator import REPORT_TABLES, CultureOperatorState
from navigator.state.formatting import money
from tests.domain.culture.world import (
    PASSWORD,
    SESSION_AT,
    YEAR,
    build_culture,
    service_fields,
)


class Upload:
    """What the browser's upload hands a handler: a file to read."""

    def __init__(self, content: bytes) -> None:
        self.content = content

    async def read(self, size: int = -1) -> bytes:
        return self.content[:size] if size >= 0 else self.content


NEXT = YEAR + 1  # the year after the world's own
YEAR_FORM = {
    "year": str(NEXT),
    "per_pupil": "10,54",
    "cap": "15",
    "window_start": f"{NEXT}-01-01",
    "window_end": f"{NEXT}-12-20",
    "reference_date": f"{YEAR}-09-01",
    "cancel_days": "7",
}


@pytest.fixture
def culture(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    world = build_culture(engine)
    with world.tx() as s:
        parent = create_user(s, "parent@example.org", PASSWORD)
        tokens = {
            "operator": start_session(s, world.operator.user_id, utcnow()).token,
            "coordinator": start_session(s, world.coordinator.user_id, utcnow()).token,
            "provider": start_session(s, world.provider_user.user_id, utcnow()).token,
            "parent": start_session(s, parent.id, utcnow()).token,
        }
        waiting = submit_service(
            s, world.provider_user, world.provider_id, service_fields(title="Laukianti")
        ).id
    world.second = world.new_coordinator()  # type: ignore[attr-defined]
    world.tokens = tokens  # type: ignore[attr-defined]
    world.waiting_id = waiting  # type: ignore[attr-defined]
    return world


def sign_in(monkeypatch, token: str | None) -> None:
    monkeypatch.setattr(AppState, "_session_token", lambda self: token)


def _run(state: CultureOperatorState, name: str, args: tuple) -> object:
    result = getattr(CultureOperatorState, name).fn(state, *args)
    if not inspect.iscoroutine(result):
        return result
    with ThreadPoolExecutor(max_workers=1) as pool:  # an upload runs on its own loop
        return pool.submit(asyncio.run, result).result()


def calls(world) -> list[tuple[str, tuple]]:
    school, coordinator = str(world.school_id), str(world.coordinator.user_id)
    return [
        ("load", ()),
        ("choose_year", (str(world.year_id),)),
        ("filter_schools", ({"query": "Mokykla", "without_coordinator": "on"},)),
        ("prefill_window", (str(NEXT),)),
        ("open_year", (YEAR_FORM,)),
        ("import_schools", ([Upload(b"code,name,municipality,pupils\nZ1,Z,Kaunas,500")],)),
        ("start_invite", (school, coordinator)),
        ("cancel_invite", ()),
        ("invite", ({"email": "intruder@example.org"},)),
        ("approve", (str(world.waiting_id),)),
        ("start_decision", ("suspend", str(world.service_id))),
        ("cancel_decision", ()),
        ("decide", ({"reason": "because"},)),
        ("start_remove", (school, coordinator)),
        ("cancel_remove", ()),
        ("remove", ()),
        ("start_correct", (str(world.wallet_id),)),
        ("cancel_correct", ()),
        ("correct", ({"pupils": "999", "reason": "because"},)),
        ("start_dispute_decision", ("uphold", "1")),
        ("cancel_dispute_decision", ()),
        ("decide_dispute", ({"reason": "because"},)),
        ("show_report", ({"unspent_on": ""},)),
        ("download_report", ("csv", "schools")),
    ]


def snapshot(engine) -> tuple:
    with db.read_session(engine) as s:

        def count(model) -> int:
            return s.exec(select(func.count()).select_from(model)).one()

        return (
            count(CulturePassYear),
            count(School),
            count(SchoolWallet),
            count(SchoolCoordinator),
            count(CoordinatorInvitation),
            sorted((c.id, c.status, c.reason) for c in s.exec(select(CultureService)).all()),
            s.exec(select(func.sum(SchoolWallet.allocated_minor))).one(),
            s.exec(select(func.sum(SchoolWallet.pupils))).one(),
        )


def test_every_handler_is_in_the_table(culture):
    handlers = {
        name
        for name, value in vars(CultureOperatorState).items()
        if not name.startswith("_") and type(value).__name__ == "EventHandler"
    }
    assert handlers and handlers - {name for name, _ in calls(culture)} == set()


@pytest.mark.parametrize("who", [None, "coordinator", "provider", "parent"])
def test_nobody_but_the_operator_changes_or_sees_anything(culture, monkeypatch, who):
    sign_in(monkeypatch, culture.tokens[who] if who else None)
    before = snapshot(culture.engine)
    for name, args in calls(culture):
        state = CultureOperatorState(_reflex_internal_init=True)
        state.year_id = str(culture.year_id)  # as if the browser had sent the ids all along
        state.inviting = f"{culture.school_id}:{culture.coordinator.user_id}"
        state.deciding = f"suspend:{culture.service_id}"
        state.removing = f"{culture.school_id}:{culture.second.user_id}"
        state.correcting = str(culture.wallet_id)
        _run(state, name, args)
        assert snapshot(culture.engine) == before, (who, name)
        assert not state.has_access, (who, name)
        shown = [state.years, state.schools, state.waiting, state.services]
        assert [list(rows) for rows in shown] == [[], [], [], []], (who, name)
        assert state.year_summary == state.import_summary == "", (who, name)


def _operator(culture, monkeypatch) -> CultureOperatorState:
    sign_in(monkeypatch, culture.tokens["operator"])
    state = CultureOperatorState(_reflex_internal_init=True)
    assert _run(state, "load", ()) is None
    assert state.has_access
    return state


def test_the_operator_opens_a_year_and_a_wrong_amount_names_its_field(culture, monkeypatch):
    state = _operator(culture, monkeypatch)
    _run(state, "open_year", ({**YEAR_FORM, "cap": "fifteen"},))
    assert state.error and state.error_field == "cap"
    _run(state, "open_year", ({**YEAR_FORM, "window_end": f"{YEAR}-12-20"},))
    assert state.error and state.error_field == "window_end"  # the form's name, not the domain's
    _run(state, "open_year", (YEAR_FORM,))
    assert state.error == "" and state.notice
    with db.read_session(culture.engine) as s:
        opened = s.exec(select(CulturePassYear).where(CulturePassYear.year == NEXT)).one()
    assert (opened.per_pupil_minor, opened.cap_minor, opened.cancel_days) == (1054, 1500, 7)
    assert [row.year for row in state.years] == [str(NEXT), str(YEAR)]
    assert state.year_id == str(opened.id) and state.year_open and state.schools == []


def test_the_operator_imports_schools_and_sees_each_refused_line(culture, monkeypatch):
    state = _operator(culture, monkeypatch)
    assert state.year_id == str(culture.year_id)
    content = "code,name,municipality,pupils\nN1,Nauja mokykla,Kaunas,100\nN2,Bloga,Kaunas,many\n"
    _run(state, "import_schools", ([Upload(content.encode())],))
    assert state.error == ""
    assert "1" in state.import_summary
    assert [e.line for e in state.import_errors] == ["3"]
    new = next(row for row in state.schools if row.code == "N1")
    assert new.no_coordinator and new.pupils == "100"
    assert "1054" in new.allocated.replace("\xa0", "").replace(",", "").replace(".", "")
    ours = next(row for row in state.schools if row.id == str(culture.school_id))
    assert not ours.no_coordinator and len(ours.coordinators) == 2  # the fixture made two
    _run(state, "filter_schools", ({"query": "", "without_coordinator": "on"},))
    assert [row.code for row in state.schools] == ["N1"]
    _run(state, "import_schools", ([Upload(b"\xff\xfe")],))
    assert state.error and state.import_errors == []


def test_the_operator_invites_and_replaces_coordinators(culture, monkeypatch):
    state = _operator(culture, monkeypatch)
    school = str(culture.school_id)
    _run(state, "start_invite", (school, ""))
    assert state.inviting == school
    _run(state, "invite", ({"email": "second@school.example"},))
    assert state.error == "" and "second@school.example" in state.notice
    assert state.inviting == ""
    _run(state, "start_invite", (school, str(culture.coordinator.user_id)))
    _run(state, "invite", ({"email": "replacement@school.example"},))
    assert state.error == ""
    with db.read_session(culture.engine) as s:
        invitations = s.exec(
            select(CoordinatorInvitation).where(
                CoordinatorInvitation.school_id == culture.school_id
            )
        ).all()
    replaced = {i.email: i.replaces_user_id for i in invitations}
    assert replaced["second@school.example"] is None
    assert replaced["replacement@school.example"] == culture.coordinator.user_id
    ours = next(row for row in state.schools if row.id == school)
    assert ours.pending  # two invitations wait
    _run(state, "start_invite", (school, "not-a-number"))
    assert state.inviting == ""


def test_the_operator_approves_rejects_with_a_reason_and_suspends(culture, monkeypatch):
    state = _operator(culture, monkeypatch)
    waiting = str(culture.waiting_id)
    assert [row.id for row in state.waiting] == [waiting]
    assert state.waiting[0].first_review and state.waiting[0].changes
    _run(state, "start_decision", ("reject", waiting))
    _run(state, "decide", ({"reason": "  "},))
    assert state.error and state.error_field == "reason"
    _run(state, "decide", ({"reason": "Not for schools"},))
    assert state.error == "" and state.deciding == "" and state.waiting == []
    _run(state, "start_decision", ("suspend", str(culture.service_id)))
    _run(state, "decide", ({"reason": "A complaint"},))
    suspended = next(row for row in state.services if row.id == str(culture.service_id))
    assert suspended.suspended and suspended.reason == "A complaint"
    _run(state, "approve", (str(culture.service_id),))
    with db.read_session(culture.engine) as s:
        statuses = {
            c.id: c.status
            for c in s.exec(select(CultureService)).all()
            if c.id in (culture.service_id, culture.waiting_id)
        }
    assert statuses == {culture.service_id: "approved", culture.waiting_id: "rejected"}


def test_the_operator_reads_the_years_report_as_the_ledger_sums_it(culture, monkeypatch):
    world = culture
    world.book(world.classes["5A"][:4])
    sign_in(monkeypatch, world.tokens["operator"])
    state = CultureOperatorState(_reflex_internal_init=True)
    _run(state, "load", ())
    _run(state, "show_report", ({"unspent_on": ""},))
    summary = dict(state.report_summary)
    assert summary["Ученики с услугой хотя бы раз"].startswith("0 / 20")
    assert summary["Зарезервировано"] == money(2_000, "EUR", "ru")
    assert next(row[0] for row in state.report_outcomes)  # every outcome, in words
    assert [(b.label, b.figure, b.width) for b in state.report_reach_bars] == [
        ("Vilnius", "0 / 20", "0.0%")  # booked, not yet charged: nobody reached yet
    ]
    _run(state, "show_report", ({"unspent_on": f"{YEAR}-02-30"},))
    assert state.error  # not a date: said, nothing shown changes
    assert _run(state, "download_report", ("xlsx", "schools")) is not None
    sign_in(monkeypatch, world.tokens["coordinator"])
    outsider = CultureOperatorState(_reflex_internal_init=True)
    _run(outsider, "show_report", ({"unspent_on": ""},))
    assert outsider.report_summary == [] and outsider.error


def test_the_operator_corrects_a_pupil_count_as_one_entry_said_to_the_school(culture, monkeypatch):
    world = culture  # 20 pupils × 10,54 €
    state = _operator(culture, monkeypatch)
    row = next(r for r in state.schools if r.id == str(world.school_id))
    _run(state, "start_correct", (row.wallet_id,))
    assert state.correcting == row.wallet_id
    _run(state, "correct", ({"pupils": "twenty", "reason": "Naujas sąrašas"},))
    assert state.error and state.error_field == "pupils"
    _run(state, "correct", ({"pupils": "25", "reason": "  "},))
    assert state.error and state.error_field == "reason"
    _run(state, "correct", ({"pupils": "25", "reason": "Naujas sąrašas"},))
    assert state.error == "" and state.correcting == ""
    row = next(r for r in state.schools if r.id == str(world.school_id))
    assert row.pupils == "25" and row.allocated == money(25 * 1054, "EUR", "ru")
    world.book(world.classes["5A"])  # 50 € held: a count of 1 would take back money promised
    _run(state, "start_correct", (row.wallet_id,))
    _run(state, "correct", ({"pupils": "1", "reason": "Klaida"},))
    assert state.error and state.correcting == row.wallet_id
    with db.read_session(world.engine) as s:
        assert s.get(SchoolWallet, world.wallet_id).pupils == 25  # nothing changed
    sign_in(monkeypatch, world.tokens["coordinator"])  # the school reads what was done, and why
    from navigator.state.culture import CultureState

    school = CultureState(_reflex_internal_init=True)
    school.load()
    assert [c.note for c in school.corrections] == ["20 → 25: Naujas sąrašas"]
    assert school.corrections[0].amount == "+" + money(5 * 1054, "EUR", "ru")
    assert school.wallet["pupils"] == "25"


def test_the_operator_removes_one_of_two_coordinators_never_the_last(culture, monkeypatch):
    world = culture  # two coordinators: the world's and a second
    state = _operator(culture, monkeypatch)
    school = str(world.school_id)
    row = next(r for r in state.schools if r.id == school)
    assert row.several and len(row.coordinators) == 2
    _run(state, "start_remove", (school, str(world.second.user_id)))
    _run(state, "remove", ())
    assert state.error == "" and state.removing == ""
    row = next(r for r in state.schools if r.id == school)
    assert not row.several and [c.user_id for c in row.coordinators] == [
        str(world.coordinator.user_id)
    ]
    state.removing = f"{school}:{world.coordinator.user_id}"  # forged: the last one
    _run(state, "remove", ())
    assert state.error  # replaced, never removed
    with db.read_session(world.engine) as s:
        left = s.exec(
            select(SchoolCoordinator).where(SchoolCoordinator.school_id == world.school_id)
        ).all()
    assert [c.user_id for c in left] == [world.coordinator.user_id]


def _file(spec) -> tuple[str, bytes]:
    """The file a download hands the browser: its name and its bytes."""
    args = {name._js_expr: value._var_value for name, value in spec.args}
    return args["filename"], base64.b64decode(args["url"].partition("base64,")[2])


def test_every_table_of_the_report_downloads_as_csv_and_xlsx(culture, monkeypatch):
    world = culture
    delivered = world.book(world.classes["5A"])
    with world.tx() as s:
        confirm_booking(s, world.provider_user, delivered)
    with world.tx() as s:
        record_attendance(
            s, world.provider_user, delivered, world.classes["5A"][1:], now=SESSION_AT
        )
    state = _operator(culture, monkeypatch)
    _run(state, "show_report", ({"unspent_on": f"{YEAR}-12-01"},))
    assert state.error == ""
    shown = {
        "municipalities": state.report_municipalities,
        "providers": state.report_providers,
        "art_forms": state.report_art_forms,
        "outcomes": state.report_outcomes,
        "unspent": state.report_unspent,
    }
    for table in REPORT_TABLES:
        name, content = _file(_run(state, "download_report", ("csv", table)))
        assert name == f"culture-pass-{YEAR}-{table}.csv"
        lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        xname, workbook = _file(_run(state, "download_report", ("xlsx", table)))
        assert xname == f"culture-pass-{YEAR}-{table}.xlsx"
        sheet = load_workbook(io.BytesIO(workbook)).active
        cells = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
        assert len(cells) == len(lines) and cells[0] == lines[0], table
        if table in shown:  # as many rows as the screen shows, money in euros
            assert len(lines) - 1 == len(shown[table]) > 0, table
    # the money in the files is the ledger's: 9 of 10 pupils charged 5.00
    outcomes = _rows_of(state, "outcomes")
    assert outcomes["проведено"] == ["проведено", "1", "45.00"]
    assert _rows_of(state, "providers")[world_provider_name(world)][1] == "45.00"
    assert _rows_of(state, "art_forms")["театр"][1] == "45.00"
    municipality = _rows_of(state, "municipalities")["Vilnius"]
    assert municipality[8] == "45.00"  # spent
    # a table that does not exist, or a kind that is not a file type, is refused
    assert _run(state, "download_report", ("csv", "pupils")) is None and state.error
    assert _run(state, "download_report", ("pdf", "schools")) is None and state.error


def _rows_of(state, table: str) -> dict[str, list[str]]:
    _name, content = _file(_run(state, "download_report", ("csv", table)))
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return {line[0] or line[1]: line for line in lines[1:]}


def world_provider_name(world) -> str:
    with db.read_session(world.engine) as s:
        return s.get(Provider, world.provider_id).name


def test_the_year_form_starts_from_the_next_year_and_its_usual_window(culture, monkeypatch):
    """1 January – 20 December of the year, as the issue sets it; the window follows the
    year typed, and the form moves on once a year is opened."""
    state = _operator(culture, monkeypatch)
    assert (state.new_year, state.new_window_start, state.new_window_end) == (
        str(NEXT),
        f"{NEXT}-01-01",
        f"{NEXT}-12-20",
    )
    key = state.window_key
    _run(state, "prefill_window", ("2031",))
    assert (state.new_window_start, state.new_window_end) == ("2031-01-01", "2031-12-20")
    assert state.window_key > key  # the date fields re-mount with the new days
    for typed in ("20", "abcd", "1999", "３０３１"):
        _run(state, "prefill_window", (typed,))
        assert state.new_window_start == "2031-01-01", typed
    _run(state, "prefill_window", (str(NEXT),))
    form = {
        **YEAR_FORM,
        "window_start": state.new_window_start,
        "window_end": state.new_window_end,
    }
    _run(state, "open_year", (form,))
    assert state.error == ""
    with db.read_session(culture.engine) as s:
        opened = s.exec(select(CulturePassYear).where(CulturePassYear.year == NEXT)).one()
    assert (opened.window_start.isoformat(), opened.window_end.isoformat()) == (
        f"{NEXT}-01-01",
        f"{NEXT}-12-20",
    )
    assert state.new_year == str(NEXT + 1)


def test_the_operator_reviews_with_the_published_criteria_in_view(culture, monkeypatch):
    """The criteria the operator approves against, translated, are the same words the
    provider reads beside the submit form."""
    from navigator.domain.culture.criteria import SERVICE_CRITERIA
    from navigator.i18n import text
    from navigator.state.provider_culture import ProviderCultureState

    state = _operator(culture, monkeypatch)
    assert state.waiting  # something waits for a decision, the criteria beside it
    shown = state.service_criteria
    assert len(shown) == len(SERVICE_CRITERIA) >= 3
    assert all(line and line not in SERVICE_CRITERIA for line in shown)  # words, not keys
    for lang in ("ru", "lt", "en"):
        words = [text(key, lang) for key in SERVICE_CRITERIA]
        assert len(set(words)) == len(words) and not set(words) & set(SERVICE_CRITERIA), lang
    sign_in(monkeypatch, culture.tokens["provider"])
    provider = ProviderCultureState(_reflex_internal_init=True)
    ProviderCultureState.load.fn(provider)
    assert provider.service_criteria == shown
