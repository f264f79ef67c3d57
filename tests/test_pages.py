"""Every page builds: a component mistake (a cond without its other branch, a callout given
loose children) fails here in a second instead of in the browser tests' app build. The pages
are the ones the app registers, so a new page cannot be left out."""

from __future__ import annotations

import pytest

from navigator.navigator import app

PAGES = {route: page.component for route, page in app._unevaluated_pages.items()}


def test_every_screen_of_the_product_is_registered():
    for route in ("index", "cabinet", "provider", "provider/programs", "provider/team"):
        assert route in PAGES


@pytest.mark.parametrize("route", sorted(PAGES))
def test_the_page_builds(route):
    build = PAGES[route]
    assert build().render()
