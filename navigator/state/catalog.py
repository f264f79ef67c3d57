"""The catalog page: search as you type, facets with counts, sort, pages; the URL holds it all.

The URL is the source of truth. Loading the page (or Back and Forward) reads the query
from the URL and searches; a change made on the page searches at once and writes the
URL (typing replaces the history entry, a filter adds one). Every value read from the
URL or sent by the browser is checked against the allowed choices before it reaches a
query; a value that does not fit is dropped, never passed on.

One client's events are handled one at a time, in order, so an older search can never
answer after a newer one.
"""

from __future__ import annotations

import dataclasses
import json
import re
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

import reflex as rx

from navigator import routes
from navigator.domain.accounts.access import Actor
from navigator.domain.certificates.queries import home_municipalities, paying_municipalities
from navigator.domain.municipalities.queries import towns as read_towns
from navigator.domain.programs.models import Direction, ProgramFormat
from navigator.domain.programs.queries import municipality_center
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import DomainError, InvalidInput
from navigator.domain.shared.models import Language
from navigator.domain.shared.validation import check_coordinates, parse_coordinate
from navigator.i18n import text, value_label
from navigator.i18n.formatting import (
    currency_symbol,
    format_distance,
    format_money,
    weekday_abbreviations,
)
from navigator.state.app import LABELS_LANG, AppState
from navigator.state.threaded import in_thread, in_thread_unshed
from search.query import CatalogQuery, CatalogResult
from search.service import find_programs

PER_PAGE = 20
# the facets the filters show: counting the others would cost every keystroke for nothing
PAGE_FACETS = ("direction", "format", "language", "municipality", "weekdays")
EVERYWHERE = "any"  # `municipality=any`: every municipality, not a family's own
MAX_PAGE = 500
MAX_TEXT = 200
SORTS = ("relevance", "price", "distance", "start")
CHOICES: dict[str, tuple[str, ...]] = {
    "direction": tuple(d.value for d in Direction),
    "format": tuple(f.value for f in ProgramFormat),
    "language": tuple(lang.value for lang in Language),
    "weekday": tuple(str(day) for day in range(1, 8)),
}
FACET_FIELDS = {
    "direction": "directions",
    "format": "formats",
    "language": "languages",
    "municipality": "municipalities",
    "weekday": "weekdays",
}


@dataclasses.dataclass
class TitlePart:
    text: str
    highlighted: bool


@dataclasses.dataclass
class ProgramCard:
    id: int
    title: str
    title_parts: list[TitlePart]
    provider: str
    municipality: str
    direction: str
    ages: str
    price: str
    free_seats: str
    payable_by_certificate: bool
    is_free: bool
    distance: str
    photo_url: str = ""  # "" when the program has no photo: the placeholder is shown
    placeholder: str = ""  # the drawing of the program's direction


@dataclasses.dataclass
class FacetOption:
    facet: str
    value: str
    label: str
    count: int
    selected: bool


Towns = tuple[dict[str, str], dict[str, str]]


def _towns() -> Towns:
    """Each municipality's code → name, and code → currency: one read for both, once an event
    (the URL, the scope's words and the cards share it)."""
    with read_session() as session:
        rows = read_towns(session)
    return {t.code: t.name for t in rows}, {t.code: t.currency for t in rows}


def _municipalities() -> dict[str, str]:
    return _towns()[0]


def _currencies() -> dict[str, str]:
    """Each municipality's code → the currency its programs are priced in."""
    return _towns()[1]


def _int_in(value: str, low: int, high: int) -> int | None:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{1,6}", value):
        return None  # ASCII digits only: "²".isdigit() is True but int() refuses it
    return int(value) if low <= int(value) <= high else None


def _point(latitude: object, longitude: object) -> tuple[float, float] | None:
    """A place on the map, or None when either half is missing, malformed or off the map."""
    try:
        lat, lng = parse_coordinate(latitude), parse_coordinate(longitude)
        check_coordinates(lat, lng)
    except InvalidInput:
        return None
    return (lat, lng) if lat is not None and lng is not None else None


