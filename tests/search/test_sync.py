"""The catalog index follows the database through the outbox, on a real Meilisearch."""

from __future__ import annotations

import itertools
import json
import threading
import time
from datetime import date

import pytest
from meilisearch.errors import MeilisearchApiError
from sqlmodel import func, select

from navigator.domain.accounts.models import Child, User
from navigator.domain.enrollment.api import accept_application
from navigator.domain.programs.api import ProgramFields, update_program
from navigator.domain.programs.certification import set_certification
from navigator.domain.programs.models import CertificationStatus, Program
from navigator.domain.providers.models import Provider
from navigator.domain.shared.db import read_session, transaction
from navigator.domain.shared.models import CatalogChange
from search import relay as relay_module
from search.documents import build_batch
from search.relay import Relay, drain, ensure_index, make_client, reindex, relay_batch
from search.settings import apply_settings, index_settings
from seed.demo import seed_demo
from tests.factories import SYSTEM, build_world

_uids = itertools.count()


@pytest.fixture
def index(meili_server):
    """A client and a fresh index name for one test; the server is shared."""
    client = make_client(meili_server.url, meili_server.master_key)
    uid = f"programs_test_{next(_uids)}"
    yield client, uid
    client.delete_index(uid)


def hits(client, uid, query: str, **params) -> list[int]:
    return [hit["id"] for hit in client.index(uid).search(query, params)["hits"]]


def published(client, uid, query: str, program_id: int) -> bool:
    try:
        return hits(client, uid, query) == [program_id]
    except MeilisearchApiError:  # the relay has not created the index yet
        return False


def outbox_size(engine) -> int:
    with read_session(engine) as s:
        return s.exec(select(func.count()).select_from(CatalogChange)).one()


def test_settings_are_applied_and_reapplying_them_changes_nothing(engine, index):
    client, uid = index
    ensure_index(engine, client, uid)
    first = client.index(uid).get_settings()
    ensure_index(engine, client, uid)
    assert client.index(uid).get_settings() == first
    wanted = index_settings()
    for key in ("searchableAttributes", "localizedAttributes"):
        assert first[key] == wanted[key]
    for key in ("filterableAttributes", "sortableAttributes"):
        assert sorted(first[key]) == sorted(wanted[key])


def test_documents_carry_no_personal_data(engine):
    world = build_world(engine)
    world.apply()
    with read_session(engine) as s:
        document = build_batch(s, [world.program_id], world.today).documents[0]
        child = s.get(Child, world.child_id)
        people = [child.first_name, child.last_name, *s.exec(select(User.email)).all()]
    text = json.dumps(document, ensure_ascii=False)
    for value in people:
        assert value not in text
    assert document["title_ru"] == "Робототехника" and document["title_lt"] is None
    assert document["ages"] == list(range(7, 15))
    assert document["lowest_price"] == 50_000
    assert document["free_seats"] == 9  # ten seats, one promised to the application


def test_changes_reach_the_index_through_the_outbox(engine, index):
    client, uid = index
    world = build_world(engine, seats=3, today=date.today())
    drain(engine, client, uid=uid)
    assert outbox_size(engine) == 0
    assert hits(client, uid, "Робототехника") == [world.program_id]
    assert hits(client, uid, "robotika") == [world.program_id]  # a synonym across languages

    enrollment_id = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)
    drain(engine, client, uid=uid)  # the document counts seats of groups still running today
    document = client.index(uid).get_document(str(world.program_id))
    assert document.free_seats == 2

    with world.tx() as s:
        set_certification(
            s, SYSTEM, world.program_id, CertificationStatus.SUSPENDED, reason="licence lapsed"
        )
    drain(engine, client, uid=uid)
    assert hits(client, uid, "Робототехника") == []


def test_a_relay_killed_after_sending_loses_and_duplicates_nothing(engine, index, monkeypatch):
    client, uid = index
    seed_demo(engine, programs=40)  # bulk rows: in the catalog, not yet in the outbox
    world = build_world(engine)
    apply_settings(client, uid)  # settings only: a first full build would empty the outbox
    waiting = outbox_size(engine)
    assert waiting > 0

    real_session = relay_module.Session

    def crash_on_delete(bind, *args, **kwargs):
        if bind.get_execution_options().get("write"):
            raise KeyboardInterrupt("killed between sending and forgetting")
        return real_session(bind, *args, **kwargs)

    monkeypatch.setattr(relay_module, "Session", crash_on_delete)
    with pytest.raises(KeyboardInterrupt):
        relay_batch(engine, client, uid=uid)
    monkeypatch.undo()
    assert outbox_size(engine) == waiting  # nothing forgotten
    assert hits(client, uid, "Робототехника", filter=f"provider_id = {world.provider_id}")

    drain(engine, client, uid=uid)
    assert outbox_size(engine) == 0
    with read_session(engine) as s:
        in_catalog = s.exec(select(func.count()).select_from(Program)).one()
    stats = client.index(uid).get_stats()
    assert 0 < stats.number_of_documents <= in_catalog  # one document per program, at most


