"""A program's photo in the catalog: its search document carries the certified photo's
address (the card asks SQL nothing), and adding or removing a photo reaches the index
through the outbox."""

from __future__ import annotations

import io
import itertools
from datetime import date

import pytest
from PIL import Image
from sqlmodel import col, delete, select

from navigator.domain.programs.photos import remove_program_photo, set_program_photo
from navigator.domain.shared.db import read_session
from navigator.domain.shared.models import CatalogChange
from search.documents import build_batch
from search.fallback import search_catalog_sql
from search.query import CatalogQuery
from search.relay import drain, make_client
from tests.factories import build_world

_uids = itertools.count()


def image_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), "teal").save(out, format="PNG")
    return out.getvalue()


def _document(world) -> dict:
    with read_session(world.engine) as s:
        (document,) = build_batch(s, [world.program_id], world.today).documents
    return document


def _photo_url(world) -> str:
    with read_session(world.engine) as s:
        (hit,) = search_catalog_sql(s, CatalogQuery(), world.today).hits
    return hit.photo_url


def _outbox(world) -> list[int | None]:
    with read_session(world.engine) as s:
        return list(s.exec(select(CatalogChange.program_id).order_by(col(CatalogChange.id))))


def _empty_outbox(world) -> None:
    with world.tx() as s:
        s.exec(delete(CatalogChange))  # type: ignore[call-overload]


def test_the_document_carries_the_certified_photo_and_no_photo_as_empty(engine, media):
    world = build_world(engine)
    assert _document(world)["photo_url"] == ""  # the card shows its direction's drawing
    assert _photo_url(world) == ""
    with world.tx() as s:
        set_program_photo(s, world.provider_user, world.program_id, image_bytes(), media)
    assert _document(world)["photo_url"] == ""  # waiting for review: not shown yet
    world.certify()
    url = _document(world)["photo_url"]
    assert url.startswith("/media/programs/") and (media / url.rsplit("/", 1)[1]).is_file()
    assert _photo_url(world) == url  # the degraded search shows the same


def test_adding_or_removing_a_photo_leaves_the_program_in_the_outbox(engine, media):
    world = build_world(engine)
    _empty_outbox(world)
    with world.tx() as s:
        set_program_photo(s, world.provider_user, world.program_id, image_bytes(), media)
    assert _outbox(world) == [world.program_id]

    _empty_outbox(world)
    with world.tx() as s:
        remove_program_photo(s, world.provider_user, world.program_id, media)
    assert _outbox(world) == [world.program_id]

    _empty_outbox(world)
    with world.tx() as s:  # nothing to remove: nothing changed, nothing to publish
        remove_program_photo(s, world.provider_user, world.program_id, media)
    assert _outbox(world) == []


@pytest.fixture
def index(meili_server):
    client = make_client(meili_server.url, meili_server.master_key)
    uid = f"programs_photos_{next(_uids)}"
    yield client, uid
    client.delete_index(uid)


def test_a_certified_photo_reaches_the_index_and_a_removed_one_leaves_it(engine, media, index):
    client, uid = index
    world = build_world(engine, today=date.today())
    drain(engine, client, uid=uid)

    def shown() -> str:
        return client.index(uid).get_document(str(world.program_id)).photo_url

    assert shown() == ""
    with world.tx() as s:
        set_program_photo(s, world.provider_user, world.program_id, image_bytes(), media)
    world.certify()
    drain(engine, client, uid=uid)
    assert shown() == _document(world)["photo_url"] != ""

    with world.tx() as s:
        remove_program_photo(s, world.provider_user, world.program_id, media)
    drain(engine, client, uid=uid)
    assert shown() != ""  # parents keep the certified photo while the change waits
    world.certify()
    drain(engine, client, uid=uid)
    assert shown() == ""