def _price_minor(value: str) -> int | None:
    """'12,50' or '12.50' in the currency's main unit → 1250; anything else → None."""
    try:
        amount = Decimal(value.strip().replace(",", ".")[:12])
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount > 1_000_000:
        return None
    return int(amount * 100)


class CatalogState(AppState):
    query_text: str = ""
    directions: list[str] = []
    formats: list[str] = []
    languages: list[str] = []
    municipalities: list[str] = []
    weekdays: list[str] = []
    age: str = ""
    payable_only: bool = False
    free_seats_only: bool = False
    price_max: str = ""
    price_currency: str = ""  # the price filter's currency, one of the municipalities'
    sort: str = "relevance"
    page: int = 1
    latitude: float | None = None
    longitude: float | None = None
    near: str = ""  # "me", a municipality code, or ""

    cards: list[ProgramCard] = []
    facets: dict[str, list[FacetOption]] = {name: [] for name in FACET_FIELDS}
    total: int = 0
    pages: int = 1
    degraded: bool = False
    error: str = ""
    price_error: str = ""  # beside the price field
    searched: bool = False
    filters_open: bool = False  # the filters' drawer on a phone
    # the family's own municipalities chose the scope (the URL named none): shown, removable
    scope_is_home: bool = False
    home_scope_label: str = ""
    municipality_choices: list[list[str]] = []  # [code, name] by name: "near a city"
    price_label: str = ""
    effective_price_currency: str = ""
    price_currency_choices: list[list[str]] = []  # none when the scope has one currency
    # the municipalities the signed-in family's certificates pay in; None for a visitor
    _paying: list[str] | None = None
    # where the signed-in family's children live: its catalog opens there
    _home: list[str] = []

    # ---------------------------------------------------------------- URL ⇄ state

    def _holds_personal_data(self) -> bool:
        return False  # public: nothing to forget when the person changes

    def _read_url(self, towns: Towns) -> None:
        params = self.router.url.query_parameters
        known, currencies = towns

        def listed(name: str, allowed: tuple[str, ...] | dict[str, str]) -> list[str]:
            values = (params.get(name) or "").split(",")
            return [v for v in dict.fromkeys(values) if v in allowed]

        self.query_text = (params.get("q") or "")[:MAX_TEXT]
        self.directions = listed("direction", CHOICES["direction"])
        self.formats = listed("format", CHOICES["format"])
        self.languages = listed("language", CHOICES["language"])
        self.weekdays = listed("weekday", CHOICES["weekday"])
        self.municipalities = listed("municipality", known)
        # a URL that names no municipality opens a family's catalog at home; a shared link
        # (which names one, or says `municipality=any` for everywhere) shows what it names
        self.scope_is_home = "municipality" not in params and bool(self._home)
        if self.scope_is_home:
            self.municipalities = [code for code in self._home if code in known]
        age = _int_in(params.get("age") or "", 0, 18)
        self.age = "" if age is None else str(age)
        self.payable_only = params.get("payable") == "1"
        self.free_seats_only = params.get("seats") == "1"
        price = _price_minor(params.get("price_max") or "")
        self.price_max = "" if price is None else params.get("price_max", "")[:12]
        currency = params.get("currency") or ""
        self.price_currency = currency if currency in currencies.values() else ""
        self.sort = params.get("sort") if params.get("sort") in SORTS else "relevance"
        self.page = _int_in(params.get("page") or "", 1, MAX_PAGE) or 1
        self.latitude, self.longitude = _point(params.get("lat"), params.get("lng")) or (None, None)
        near = params.get("near") or ""
        self.near = near if near == "me" or near in known else ""
        if self.sort == "distance" and self.latitude is None:
            self.sort = "relevance"

    def _url(self) -> str:
        params: dict[str, str] = {}
        if self.query_text:
            params["q"] = self.query_text
        for name, values in (
            ("direction", self.directions),
            ("format", self.formats),
            ("language", self.languages),
            ("municipality", self.municipalities),
            ("weekday", self.weekdays),
        ):
            if values:
                params[name] = ",".join(values)
        if self.age:
            params["age"] = self.age
        if self.payable_only:
            params["payable"] = "1"
        if self.free_seats_only:
            params["seats"] = "1"
        if self.price_max:
            params["price_max"] = self.price_max
            params["currency"] = self._price_currency()
        if self._home and not self.municipalities:
            params["municipality"] = EVERYWHERE  # said aloud: not the family's default
        if self.sort != "relevance":
            params["sort"] = self.sort
        if self.latitude is not None and self.longitude is not None:
            params["lat"], params["lng"] = f"{self.latitude:.5f}", f"{self.longitude:.5f}"
            if self.near:
                params["near"] = self.near
        if self.page > 1:
            params["page"] = str(self.page)
        return f"{routes.HOME}?{urlencode(params)}" if params else routes.HOME

    def _write_url(self, *, replace: bool):
        method = "replaceState" if replace else "pushState"
        # history.state is React Router's own entry data: keep it so Back stays routed
        return rx.call_script(
            f"window.history.{method}(window.history.state, '', {json.dumps(self._url())})"
        )

    # ---------------------------------------------------------------- searching

    def _query(self) -> CatalogQuery:
        return CatalogQuery(
            text=self.query_text,
            directions=tuple(self.directions),
            formats=tuple(self.formats),
            languages=tuple(self.languages),
            municipalities=tuple(self.municipalities),
            age=int(self.age) if self.age else None,
            payable_by_certificate=True if self.payable_only else None,
            has_free_seats=True if self.free_seats_only else None,
            weekdays=tuple(int(day) for day in self.weekdays),
            price_max_minor=_price_minor(self.price_max) if self.price_max else None,
            price_currency=self._price_currency() if self.price_max else None,
            latitude=self.latitude,
            longitude=self.longitude,
            sort=self.sort,
            page=self.page,
            per_page=PER_PAGE,
            locale=self.lang,
            facets=PAGE_FACETS,
        )

    def _price_currency(self, currencies: dict[str, str] | None = None) -> str:
        """The price filter's currency: the one of the municipalities in scope when they
        share one, else the one chosen, else the family's, else the first there is."""
        currencies = _currencies() if currencies is None else currencies
        in_scope = {currencies[code] for code in self.municipalities if code in currencies}
        if len(in_scope) == 1:
            return in_scope.pop()
        if self.price_currency:
            return self.price_currency
        home = sorted({currencies[code] for code in self._home if code in currencies})
        return home[0] if home else min(currencies.values(), default="EUR")

    def _search(self, towns: Towns | None = None) -> None:
        towns = towns or _towns()  # one read of the municipalities per search, shared below
        self._describe_scope(towns)
        try:
            result = find_programs(self._query())
        except DomainError as error:
            self.error = self._text(error)
            self.cards, self.total, self.pages = [], 0, 1
            return
        self.error = ""
        self._show(result, towns[0])

    def _describe_scope(self, towns: Towns | None = None) -> None:
        """The words around the filters that depend on the scope: the family's municipality,
        the price filter's currency and the currencies to choose from."""
        lang = self.lang
        names, currencies = towns or _towns()
        self.municipality_choices = [
            [code, name] for code, name in sorted(names.items(), key=lambda i: i[1])
        ]
        self.home_scope_label = text(
            "home_scope",
            lang,
            places=", ".join(names.get(code, code) for code in self.municipalities),
        )
        currency = self._price_currency(currencies)
        self.effective_price_currency = currency
        self.price_label = text("price_max_in", lang, currency=currency_symbol(currency, lang))
        in_scope = {currencies[code] for code in self.municipalities if code in currencies}
        self.price_currency_choices = (
            []
            if len(in_scope) == 1
            else [[c, currency_symbol(c, lang)] for c in sorted(set(currencies.values()))]
        )

    def _show(self, result: CatalogResult, names: dict[str, str] | None = None) -> None:
        lang = self.lang
        names = _municipalities() if names is None else names
        self.total = result.total
        self.pages = max(1, min(MAX_PAGE, -(-result.total // PER_PAGE)))
        self.degraded = result.degraded
        self.searched = True
        self.cards = [
            ProgramCard(
                id=hit.id,
                title=hit.title,
                title_parts=[TitlePart(s.text, s.highlighted) for s in hit.title_segments]
                or [TitlePart(hit.title, False)],
                provider=hit.provider_name,
                municipality=names.get(hit.municipality, hit.municipality),
                direction=value_label(hit.direction, lang),
                ages=text("ages", lang, min=hit.age_min, max=hit.age_max),
                price=(
                    text("badge_free", lang)
                    if hit.is_free
                    else text(
                        "price_from",
                        lang,
                        price=format_money(hit.lowest_price_minor, hit.currency, lang),
                    )
                    if hit.lowest_price_minor is not None
                    else text("no_open_groups", lang)
                ),
                free_seats=text("free_seats", lang, count=hit.free_seats),
                # for a family: only where its own certificate can pay; for a visitor, in general
                payable_by_certificate=hit.payable_by_certificate
                and (self._paying is None or hit.municipality in self._paying),
                is_free=hit.is_free,
                distance=(
                    format_distance(hit.distance_m, lang) if hit.distance_m is not None else ""
                ),
                photo_url=hit.photo_url,
                placeholder=routes.direction_picture(hit.direction),
            )
            for hit in result.hits
        ]
        selected = {
            "direction": self.directions,
            "format": self.formats,
            "language": self.languages,
            "municipality": self.municipalities,
            "weekday": self.weekdays,
        }

        def options(facet: str, source: str, label) -> list[FacetOption]:
            counts = result.facets.get(source, {})
            values = list(CHOICES.get(facet, ())) or sorted(counts, key=lambda v: names.get(v, v))
            return [
                FacetOption(facet, v, label(v), int(counts.get(v, 0)), v in selected[facet])
                for v in values
                if counts.get(v) or v in selected[facet]
            ]

        self.facets = {
            "direction": options("direction", "direction", lambda v: value_label(v, lang)),
            "format": options("format", "format", lambda v: value_label(v, lang)),
            "language": options("language", "language", lambda v: value_label(v, lang)),
            "municipality": options("municipality", "municipality", lambda v: names.get(v, v)),
            "weekday": options(
                "weekday", "weekdays", lambda v: weekday_abbreviations(lang)[int(v) - 1]
            ),
        }

    # ---------------------------------------------------------------- events

    @rx.event
    @in_thread_unshed
    def load(self) -> None:
        self.page_lang = self.lang  # the labels follow the tab's language
        user_id = self._user_id()
        if user_id is None:
            self._paying, self._home = None, []
        else:
            with read_session() as session:
                self._paying = sorted(paying_municipalities(session, Actor.user(user_id)))
                self._home = home_municipalities(session, Actor.user(user_id))
        self.filters_open = False
        towns = _towns()
        self._read_url(towns)
        self._search(towns)

    @rx.event
    @in_thread
    def set_query_text(self, value: str):
        self.query_text = str(value)[:MAX_TEXT]
        self.page = 1
        self._search()
        return self._write_url(replace=True)

    @rx.event
    def toggle(self, facet: str, value: str):
        if not isinstance(facet, str) or not isinstance(value, str) or facet not in FACET_FIELDS:
            return None
        towns = None if facet in CHOICES else _towns()  # read once, for the search too
        allowed = CHOICES.get(facet) or tuple(towns[0] if towns else ())
        if value not in allowed:
            return None
        current = getattr(self, FACET_FIELDS[facet])
        updated = [v for v in current if v != value] if value in current else [*current, value]
        setattr(self, FACET_FIELDS[facet], updated)
        if facet == "municipality":
            self.scope_is_home = False
        return self._changed(towns)

    def _changed(self, towns: Towns | None = None):
        self.page = 1
        self._search(towns)
        return self._write_url(replace=False)

    @rx.event
    def set_age(self, value: str):
        age = _int_in(str(value), 0, 18)
        self.age = "" if age is None else str(age)
        return self._changed()

    @rx.event
    def set_payable_only(self, value: bool):
        self.payable_only = value is True  # a checkbox sends true or false, nothing else
        return self._changed()

    @rx.event
    def set_free_seats_only(self, value: bool):
        self.free_seats_only = value is True
        return self._changed()

    @rx.event
    def set_price_max(self, form: dict[str, str]):
        form = form if isinstance(form, dict) else {}
        value = str(form.get("price_max", ""))[:12].strip()
        if value and _price_minor(value) is None:
            self.price_error = self._text(InvalidInput("must_not_be_negative", field="price_max"))
            return rx.set_focus("price-max")
        currency = str(form.get("currency", ""))
        if currency in _currencies().values():
            self.price_currency = currency
        self.price_error = ""
        self.price_max = value
        return self._changed()

    @rx.event
    def set_price_currency(self, currency: str):
        if not isinstance(currency, str) or currency not in _currencies().values():
            return None
        self.price_currency = currency
        if self.price_max:
            return self._changed()
        self._describe_scope()  # nothing to search again: only the label changes
        return None

    @rx.event
    def everywhere(self):
        """Leave the family's default scope: every municipality's programs."""
        self.municipalities, self.scope_is_home = [], False
        return self._changed()

    @rx.event
    def open_filters(self):
        self.filters_open = True
        return rx.set_focus("filters-heading")

    @rx.event
    def close_filters(self):
        self.filters_open = False
        return rx.set_focus("filters-toggle")

    @rx.event
    def set_sort(self, value: str):
        if value not in SORTS:
            return None
        if value == "distance" and self.latitude is None:
            return self.locate()
        self.sort = value
        return self._changed()

    @rx.event
    def locate(self):
        """Ask the browser for its position; the answer comes back to `located`."""
        return rx.call_script(
            "new Promise(done => navigator.geolocation ? navigator.geolocation.getCurrentPosition("
            "p => done([p.coords.latitude, p.coords.longitude]), () => done(null), {timeout: 8000})"
            " : done(null))",
            callback=CatalogState.located,
        )

    @rx.event
    def located(self, coordinates: list[float] | None):
        if not isinstance(coordinates, list) or len(coordinates) != 2:
            self.error = text("location_denied", self.lang)
            return None
        point = _point(*coordinates)
        if point is None:
            self.error = text("location_denied", self.lang)
            return None
        self.latitude, self.longitude = point
        self.near, self.sort = "me", "distance"
        return self._changed()

    @rx.event
    def near_city(self, code: str):
        if not isinstance(code, str) or code not in _municipalities():
            return None
        with read_session() as session:
            center = municipality_center(session, code)
        if center is None:
            return None
        self.latitude, self.longitude = center
        self.near, self.sort = code, "distance"
        return self._changed()

    @rx.event
    def go_to_page(self, page: int):
        if not isinstance(page, int) or not 1 <= page <= self.pages:
            return None
        self.page = page
        self._search()
        return [self._write_url(replace=False), rx.scroll_to("content")]

    @rx.event
    def clear_filters(self):
        self.directions, self.formats, self.languages = [], [], []
        self.municipalities, self.weekdays = [], []
        self.scope_is_home = False
        self.age, self.price_max, self.price_error = "", "", ""
        self.payable_only = self.free_seats_only = False
        return self._changed()

    # ---------------------------------------------------------------- display

    page_lang: str = LABELS_LANG  # its labels' language, set by its page's load

    @rx.var
    def found_label(self) -> str:
        return text("found", self.page_lang, count=self.total)

    @rx.var
    def active_filters(self) -> int:
        """How many filters narrow the results: the count on the phone's filters button."""
        lists = (self.directions, self.formats, self.languages, self.municipalities, self.weekdays)
        flags = (bool(self.age), self.payable_only, self.free_seats_only, bool(self.price_max))
        return sum(len(values) for values in lists) + sum(flags)

    @rx.var
    def filters_label(self) -> str:
        if not self.active_filters:
            return text("filters", self.page_lang)
        return text("filters_count", self.page_lang, count=self.active_filters)

    @rx.var
    def show_results_label(self) -> str:
        return text("show_results", self.page_lang, count=self.total)

    @rx.var
    def page_label(self) -> str:
        return text("page_of", self.page_lang, page=self.page, pages=self.pages)
