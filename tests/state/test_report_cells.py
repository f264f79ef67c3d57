"""A report's cells read in the reader's language: a rate has the reader's decimal sign."""

from __future__ import annotations

import pytest

from navigator.domain.funding.reports import Report
from navigator.state.municipality import MunicipalityState


@pytest.mark.parametrize(("language", "shown"), [("ru", "66,67"), ("lt", "66,67"), ("en", "66.67")])
def test_a_rate_has_the_readers_decimal_sign(language, shown):
    state = MunicipalityState(_reflex_internal_init=True)
    state.locale_choice = language
    report = Report("disputes", ("provider", "disputes_per_100_lessons"), [], "EUR")
    assert state._cell(report, "disputes_per_100_lessons", 66.67) == shown
    assert state._cell(report, "provider", "Teatras") == "Teatras"
