"""Program photos: only real images are kept, re-encoded without metadata, served by name;
a new photo is reviewed like any content, and parents see the certified one meanwhile."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role
from navigator.domain.programs.api import ProgramFields, create_program, set_listing
from navigator.domain.programs.certification import (
    Change,
    certification_queue,
    program_changes,
    set_certification,
)
from navigator.domain.programs.models import CertificationStatus, Program
from navigator.domain.programs.photos import (
    MAX_PHOTO_BYTES,
    media_dir,
    remove_program_photo,
    set_program_photo,
)
from navigator.domain.programs.queries import public_program
from navigator.domain.providers.api import create_provider
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from navigator.settings import get_settings
from tests.factories import SYSTEM, build_world

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

    with world.tx() as s:  # the first waited for review: nobody saw it, its file goes
        replaced = set_program_photo(
            s, world.provider_user, world.program_id, image_bytes("PNG"), photos
        )
    assert replaced == first and not (photos / first).exists()
    second = _photo(world)
    assert (photos / second).exists() and second != first
    with world.tx() as s:
        assert remove_program_photo(s, world.provider_user, world.program_id, photos) == second
    assert _photo(world) == "" and files(photos) == []


def _shown(world) -> str:
    with read_session(world.engine) as s:
        return public_program(s, world.program_id, world.today).photo_url


def _status(world) -> str:
    with read_session(world.engine) as s:
        return s.get(Program, world.program_id).certification_status


def test_a_new_photo_waits_for_review_while_parents_keep_the_certified_one(engine, media):
    world = build_world(engine)
    with world.tx() as s:
        set_program_photo(s, world.provider_user, world.program_id, image_bytes(), media)
    first = _photo(world)
    assert _status(world) == "submitted"  # a photo is content like the text: reviewed
    assert _shown(world) == ""  # certified without a photo: its direction's drawing
    with read_session(engine) as s:
        (change,) = certification_queue(s, SYSTEM, world.municipality_id)[0].changes
    assert change == Change("photo", "", first)  # the official sees what would be shown

    world.certify()
    assert _shown(world) == f"/media/programs/{first}"

    with world.tx() as s:  # swapped after certification: back to review, parents see the first
        assert (
            set_program_photo(s, world.provider_user, world.program_id, image_bytes("PNG"), media)
            == first
        )
    second = _photo(world)
    assert _status(world) == "submitted"
    assert _shown(world) == f"/media/programs/{first}" and (media / first).exists()

    with world.tx() as s:  # the waiting one taken off: its file goes, the certified one stays
        remove_program_photo(s, world.provider_user, world.program_id, media)
    assert not (media / second).exists() and (media / first).exists()
    assert _shown(world) == f"/media/programs/{first}"

    world.certify()  # certified without a photo: the old certified file is no longer needed
    assert _shown(world) == "" and files(media) == []


def test_a_rolled_back_certification_keeps_the_certified_photo(engine, media):
    world = build_world(engine)
    with world.tx() as s:
        set_program_photo(s, world.provider_user, world.program_id, image_bytes(), media)
    world.certify()
    first = _photo(world)
    with world.tx() as s:
        remove_program_photo(s, world.provider_user, world.program_id, media)
    with pytest.raises(RuntimeError), world.tx() as s:
        set_certification(s, SYSTEM, world.program_id, CertificationStatus.CERTIFIED)
        raise RuntimeError("the request fails after the decision")
    assert (media / first).exists() and _shown(world) == f"/media/programs/{first}"


def test_a_version_certified_before_photos_were_reviewed_keeps_the_photo_parents_saw(engine, media):
    world = build_world(engine)
    with world.tx() as s:
        set_program_photo(s, world.provider_user, world.program_id, image_bytes(), media)
    world.certify()
    first = _photo(world)
    with world.tx() as s:  # as versions were stamped before: no photo in them
        program = s.get(Program, world.program_id)
        program.certified_version = {
            k: v for k, v in program.certified_version.items() if k != "photo"
        }
        s.add(program)
    assert _shown(world) == f"/media/programs/{first}"
    with read_session(engine) as s:  # nothing changed: nothing to review, nothing differs
        program = s.get(Program, world.program_id)
        assert program.shown == program.terms()
        assert program_changes(s, program)[1] == []

    with world.tx() as s:
        set_program_photo(s, world.provider_user, world.program_id, image_bytes("PNG"), media)
    second = _photo(world)
    assert _status(world) == "submitted"
    assert _shown(world) == f"/media/programs/{first}" and (media / first).exists()
    with read_session(engine) as s:
        program = s.get(Program, world.program_id)
        assert program_changes(s, program)[1] == [Change("photo", first, second)]


def test_a_free_program_never_certified_shows_a_new_photo_at_once(engine, media):
    world = build_world(engine)
    with world.tx() as s:
        free = create_program(
            s,
            world.provider_user,
            world.provider_id,
            ProgramFields(
                title="Кружок",
                direction="artistic",
                age_min=7,
                age_max=12,
                language="ru",
                is_free=True,
            ),
        )
    world.program_id = free.id
    with world.tx() as s:
        set_program_photo(s, world.provider_user, free.id, image_bytes(), media)
    assert _status(world) == "draft"  # nothing certified to go back from
    assert _shown(world) == f"/media/programs/{_photo(world)}"


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


@pytest.mark.parametrize(
    "name",
    [
        "..%2F1-0123456789abcdef.jpg",  # a photo-like file one level up
        "..%2F..%2Fsecret.txt",
        "%2E%2E%2F%2E%2E%2Fsecret.txt",
        "..%5C..%5Csecret.txt",  # Windows separators
        "%2Fetc%2Fpasswd",  # an absolute path
        "%252E%252E%252Fsecret.txt",  # encoded twice
        "2-0123456789abcdef.jpg%0A",  # a trailing newline
        "2-0123456789abcdef.jpg%00.png",
        "2-0123456789ABCDEF.jpg",
        "3-0123456789abcdef.jpg",  # a directory with a photo's name
    ],
)
def test_the_media_route_refuses_path_tricks(engine, media, name):
    world = build_world(engine)
    with world.tx() as s:
        set_program_photo(s, world.provider_user, world.program_id, image_bytes(), media)
    (media.parent / "1-0123456789abcdef.jpg").write_bytes(image_bytes())
    (media.parent.parent / "secret.txt").write_text("database password")
    (media / "2-0123456789abcdef.jpg").write_bytes(image_bytes())
    (media / "3-0123456789abcdef.jpg").mkdir()
    from navigator.api.media import media as media_app

    client = TestClient(media_app)
    assert client.get("/media/programs/2-0123456789abcdef.jpg").status_code == 200
    response = client.get(f"/media/programs/{name}")
    assert response.status_code == 404 and b"password" not in response.content


def test_a_photo_is_served_as_a_jpeg_cached_for_good_under_its_never_reused_name(engine, media):
    world = build_world(engine)
    with world.tx() as s:
        set_program_photo(s, world.provider_user, world.program_id, image_bytes(), media)
    from navigator.api.media import media as media_app

    response = TestClient(media_app).get(f"/media/programs/{_photo(world)}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-security-policy"] == "default-src 'none'"
    assert Image.open(io.BytesIO(response.content)).format == "JPEG"
