"""Which language a page answers in."""

import pytest

from navigator.i18n import ui_strings
from navigator.locale import choose_locale, negotiate


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("lt-LT,lt;q=0.9,en;q=0.8", "lt"),
        ("de-DE,de;q=0.9,en;q=0.5,ru;q=0.7", "ru"),
        ("en-GB", "en"),
        ("fr, de", "ru"),  # nothing supported: the default
        ("", "ru"),
        (None, "ru"),
        ("lt;q=0, en", "en"),
        ("lt;q=abc, en;q=0.1", "en"),
        ("x" * 10_000, "ru"),
    ],
)
def test_accept_language_is_negotiated_in_order_of_preference(header, expected):
    assert negotiate(header) == expected


def test_a_remembered_choice_wins_and_an_unknown_one_is_ignored():
    assert choose_locale("en", "lt") == "en"
    assert choose_locale("xx", "lt") == "lt"
    assert choose_locale("", "lt-LT") == "lt"


def test_every_page_string_exists_in_all_three_languages():
    assert all(words.strip() for words in ui_strings("lt").values())
    assert set(ui_strings("ru")) == set(ui_strings("lt")) == set(ui_strings("en"))
    assert ui_strings("xx") == ui_strings("en")
