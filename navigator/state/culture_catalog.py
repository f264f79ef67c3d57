"""The public culture-pass catalog: services schools can book, searched as one types, with
facets; the URL holds the search.

As on the programs' catalog, the URL is the source of truth: loading the page reads the
search from it, a change on the page searches at once and writes it back (typing replaces
the history entry, a filter adds one). Every value from the URL or the browser is checked
against the allowed choices first; a value that does not fit is dropped.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, date, datetime
from urllib.parse import urlencode

import reflex as rx

from navigator import routes
from navigator.domain.culture.models import CULTURE_CURRENCY
from navigator.domain.shared.errors import DomainError, InvalidInput
from navigator.domain.shared.money import parse_amount
from navigator.i18n import text, value_label
from navigator.i18n.formatting import format_moment, format_money
from navigator.state.app import LABELS_LANG, AppState
from navigator.state.catalog import FacetOption, TitlePart
from search.culture_query import ART_FORMS, CULTURE_SORTS, PLACES, CultureQuery, CultureResult
from search.culture_service import find_culture_services

PER_PAGE = 20
MAX_PAGE = 500
MAX_TEXT = 200
TIMEZONE = "Europe/Vilnius"  # the programme's: sessions read in Lithuanian time
GRADES = tuple(str(grade) for grade in range(1, 13))
CHOICES: dict[str, tuple[str, ...]] = {"art_form": ART_FORMS, "place": PLACES}
FACET_FIELDS = {"art_form": "art_forms", "place": "places"}


@dataclasses.dataclass
class CultureCard:
    id: int
    title: str
    title_parts: list[TitlePart]
    provider: str
    art_form: str
    grades: str
    place: str
    price: str
    next_session: str
    free_places: str
    photo_url: str = ""


def _grade(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{1,2}", value):
        return ""
    return value if value in GRADES else ""


def _day(value: object) -> str:
    """An ISO date, or "" for anything else (the browser's date field sends ISO)."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return ""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        return ""


def _price_minor(value: str) -> int | None:
    """'5' or '5,50' euros → 500 or 550; None for anything that is not a price."""
    try:
        minor = parse_amount(value[:12], CULTURE_CURRENCY)
    except InvalidInput:
        return None
    return minor if 0 <= minor <= 1_000_000 else None


def _page(value: object) -> int:
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,3}", value):
        return min(max(int(value), 1), MAX_PAGE)
    return 1


