"""Program photos: only real images are kept, re-encoded without metadata, served by name."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role
from navigator.domain.programs.api import set_listing
from navigator.domain.programs.models import Program
from navigator.domain.programs.photos import (
    MAX_PHOTO_BYTES,
    forget_photo,
    media_dir,
    remove_program_photo,
    set_program_photo,
)
from navigator.domain.programs.queries import public_program
from navigator.domain.providers.api import create_provider
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from navigator.settings import get_settings
from tests.factories import build_world

GPS_TAG = 0x8825


def image_bytes(fmt: str = "JPEG", size=(1200, 800), *, gps: bool = False, mode="RGB") -> bytes:
    picture = Image.new(mode, size, "teal" if mode == "RGB" else 1)
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # camera make
        exif[GPS_TAG] = {1: "N", 2: (54.0, 41.0, 12.0)}  # where the class was photographed
        picture.save(out, format=fmt, exif=exif)
    else:
        picture.save(out, format=fmt)
    return out.getvalue()


def files(directory) -> list:
    return list(directory.iterdir()) if directory.exists() else []


def _photo(world) -> str:
    with read_session(world.engine) as s:
        return s.get(Program, world.program_id).photo


def test_a_photo_is_stored_as_a_clean_jpeg_and_replacing_it_removes_the_old_file(engine, tmp_path):
    photos = tmp_path / "photos"
    world = build_world(engine)
    upload = image_bytes("JPEG", (3000, 2000), gps=True)
    assert Image.open(io.BytesIO(upload)).getexif().get(GPS_TAG) is not None
    with world.tx() as s:
        replaced = set_program_photo(s, world.provider_user, world.program_id, upload, photos)
    assert replaced == ""
    first = _photo(world)
    stored = Image.open(photos / first)
    assert stored.format == "JPEG" and max(stored.size) == 1600
    assert dict(stored.getexif()) == {}  # no camera, no position
    with read_session(engine) as s:  # a photo does not send a certified program back to review
        program = s.get(Program, world.program_id)
        assert program.certification_status == "certified"
        assert (
            public_program(s, world.program_id, world.today).photo_url == f"/media/programs/{first}"
        )

    with world.tx() as s:
        replaced = set_program_photo(
            s, world.provider_user, world.program_id, image_bytes("PNG"), photos
        )
    forget_photo(photos, replaced)
    assert replaced == first and not (photos / first).exists()
    second = _photo(world)
    assert (photos / second).exists() and second != first
    with world.tx() as s:
        forget_photo(photos, remove_program_photo(s, world.provider_user, world.program_id, photos))
    assert _photo(world) == "" and files(photos) == []


def _svg() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: b"name,age\nAnya,9\n", "photo_not_image"),
        (_svg, "photo_not_image"),
        (lambda: image_bytes("GIF"), "photo_not_image"),
        (lambda: image_bytes("PNG")[:200], "photo_not_image"),  # a truncated image
        (lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 500, "photo_not_image"),
        (lambda: image_bytes("PNG", (12_000, 5_000), mode="1"), "photo_not_image"),  # a bomb
        (lambda: image_bytes("JPEG", (120, 90)), "photo_too_small"),
        (lambda: b"\xff\xd8" + b"\x00" * MAX_PHOTO_BYTES, "photo_too_large"),
        (lambda: b"", "field_required"),
        (lambda: "not bytes", "field_required"),
    ],
)
def test_anything_but_a_real_photo_is_refused_and_nothing_is_stored(engine, tmp_path, make, code):
    photos = tmp_path / "photos"
    world = build_world(engine)
    with pytest.raises(InvalidInput) as raised, world.tx() as s:
        set_program_photo(s, world.provider_user, world.program_id, make(), photos)
    assert raised.value.code == code
    assert _photo(world) == "" and files(photos) == []


def test_another_provider_or_an_archived_program_gets_no_photo(engine, tmp_path):
    photos = tmp_path / "photos"
    world = build_world(engine)
    with world.tx() as s:
        other = create_provider(s, municipality_id=world.municipality_id, name="X", kind="private")
        intruder = Actor.user(
            create_user(
                s,
                "photo.intruder@example.org",
                "intruder-pass-1",
                roles=((Role.PROVIDER_OWNER, None, other.id),),
            ).id
        )
    for actor in (intruder, world.parent):
        with pytest.raises(NotFound), world.tx() as s:
            set_program_photo(s, actor, world.program_id, image_bytes(), photos)
        with pytest.raises(NotFound), world.tx() as s:
            remove_program_photo(s, actor, world.program_id, photos)
    with world.tx() as s:
        set_listing(s, world.provider_user, world.program_id, "suspended")
        set_listing(s, world.provider_user, world.program_id, "archived")
    with pytest.raises(Conflict), world.tx() as s:
        set_program_photo(s, world.provider_user, world.program_id, image_bytes(), photos)
    assert files(photos) == []


def test_the_media_route_serves_only_names_the_app_made(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("NAVIGATOR_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        world = build_world(engine)
        directory = media_dir(tmp_path)
        with world.tx() as s:
            set_program_photo(s, world.provider_user, world.program_id, image_bytes(), directory)
        (tmp_path / "secret.txt").write_text("database password")
        from navigator.api.media import media

        client = TestClient(media)
        response = client.get(f"/media/programs/{_photo(world)}")
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/jpeg"
        assert response.headers["x-content-type-options"] == "nosniff"
        for name in ("..%2F..%2Fsecret.txt", "secret.txt", "1-0123456789abcdef.jpg", "x" * 500):
            assert client.get(f"/media/programs/{name}").status_code == 404
    finally:
        get_settings.cache_clear()
