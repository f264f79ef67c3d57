"""The gettext catalogs: `locales/<lang>/LC_MESSAGES/<domain>.po`, compiled to `.mo`.

The `.po` files are what translators edit (Poedit, Weblate, Lokalize read them). A message's
id is a stable key (`insufficient_balance`, `nav_catalog`); its text in each language is the
translation, English included. `make` compiles them (`navigator i18n compile`); a catalog
found missing or older than its `.po` is compiled on first use, so a fresh checkout works.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LANGUAGES = ("ru", "lt", "en")
FALLBACK = "en"
DOMAINS = ("errors", "fields", "values", "ui")

Text = str | tuple[str, ...]  # a message, or its plural forms in the language's order


def po_path(language: str, domain: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{domain}.po"


def compile_catalog(language: str, domain: str) -> Path:
    """Compile one `.po` into its `.mo` beside it; the `.mo` path."""
    po = po_path(language, domain)
    mo = po.with_suffix(".mo")
    with po.open("rb") as source:
        catalog = read_po(source, locale=language, domain=domain)
    partial = mo.with_suffix(".mo.tmp")
    with partial.open("wb") as target:
        write_mo(target, catalog, use_fuzzy=False)
    partial.replace(mo)  # never a half-written catalog for another process to read
    return mo


def compile_all() -> list[Path]:
    return [compile_catalog(lang, domain) for lang in LANGUAGES for domain in DOMAINS]


@cache
def messages(language: str, domain: str) -> dict[str, Text]:
    """Every message of a catalog by id; the English catalog for an unknown language."""
    language = language if language in LANGUAGES else FALLBACK
    po = po_path(language, domain)
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        compile_catalog(language, domain)
    with mo.open("rb") as source:
        catalog = read_mo(source)
    found: dict[str, Text] = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        found[key] = (
            message.string if isinstance(message.string, str) else tuple(message.string or ())
        )
    return found


@cache
def plural_index(language: str) -> Callable[[int], int]:
    """Which plural form a number takes: the catalog's own Plural-Forms rule (CLDR's)."""
    return gettext.c2py(get_plural(language if language in LANGUAGES else FALLBACK).plural_expr)
