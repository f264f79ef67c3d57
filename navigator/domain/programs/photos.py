"""Program photos: checked, re-encoded without their metadata, stored under var/media.

An upload is trusted for nothing: its bytes must decode as a JPEG, PNG or WebP image of a
sensible size. What is stored is a fresh JPEG drawn from the decoded pixels, so camera
metadata (a phone's GPS position of a children's class, for one) and anything hidden in
the file never reach the catalog. Files get random names; the program row names its file.

The photo is certified content: a new one sends a certified program back to review, and
until the municipality certifies it parents keep seeing the certified photo, whose file
stays until a certification replaces it.
"""

from __future__ import annotations

import contextlib
import io
import re
import secrets
import warnings
from pathlib import Path

from PIL import Image, ImageOps
from sqlmodel import Session

from navigator import routes
from navigator.domain.accounts.access import Actor, check_provider_staff
from navigator.domain.programs.api import back_to_review, check_not_archived
from navigator.domain.programs.models import CERTIFIED_PHOTO, Program
from navigator.domain.shared.db import after_commit, after_rollback
from navigator.domain.shared.errors import InvalidInput, NotFound
from navigator.domain.shared.locks import locked
from navigator.settings import get_settings

MAX_PHOTO_BYTES = 5_000_000


MIN_SIDE = 200  # pixels; anything smaller is an icon, not a photo


MAX_PIXELS = 40_000_000  # refuses decompression bombs long before memory suffers


STORED_SIDE = 1600


ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}


PHOTO_NAME = re.compile(r"[0-9]{1,10}-[0-9a-f]{16}\.jpg")


def photo_url(name: str) -> str:
    """Where the browser loads a stored photo; "" when there is none."""
    return f"{routes.MEDIA_PROGRAMS}{name}" if name else ""


def media_dir(var_dir: Path) -> Path:
    return var_dir / "media" / "programs"


def clean_photo(data: bytes) -> bytes:
    """The upload as a metadata-free JPEG at most STORED_SIDE pixels on its longer side."""
    if not isinstance(data, bytes | bytearray) or not data:
        raise InvalidInput("field_required", field="photo")
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput("photo_too_large", max_mb=MAX_PHOTO_BYTES // 1_000_000)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ALLOWED_FORMATS:
                    raise InvalidInput("photo_not_image")
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise InvalidInput("photo_not_image")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                picture = ImageOps.exif_transpose(image).convert("RGB")
    except InvalidInput:
        raise
    except Exception as error:  # a broken file fails in many ways inside Pillow
        raise InvalidInput("photo_not_image") from error
    if min(picture.size) < MIN_SIDE:
        raise InvalidInput("photo_too_small", min=MIN_SIDE)
    picture.thumbnail((STORED_SIDE, STORED_SIDE))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def photo_file(directory: Path, name: str) -> Path | None:
    """The stored file for a name from a URL, or None: only names we make are accepted."""
    if not isinstance(name, str) or not PHOTO_NAME.fullmatch(name):
        return None
    path = directory / name
    return path if path.is_file() else None


def set_program_photo(
    session: Session, actor: Actor, program_id: int, data: bytes, directory: Path
) -> str:
    """Store a new photo for the program; the replaced file goes once the change has
    committed (unless parents still see it as the certified one), the new one if it rolls
    back. A certified program goes back to review. Returns the replaced file's name."""
    program = _program_for_photo(session, actor, program_id)
    picture = clean_photo(data)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{program.id}-{secrets.token_hex(8)}.jpg"
    (directory / name).write_bytes(picture)
    after_rollback(session, lambda: forget_photo(directory, name))
    return _change_photo(session, program, name, directory)


def remove_program_photo(session: Session, actor: Actor, program_id: int, directory: Path) -> str:
    """Take the photo off the program; its file goes once the change has committed, unless
    parents still see it as the certified one. A certified program goes back to review."""
    program = _program_for_photo(session, actor, program_id)
    return _change_photo(session, program, "", directory)


def _change_photo(session: Session, program: Program, name: str, directory: Path) -> str:
    old = program.photo
    if old == name:
        return old
    version = program.certified_version
    if version is not None and CERTIFIED_PHOTO not in version:
        # certified before photos were reviewed: parents keep the photo they have been seeing
        program.certified_version = {**version, CERTIFIED_PHOTO: old}
    if old != program.shown[CERTIFIED_PHOTO]:
        after_commit(session, lambda: forget_photo(directory, old))
    program.photo = name
    back_to_review(program)
    session.add(program)
    session.flush()
    return old


def release_certified_photo(session: Session, program: Program, before: str) -> None:
    """A certification has replaced the certified photo `before`: its file goes once that
    has committed, unless the program still has it as its own."""
    if before and before not in (program.photo, program.shown[CERTIFIED_PHOTO]):
        directory = media_dir(get_settings().var_dir)
        after_commit(session, lambda: forget_photo(directory, before))


def _program_for_photo(session: Session, actor: Actor, program_id: int) -> Program:
    program = locked(session, Program, program_id)
    if program is None:
        raise NotFound()
    check_provider_staff(session, actor, program.provider_id)
    check_not_archived(program)
    return program


def forget_photo(directory: Path, name: str) -> None:
    """Delete a replaced photo's file; a name we did not make is ignored."""
    path = photo_file(directory, name) if name else None
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink()


def forget_after_commit(session: Session, name: str) -> None:
    """Delete a photo's file once the change that stopped showing it has committed."""
    if name:
        directory = media_dir(get_settings().var_dir)
        after_commit(session, lambda: forget_photo(directory, name))
