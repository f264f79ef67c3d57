"""A culture service's photo: stored clean, reviewed like the rest of the service (schools
keep the approved photo until the operator decides), and its files never left behind."""

from __future__ import annotations

import pytest

from navigator.domain.culture.models import CultureService, ServiceStatus
from navigator.domain.culture.overview import services_for_review
from navigator.domain.culture.photos import remove_service_photo, set_service_photo
from navigator.domain.culture.services import bookable_terms, review_service
from navigator.domain.programs.photos import photo_url
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import InvalidInput, NotFound
from search.culture_documents import culture_documents
from tests.domain.culture.people import a_parent
from tests.domain.culture.world import NOW, build_culture
from tests.domain.programs.test_photos import image_bytes


def _service(world) -> CultureService:
    with read_session(world.engine) as s:
        return s.get(CultureService, world.service_id)


def _files(directory) -> set[str]:
    return {p.name for p in directory.iterdir()} if directory.exists() else set()


def test_a_new_photo_waits_for_the_operator_while_schools_see_the_approved_one(engine, media):
    world = build_culture(engine)  # an approved service without a photo
    with world.tx() as s:
        set_service_photo(s, world.provider_user, world.service_id, image_bytes(), media)
    first = _service(world).photo
    assert _files(media) == {first} and first.startswith(f"{world.service_id}-")
    service = _service(world)
    assert service.status == ServiceStatus.SUBMITTED
    assert bookable_terms(service) is not None and bookable_terms(service).get("photo", "") == ""
    with read_session(engine) as s:
        [line] = [
            w for w in services_for_review(s, world.operator).waiting if w.service.id == service.id
        ]
    assert [(c.field, c.before, c.after) for c in line.changes] == [("photo", "", first)]
    with world.tx() as s:
        review_service(s, world.operator, world.service_id, "approve")
    assert bookable_terms(_service(world))["photo"] == first
    with world.tx() as s:  # a second photo: the approved one stays until it is approved
        set_service_photo(s, world.provider_user, world.service_id, image_bytes("PNG"), media)
    second = _service(world).photo
    assert _files(media) == {first, second}
    with world.tx() as s:
        review_service(s, world.operator, world.service_id, "reject", "Ne ta nuotrauka")
    service = _service(world)  # refused: the approved photo is back, the refused file is gone
    assert (service.photo, service.status) == (first, ServiceStatus.APPROVED)
    assert _files(media) == {first}
    with world.tx() as s:
        remove_service_photo(s, world.provider_user, world.service_id)
    assert _files(media) == {first}  # schools still see it until the removal is approved
    with world.tx() as s:
        review_service(s, world.operator, world.service_id, "approve")
    assert _files(media) == set() and bookable_terms(_service(world))["photo"] == ""


def test_only_the_services_provider_sets_a_photo_and_only_an_image(engine, media):
    world = build_culture(engine)
    other = build_culture(engine)
    for outsider in (other.provider_user, world.coordinator, world.operator, a_parent(engine)):
        with world.tx() as s, pytest.raises(NotFound):
            set_service_photo(s, outsider, world.service_id, image_bytes(), media)
        with world.tx() as s, pytest.raises(NotFound):
            remove_service_photo(s, outsider, world.service_id)
    for bad in (b"", b"not an image", image_bytes(size=(50, 50))):
        with world.tx() as s, pytest.raises(InvalidInput):
            set_service_photo(s, world.provider_user, world.service_id, bad, media)
    assert _files(media) == set()
    assert (_service(world).photo, _service(world).status) == ("", ServiceStatus.APPROVED)


def test_the_catalog_shows_the_approved_photo_never_one_in_review(engine, media):
    world = build_culture(engine)
    with world.tx() as s:
        set_service_photo(s, world.provider_user, world.service_id, image_bytes(), media)

    def shown() -> str:
        with read_session(engine) as s:
            [document] = [
                d
                for d in culture_documents(s, [world.service_id], NOW)
                if d["id"] == world.service_id
            ]
        return document["photo_url"]

    assert shown() == ""  # waiting for the operator
    with world.tx() as s:
        review_service(s, world.operator, world.service_id, "approve")
    assert shown() == photo_url(_service(world).photo) != ""
