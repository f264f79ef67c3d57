"""Every word the product says, in Russian, Lithuanian and English, in one shape.

The words live in gettext catalogs (`locales/<lang>/LC_MESSAGES/*.po`), one per area:
`errors` (a domain error's code, and the mail the domain sends), `fields` (form fields as
errors name them), `values` (statuses, directions, formats, kinds) and `ui` (the pages).
Numbers, money, dates and plurals are written by CLDR's rules through Babel
(`formatting`). This package imports nothing of the domain: a domain error carries its
code and values, and is turned into words here.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from navigator.i18n.catalogs import FALLBACK, Text, messages, plural_index
from navigator.i18n.formatting import format_money, weekday_abbreviations

# values of these names are themselves words to translate (a status, a target status)
TRANSLATED_VALUES = ("status", "current", "target")


def _lookup(domain: str, key: str, language: str) -> Text | None:
    found = messages(language, domain).get(key)
    return found if found else messages(FALLBACK, domain).get(key)


def _choose(words: Text, language: str, count: Any) -> str:
    """A message, or the plural form the language uses for `count`."""
    if isinstance(words, str):
        return words
    index = plural_index(language)(int(count)) if isinstance(count, int) else len(words) - 1
    return words[min(index, len(words) - 1)]


def value_label(value: str, language: str) -> str:
    """A status, direction, format or kind in words; the value itself when it has none."""
    words = _lookup("values", value, language)
    return _choose(words, language, None) if words else value


def field_label(field: str, language: str) -> str:
    words = _lookup("fields", field, language)
    return _choose(words, language, None) if words else field


def has_message(code: str) -> bool:
    return code in messages(FALLBACK, "errors")


def translate(code: str, language: str, /, **params: Any) -> str:
    """The message for an error code (English when missing), filled with its values.

    A value named `x_minor` fills `{x}` as money in the `currency` value's units; `field`
    names a field and `allowed` lists values, both put into words; `count` picks the
    plural form.
    """
    words = _lookup("errors", code, language) or _lookup("errors", "error", language)
    assert words is not None
    template = _choose(words, language, params.get("count"))
    values = dict(params)
    for name, value in params.items():
        if name.endswith("_minor"):
            currency = params.get("currency")
            values[name.removesuffix("_minor")] = (
                format_money(int(value), str(currency), language) if currency else str(value)
            )
    if "field" in values:
        values["field"] = field_label(str(values["field"]), language)
    if "allowed" in values:
        allowed = str(values["allowed"]).split(", ")
        values["allowed"] = ", ".join(value_label(v, language) for v in allowed)
    for name in TRANSLATED_VALUES:
        if name in values:
            values[name] = value_label(str(values[name]), language)
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return template


@cache
def ui_strings(language: str) -> dict[str, str]:
    """Every page string in one language (English for an unknown one), plural entries in
    their general form, and the weekdays' abbreviations as `weekday_1` … `weekday_7`."""
    words = {key: _choose(value, language, None) for key, value in messages(FALLBACK, "ui").items()}
    words.update(
        (key, _choose(value, language, None))
        for key, value in messages(language, "ui").items()
        if value
    )
    for number, name in enumerate(weekday_abbreviations(language), start=1):
        words[f"weekday_{number}"] = name
    return words


def text(key: str, language: str, **values: Any) -> str:
    """A page string filled with its values; `count` picks the plural form."""
    words = _lookup("ui", key, language)
    if words is None:
        return key
    template = _choose(words, language, values.get("count"))
    return template.format(**values) if values else template
