"""A card's picture and the program page's: a lazy image whose box is known before it loads,
the photo described by the program's title, else the direction's drawing (decorative)."""

from __future__ import annotations

from typing import Any

import reflex as rx

import navigator.navigator  # noqa: F401 - registers the states the pages read
from navigator.components.program_card import program_card
from navigator.pages.program import program_page
from navigator.state.catalog import CatalogState


def _images(node: Any) -> list[set[str]]:
    """The props of every <img> in a rendered component tree."""
    found = []
    if isinstance(node, dict):
        if node.get("name") == '"img"':
            found.append(set(node.get("props", [])))
        for value in node.values():
            found += _images(value)
    elif isinstance(node, list):
        for value in node:
            found += _images(value)
    return found


def _by_class(images: list[set[str]], name: str) -> set[str]:
    (props,) = [p for p in images if any(name in prop for prop in p if "className" in prop)]
    return props


def test_the_card_shows_a_lazy_photo_with_its_title_else_its_direction_drawing():
    images = _images(rx.foreach(CatalogState.cards, program_card).render())
    photo = _by_class(images, "program-card-photo")
    placeholder = _by_class(images, "program-card-placeholder")
    for props in (photo, placeholder):
        assert {'loading:"lazy"', 'decoding:"async"', 'width:"480"', 'height:"270"'} <= props
    assert {'src:program_rx_state_?.["photo_url"]', 'alt:program_rx_state_?.["title"]'} <= photo
    assert {'src:program_rx_state_?.["placeholder"]', 'alt:""'} <= placeholder


def test_the_program_page_shows_its_photo_else_its_direction_drawing():
    images = _images(program_page().render())
    photo = _by_class(images, "program-photo")
    placeholder = _by_class(images, "program-placeholder")
    assert 'id:"program-photo"' in photo and 'id:"program-placeholder"' in placeholder
    for props in (photo, placeholder):
        assert {'loading:"lazy"', 'decoding:"async"', 'width:"800"', 'height:"600"'} <= props
    assert 'alt:""' in placeholder and 'alt:""' not in photo
