"""The rule for real services a test needs: skip on a developer's machine, fail under CI."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def service_unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run every test)", pytrace=False)
    pytest.skip(reason)
