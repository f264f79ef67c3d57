"""The web process works with keys scoped to the catalog index and never holds the master
key: the relay's key rewrites the catalog (a reindex included) and nothing else."""

from __future__ import annotations

import itertools

import pytest
from meilisearch.errors import MeilisearchApiError

from navigator.devserver import app_environment
from search.keys import relay_key, search_key
from search.relay import drain, ensure_index, make_client, reindex
from tests.factories import build_world

_uids = itertools.count()


@pytest.fixture
def scoped(meili_server):
    admin = make_client(meili_server.url, meili_server.master_key)
    uid = f"programs_scoped_{next(_uids)}"
    relay = make_client(meili_server.url, relay_key(admin, uid))
    yield admin, relay, uid
    admin.delete_index(uid)


def test_the_relay_key_builds_and_rebuilds_the_catalog_index(engine, scoped):
    admin, relay, uid = scoped
    build_world(engine)
    ensure_index(engine, relay, uid)  # creates the index and applies its settings
    drain(engine, relay, uid=uid)
    report = reindex(engine, relay, uid=uid)  # a new index beside it, swapped in, dropped
    assert report.documents == relay.index(uid).get_stats().number_of_documents > 0
    assert admin.index(uid).search("Робототехника")["hits"]


def test_the_relay_key_touches_no_other_index_and_makes_no_keys(scoped):
    admin, relay, _uid = scoped
    admin.create_index("elsewhere_scoped_test")
    try:
        for forbidden in (
            lambda: relay.get_keys(),
            lambda: relay.create_key({"actions": ["*"], "indexes": ["*"], "expiresAt": None}),
            lambda: relay.index("elsewhere_scoped_test").add_documents([{"id": 1}]),
            lambda: relay.index("elsewhere_scoped_test").get_stats(),
            lambda: relay.delete_index("elsewhere_scoped_test"),
        ):
            with pytest.raises(MeilisearchApiError) as refused:
                forbidden()
            assert refused.value.status_code == 403
    finally:
        admin.delete_index("elsewhere_scoped_test")


def test_the_app_process_gets_its_scoped_keys_and_never_the_master_key(meili_server):
    base = {"PATH": "/usr/bin", "MEILI_MASTER_KEY": meili_server.master_key}
    env = app_environment(meili_server.url, meili_server.master_key, base)
    assert "MEILI_MASTER_KEY" not in env
    assert meili_server.master_key not in env.values()
    admin = make_client(meili_server.url, meili_server.master_key)
    assert env["MEILI_SEARCH_KEY"] == search_key(admin)
    assert env["MEILI_RELAY_KEY"] == relay_key(admin)