def test_an_outage_keeps_changes_in_the_outbox_until_meilisearch_returns(engine, index):
    client, uid = index
    world = build_world(engine)
    apply_settings(client, uid)
    unreachable = make_client("http://127.0.0.1:9", "x" * 16)
    with pytest.raises(Exception):  # noqa: B017 - any transport error
        relay_batch(engine, unreachable, uid=uid)
    assert outbox_size(engine) > 0
    drain(engine, client, uid=uid)
    assert hits(client, uid, "Робототехника") == [world.program_id]


def test_the_relay_thread_publishes_a_change_by_itself(engine, index):
    client, uid = index
    world = build_world(engine)
    relay = Relay(engine, client, uid=uid)
    thread = relay.start_thread()
    try:
        with world.tx() as s:  # a new title reaches parents once it is certified
            update_program(
                s,
                world.provider_user,
                world.program_id,
                ProgramFields(
                    title="Шахматный клуб",
                    direction="technical",
                    age_min=7,
                    age_max=14,
                    language="ru",
                ),
            )
        world.certify()
        deadline = time.monotonic() + 30
        while not published(client, uid, "Шахматный", world.program_id):
            assert time.monotonic() < deadline, "the change never reached the index"
            time.sleep(0.05)
    finally:
        relay.stop()
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_a_reindex_swaps_in_a_full_index_while_searches_keep_answering(engine, index):
    client, uid = index
    seed_demo(engine, programs=400)
    drain(engine, client, uid=uid)  # an index built from the outbox only: incomplete
    errors: list[BaseException] = []
    empty_pages = 0
    stop = threading.Event()

    def search_all_the_time():
        nonlocal empty_pages
        while not stop.is_set():
            try:
                if not client.index(uid).search("", {"limit": 1})["hits"]:
                    empty_pages += 1
            except BaseException as error:
                errors.append(error)

    ensure_index(engine, client, uid)  # empty index + non-empty catalog: a first full build
    searcher = threading.Thread(target=search_all_the_time)
    searcher.start()
    try:
        report = reindex(engine, client, uid=uid, batch_size=100)
    finally:
        stop.set()
        searcher.join()
    with read_session(engine) as s:
        from navigator.domain.programs.queries import count_catalog_programs

        in_catalog = count_catalog_programs(s)
    assert report.documents == in_catalog
    assert client.index(uid).get_stats().number_of_documents == in_catalog
    assert errors == [] and empty_pages == 0
    assert all(not i.uid.startswith(f"{uid}_") for i in client.get_indexes()["results"])


def test_the_app_searches_with_a_key_that_can_only_search(engine, index, meili_server):
    from meilisearch.errors import MeilisearchApiError as ApiError

    from search.keys import search_client

    client, uid = index
    build_world(engine)
    drain(engine, client, uid=uid)
    searcher = search_client(meili_server.url, meili_server.master_key, uid)
    assert searcher.config.api_key != meili_server.master_key
    assert searcher.index(uid).search("Робототехника")["hits"]
    with pytest.raises(ApiError):
        searcher.index(uid).add_documents([{"id": 1, "title_ru": "взлом"}])
    with pytest.raises(ApiError):
        searcher.get_keys()
    assert search_client(meili_server.url, meili_server.master_key, uid) is searcher


def test_a_reindex_forgets_the_changes_it_already_covers_and_big_providers_go_in_chunks(
    engine, index, monkeypatch
):
    client, uid = index
    seed_demo(engine, programs=120)  # leaves provider rows: each stands for all its programs
    assert outbox_size(engine) > 0
    apply_settings(client, uid)
    monkeypatch.setattr(relay_module, "DOCUMENTS_PER_REQUEST", 7)
    consumed = relay_batch(engine, client, uid=uid)  # many chunks, one wait, then forget
    assert consumed > 0 and outbox_size(engine) == 0
    with read_session(engine) as s:
        provider_id = s.exec(select(Program.provider_id)).first()
        program = s.exec(select(Program).where(Program.provider_id == provider_id)).first()
        program.title = "Переименовано"
    with transaction(engine) as s:
        s.add(program)
    assert outbox_size(engine) == 1
    reindex(engine, client, uid=uid)
    assert outbox_size(engine) == 0  # the new index was built after that change committed


