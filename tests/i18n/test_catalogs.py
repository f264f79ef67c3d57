"""The translations: every message in Russian, Lithuanian and English with the same
placeholders, every error code raised anywhere and every page string used has words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from navigator.i18n import field_label, text, translate, ui_strings, value_label
from navigator.i18n.catalogs import DOMAINS, LANGUAGES, po_path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*ROOT.glob("navigator/**/*.py"), *ROOT.glob("search/**/*.py")]
PLACEHOLDER = re.compile(r"{(\w+)}")


def _catalog(language: str, domain: str) -> dict[str, tuple[str, ...]]:
    with po_path(language, domain).open("rb") as source:
        catalog = read_po(source, locale=language)
    return {
        (m.id if isinstance(m.id, str) else m.id[0]): (
            (m.string,) if isinstance(m.string, str) else tuple(m.string)
        )
        for m in catalog
        if m.id
    }


def _source_matches(pattern: str) -> set[str]:
    found: set[str] = set()
    for path in SOURCES:
        found |= set(re.findall(pattern, path.read_text()))
    return found


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_speaks_all_three_languages_with_the_same_placeholders(domain):
    catalogs = {language: _catalog(language, domain) for language in LANGUAGES}
    assert catalogs["en"], domain
    for language, catalog in catalogs.items():
        assert set(catalog) == set(catalogs["en"]), (domain, language)
        for key, forms in catalog.items():
            assert all(form.strip() for form in forms), (domain, language, key)
            if len(forms) > 1:
                assert len(forms) == get_plural(language).num_plurals, (domain, language, key)
    for key in catalogs["en"]:
        placeholders = {
            frozenset(PLACEHOLDER.findall(form)) for c in catalogs.values() for form in c[key]
        }
        assert len(placeholders) == 1, (domain, key, placeholders)


def test_every_error_code_raised_anywhere_has_a_message():
    raised = _source_matches(
        r'(?:DomainError|InvalidInput|Conflict|NotFound|TooManyAttempts)\(\s*"(\w+)"'
    )
    assert len(raised) > 50, "the pattern found too few error codes"
    assert raised - set(_catalog("en", "errors")) == set()


def test_every_page_string_used_has_words():
    used = _source_matches(r'\bT\["(\w+)"\]') | _source_matches(r'\btext\(\s*"(\w+)"')
    assert len(used) > 100, "the pattern found too few page strings"
    words = set(ui_strings("en"))
    for key in used:  # a key that ends in "_" is a prefix completed at run time
        assert (key in words) if not key.endswith("_") else any(w.startswith(key) for w in words)


def test_every_field_an_error_names_has_a_label():
    fields = _source_matches(r'field="(\w+)"')
    assert fields
    for language in LANGUAGES:
        assert {f for f in fields if field_label(f, language) == f} == set(), language


def test_plurals_follow_each_language():
    assert text("found", "ru", count=1) == "Найдена 1 программа"
    assert text("found", "ru", count=3) == "Найдено 3 программы"
    assert text("found", "ru", count=11) == "Найдено 11 программ"
    assert text("found", "ru", count=21) == "Найдена 21 программа"
    assert text("found", "lt", count=12) == "Rasta 12 programų"
    assert text("found", "lt", count=22) == "Rastos 22 programos"
    assert text("found", "en", count=1) == "1 program found"
    assert text("found", "en", count=2) == "2 programs found"


def test_unknown_locale_falls_back_to_english_and_missing_values_do_not_crash():
    assert translate("group_full", "fr") == translate("group_full", "en")
    assert translate("age_does_not_fit", "ru") == _catalog("ru", "errors")["age_does_not_fit"][0]
    assert "Название" in translate("field_required", "ru", field="title")
    assert translate("no_such_code", "lt") == translate("error", "lt")
    assert value_label("certified", "lt") == "sertifikuota"
    assert value_label("not-a-value", "ru") == "not-a-value"


def test_money_in_a_message_is_written_by_the_language():
    assert translate("insufficient_balance", "en", available_minor=150000, currency="RUB").count(
        "₽1,500.00"
    )
    assert "1\xa0500,00\xa0₽" in translate(
        "insufficient_balance", "ru", available_minor=150000, currency="RUB"
    )
