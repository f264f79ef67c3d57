"""A catalog card and a program's page show the certified photo, else the drawing of the
program's direction; the official reviewing a new photo sees the pictures."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from reflex.istate.data import ReflexURL, RouterData

import navigator.domain.shared.db as db
import navigator.state.catalog as catalog_module
from navigator.domain.programs.certification import Change
from navigator.domain.programs.photos import media_dir, set_program_photo
from navigator.settings import get_settings
from navigator.state.app import AppState
from navigator.state.catalog import CatalogState
from navigator.state.municipality import _change_line
from navigator.state.program import ProgramState
from search.fallback import search_catalog_sql
from tests.factories import build_world
from tests.support.handlers import settle


def _opened(state_class, url: str):
    state = state_class(_reflex_internal_init=True)
    state.router = RouterData(url=ReflexURL(f"http://localhost:3000{url}"))
    settle(state.load())
    return state


@pytest.fixture
def world(engine, tmp_path, monkeypatch):
    """A visitor's catalog on the test database, answered by the degraded (SQL) search."""
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    monkeypatch.setattr(AppState, "_session_token", lambda self: None)
    monkeypatch.setenv("NAVIGATOR_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    world = build_world(engine)

    def answered_from_sql(query):
        with db.read_session(engine) as session:
            return search_catalog_sql(session, query, world.today)

    monkeypatch.setattr(catalog_module, "find_programs", answered_from_sql)
    yield world
    get_settings.cache_clear()


def test_a_program_without_a_photo_shows_its_direction_drawing(world):
    (card,) = _opened(CatalogState, "/").cards
    assert (card.photo_url, card.placeholder) == ("", "/directions/technical.svg")
    page = _opened(ProgramState, f"/programs/{world.program_id}")
    assert (page.photo_url, page.placeholder) == ("", "/directions/technical.svg")


def test_the_card_and_the_page_show_the_certified_photo(world, tmp_path):
    out = io.BytesIO()
    Image.new("RGB", (800, 600), "teal").save(out, format="PNG")
    with world.tx() as s:
        set_program_photo(
            s, world.provider_user, world.program_id, out.getvalue(), media_dir(tmp_path)
        )
    (card,) = _opened(CatalogState, "/").cards
    assert card.photo_url == ""  # waiting for review
    world.certify()
    (card,) = _opened(CatalogState, "/").cards
    page = _opened(ProgramState, f"/programs/{world.program_id}")
    assert card.photo_url.startswith("/media/programs/") and page.photo_url == card.photo_url


def test_the_official_reviews_a_changed_photo_as_pictures_not_file_names():
    line = _change_line(Change("photo", "", "5-0123456789abcdef.jpg"), "RUB", "ru")
    assert (line.before, line.before_photo) == ("—", "")
    assert (line.after, line.after_photo) == ("", "/media/programs/5-0123456789abcdef.jpg")
    title = _change_line(Change("title", "Шахматы", "Шахматы 2"), "RUB", "ru")
    assert (title.before, title.after, title.after_photo) == ("Шахматы", "Шахматы 2", "")