def _rename_provider(engine, provider_id: int, name: str) -> None:
    """A change parents see at once, in one transaction: every program of the provider."""
    with transaction(engine) as s:
        provider = s.get(Provider, provider_id)
        assert provider is not None
        provider.name = name
        s.add(provider)


def _provider_name(client, uid, program_id: int) -> str | None:
    try:
        return client.index(uid).get_document(program_id).provider_name
    except MeilisearchApiError:  # the relay has not created the index yet
        return None


def test_a_change_after_a_quiet_spell_goes_at_once_and_one_in_the_interval_waits(engine, index):
    client, uid = index
    world = build_world(engine)
    drain(engine, client, uid=uid)
    relay = Relay(engine, client, uid=uid, interval_seconds=30)
    thread = relay.start_thread()
    try:
        _rename_provider(engine, world.provider_id, "Шахматная школа")  # at once, not in 30 s
        deadline = time.monotonic() + 20
        while _provider_name(client, uid, world.program_id) != "Шахматная школа":
            assert time.monotonic() < deadline, "the first change waited for the interval"
            time.sleep(0.05)
        _rename_provider(engine, world.provider_id, "Театральная студия")  # it waits
        time.sleep(3)  # the relay without an interval sent it within a few hundred ms
        assert thread.is_alive()
        assert _provider_name(client, uid, world.program_id) == "Шахматная школа"
        assert outbox_size(engine) == 1
    finally:
        relay.stop()
        thread.join(timeout=10)
    assert not thread.is_alive()
    drain(engine, client, uid=uid)  # nothing is lost by waiting: the row is still there
    assert _provider_name(client, uid, world.program_id) == "Театральная студия"


class _Pauses(threading.Event):
    """The relay's stop event, recording how long each pause of its loop was meant to last;
    set after `rounds` pauses, which ends the loop."""

    def __init__(self, rounds: int) -> None:
        super().__init__()
        self.rounds, self.pauses = rounds, []

    def wait(self, timeout: float | None = None) -> bool:
        self.pauses.append(timeout)
        if len(self.pauses) >= self.rounds:
            self.set()
        return self.is_set()


def test_the_loop_waits_out_the_interval_after_a_batch_but_not_after_a_full_one(
    engine, index, monkeypatch
):
    """The loop's pauses, batch by batch: a batch that sent some rows is followed by the rest
    of the interval; a full one (a backlog) by the next batch at once; none by the idle poll."""
    client, uid = index
    batches = iter([3, relay_module.BATCH_ROWS, 0, 1])
    monkeypatch.setattr(relay_module, "relay_batch", lambda *_args, **_kw: next(batches))
    relay = Relay(engine, client, uid=uid, interval_seconds=60, idle_seconds=0.05)
    relay._stop = _Pauses(rounds=3)
    relay.run()
    after_some, after_idle, after_one = relay._stop.pauses
    assert 55 < after_some <= 60  # the rest of the minute since the batch began
    assert after_idle == 0.05
    assert 55 < after_one <= 60
    assert len(relay._stop.pauses) == 3  # the full batch was followed by none


@pytest.mark.parametrize("value", ["-1", "60001", "soon", "１０００"])
def test_a_relay_interval_out_of_range_is_refused_when_the_settings_are_read(monkeypatch, value):
    from navigator.settings import load_settings

    monkeypatch.setenv("NAVIGATOR_RELAY_INTERVAL_MS", value)
    with pytest.raises(ValueError, match="NAVIGATOR_RELAY_INTERVAL_MS"):
        load_settings()


def test_the_relay_takes_its_interval_from_the_settings(monkeypatch, engine):
    from navigator.settings import get_settings

    monkeypatch.setenv("NAVIGATOR_RELAY_INTERVAL_MS", "250")
    get_settings.cache_clear()
    try:
        assert Relay(engine, make_client("http://127.0.0.1:9", "x" * 16)).interval_seconds == 0.25
    finally:
        get_settings.cache_clear()