class CultureCatalogState(AppState):
    query_text: str = ""
    art_forms: list[str] = []
    places: list[str] = []
    grade: str = ""
    day: str = ""
    price_max: str = ""
    free_places_only: bool = False
    sort: str = "relevance"
    page: int = 1

    cards: list[CultureCard] = []
    facets: dict[str, list[FacetOption]] = {name: [] for name in FACET_FIELDS}
    total: int = 0
    pages: int = 1
    degraded: bool = False
    error: str = ""
    price_error: str = ""  # beside the price field
    searched: bool = False
    filters_open: bool = False  # the filters' drawer on a phone

    def _holds_personal_data(self) -> bool:
        return False  # public: nothing to forget when the person changes

    # ---------------------------------------------------------------- URL ⇄ state

    def _read_url(self) -> None:
        params = self.router.url.query_parameters

        def listed(name: str) -> list[str]:
            values = (params.get(name) or "").split(",")
            return [v for v in dict.fromkeys(values) if v in CHOICES[name]]

        self.query_text = (params.get("q") or "")[:MAX_TEXT]
        self.art_forms = listed("art_form")
        self.places = listed("place")
        self.grade = _grade(params.get("grade"))
        self.day = _day(params.get("date"))
        price = params.get("price_max") or ""
        self.price_max = price[:12] if _price_minor(price) is not None else ""
        self.free_places_only = params.get("places_free") == "1"
        self.sort = params.get("sort") if params.get("sort") in CULTURE_SORTS else "relevance"
        self.page = _page(params.get("page"))

    def _url(self) -> str:
        params: dict[str, str] = {}
        if self.query_text:
            params["q"] = self.query_text
        for name, values in (("art_form", self.art_forms), ("place", self.places)):
            if values:
                params[name] = ",".join(values)
        for name, value in (("grade", self.grade), ("date", self.day)):
            if value:
                params[name] = value
        if self.price_max:
            params["price_max"] = self.price_max
        if self.free_places_only:
            params["places_free"] = "1"
        if self.sort != "relevance":
            params["sort"] = self.sort
        if self.page > 1:
            params["page"] = str(self.page)
        base = routes.CULTURE_SERVICES
        return f"{base}?{urlencode(params)}" if params else base

    def _write_url(self, *, replace: bool):
        method = "replaceState" if replace else "pushState"
        # history.state is React Router's own entry data: keep it so Back stays routed
        return rx.call_script(
            f"window.history.{method}(window.history.state, '', {json.dumps(self._url())})"
        )

    # ---------------------------------------------------------------- searching

    def _query(self) -> CultureQuery:
        return CultureQuery(
            text=self.query_text,
            art_forms=tuple(self.art_forms),
            places=tuple(self.places),
            grade=int(self.grade) if self.grade else None,
            day=self.day or None,
            price_max_minor=_price_minor(self.price_max) if self.price_max else None,
            has_free_places=True if self.free_places_only else None,
            sort=self.sort,
            page=self.page,
            per_page=PER_PAGE,
            locale=self.lang,
        )

    def _search(self) -> None:
        try:
            result = find_culture_services(self._query())
        except DomainError as error:
            self.error = self._text(error)
            self.cards, self.total, self.pages = [], 0, 1
            return
        self.error = ""
        self._show(result)

    def _show(self, result: CultureResult) -> None:
        lang = self.lang
        self.total = result.total
        self.pages = max(1, min(MAX_PAGE, -(-result.total // PER_PAGE)))
        self.degraded = result.degraded
        self.searched = True
        self.cards = [
            CultureCard(
                id=hit.id,
                title=hit.title,
                title_parts=[TitlePart(s.text, s.highlighted) for s in hit.title_segments]
                or [TitlePart(hit.title, False)],
                provider=hit.provider_name,
                photo_url=hit.photo_url,
                art_form=value_label(hit.art_form, lang),
                grades=text("grades_range", lang, min=hit.grade_min, max=hit.grade_max),
                place=value_label(hit.place, lang),
                price=(
                    text("badge_free", lang)
                    if hit.price_per_pupil_minor == 0
                    else text(
                        "culture_per_pupil",
                        lang,
                        price=format_money(hit.price_per_pupil_minor, hit.currency, lang),
                    )
                ),
                next_session=(
                    text(
                        "culture_next_session",
                        lang,
                        when=format_moment(
                            datetime.fromtimestamp(hit.next_session, UTC), lang, TIMEZONE
                        ),
                    )
                    if hit.next_session is not None
                    else text("culture_no_open_session", lang)
                ),
                free_places=(
                    text("free_seats", lang, count=hit.next_free_places)
                    if hit.next_session is not None
                    else ""
                ),
            )
            for hit in result.hits
        ]
        selected = {"art_form": self.art_forms, "place": self.places}
        self.facets = {
            facet: [
                FacetOption(
                    facet,
                    value,
                    value_label(value, lang),
                    int(result.facets.get(facet, {}).get(value, 0)),
                    value in selected[facet],
                )
                for value in CHOICES[facet]
                if result.facets.get(facet, {}).get(value) or value in selected[facet]
            ]
            for facet in FACET_FIELDS
        }

    def _changed(self):
        self.page = 1
        self._search()
        return self._write_url(replace=False)

    # ---------------------------------------------------------------- events

    @rx.event
    def load(self) -> None:
        self.page_lang = self.lang  # the labels follow the tab's language
        self.filters_open = False
        self._read_url()
        self._search()

    @rx.event
    def set_query_text(self, value: str):
        self.query_text = str(value)[:MAX_TEXT]
        self.page = 1
        self._search()
        return self._write_url(replace=True)

    @rx.event
    def toggle(self, facet: str, value: str):
        if not isinstance(facet, str) or facet not in FACET_FIELDS:
            return None
        if not isinstance(value, str) or value not in CHOICES[facet]:
            return None
        current = getattr(self, FACET_FIELDS[facet])
        updated = [v for v in current if v != value] if value in current else [*current, value]
        setattr(self, FACET_FIELDS[facet], updated)
        return self._changed()

    @rx.event
    def set_grade(self, value: str):
        self.grade = _grade(value)
        return self._changed()

    @rx.event
    def set_day(self, value: str):
        self.day = _day(value)
        return self._changed()

    @rx.event
    def set_free_places_only(self, value: bool):
        self.free_places_only = value is True  # a checkbox sends true or false, nothing else
        return self._changed()

    @rx.event
    def set_price_max(self, form: dict[str, str]):
        form = form if isinstance(form, dict) else {}
        value = str(form.get("price_max", ""))[:12].strip()
        if value and _price_minor(value) is None:
            self.price_error = self._text(
                InvalidInput("amount_not_a_number", field="price_max", value=value)
            )
            return rx.set_focus("culture-price-max")
        self.price_error = ""
        self.price_max = value
        return self._changed()

    @rx.event
    def set_sort(self, value: str):
        if value not in CULTURE_SORTS:
            return None
        self.sort = value
        return self._changed()

    @rx.event
    def go_to_page(self, page: int):
        if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= self.pages:
            return None
        self.page = page
        self._search()
        return [self._write_url(replace=False), rx.scroll_to("content")]

    @rx.event
    def clear_filters(self):
        self.art_forms, self.places = [], []
        self.grade = self.day = self.price_max = self.price_error = ""
        self.free_places_only = False
        return self._changed()

    @rx.event
    def open_filters(self):
        self.filters_open = True
        return rx.set_focus("culture-filters-heading")

    @rx.event
    def close_filters(self):
        self.filters_open = False
        return rx.set_focus("culture-filters-toggle")

    # ---------------------------------------------------------------- display

    page_lang: str = LABELS_LANG  # its labels' language, set by its page's load

    @rx.var
    def found_label(self) -> str:
        return text("culture_found", self.page_lang, count=self.total)

    @rx.var
    def active_filters(self) -> int:
        flags = (bool(self.grade), bool(self.day), bool(self.price_max), self.free_places_only)
        return len(self.art_forms) + len(self.places) + sum(flags)

    @rx.var
    def filters_label(self) -> str:
        if not self.active_filters:
            return text("filters", self.page_lang)
        return text("filters_count", self.page_lang, count=self.active_filters)

    @rx.var
    def show_results_label(self) -> str:
        return text("culture_show_results", self.page_lang, count=self.total)

    @rx.var
    def page_label(self) -> str:
        return text("page_of", self.page_lang, page=self.page, pages=self.pages)
