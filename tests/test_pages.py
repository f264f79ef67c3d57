"""Every page builds: a component mistake (a cond without its other branch, a callout given
loose children) fails here in a second instead of in the browser tests' app build."""

from __future__ import annotations

import pytest

import navigator.navigator  # noqa: F401 - registers the states the pages read
from navigator.pages import (
    auth,
    cabinet,
    index,
    municipality,
    not_found,
    program,
    provider,
    security,
)

PAGES = [
    auth.login_page,
    auth.register_page,
    auth.forgot_page,
    auth.reset_page,
    auth.invite_page,
    cabinet.cabinet_page,
    index.index,
    municipality.municipality_page,
    program.program_page,
    provider.provider_page,
    provider.provider_program_page,
    provider.attendance_page,
    provider.provider_register_page,
    security.security_page,
    not_found.not_found_page,
]


@pytest.mark.parametrize("build", PAGES, ids=lambda f: f.__name__)
def test_the_page_builds(build):
    assert build().render()
