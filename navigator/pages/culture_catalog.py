"""The culture-pass catalog (public): services schools can book, search as you type, facets
by art form, grade, place, date and price per pupil; results first on a phone, the filters
in a drawer over them, as on the programs' catalog."""

import reflex as rx

from navigator.components.forms import checkbox_field, select_field
from navigator.components.layout import page
from navigator.components.program_card import CARD_PICTURE_SIZE
from navigator.state.culture_catalog import GRADES, CultureCatalogState

S = CultureCatalogState
T = S.t


def _title_part(part: rx.Var) -> rx.Component:
    # highlights arrive as data (text + flag), so a title can never inject markup
    return rx.cond(part.highlighted, rx.el.mark(part.text), rx.text.span(part.text))


def service_card(card: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.cond(
                card.photo_url != "",
                rx.el.img(
                    src=card.photo_url,
                    alt=card.title,
                    loading="lazy",
                    decoding="async",
                    custom_attrs=CARD_PICTURE_SIZE,  # the box is known before the image
                    class_name="program-card-picture culture-card-photo",
                ),
            ),
            rx.heading(rx.foreach(card.title_parts, _title_part), size="4", as_="h2"),
            rx.text(card.provider, size="2", color_scheme="gray"),
            rx.hstack(
                rx.badge(card.art_form, variant="soft", high_contrast=True),
                rx.badge(card.grades, variant="outline", color_scheme="gray"),
                rx.badge(card.place, variant="outline", color_scheme="gray"),
                wrap="wrap",
            ),
            rx.text(card.price, weight="medium"),
            rx.text(card.next_session, size="2"),
            rx.cond(card.free_places != "", rx.text(card.free_places, size="2")),
            spacing="2",
            align="start",
        ),
        width="100%",
        class_name="culture-card",
    )


def _option(option: rx.Var) -> rx.Component:
    return checkbox_field(
        option.label,
        " ",
        rx.text.span("(", option.count, ")"),
        id="culture-facet-" + option.facet + "-" + option.value,
        checked=option.selected,
        on_change=S.toggle(option.facet, option.value),
    )


def _facet(name: str, title_key: str) -> rx.Component:
    return rx.cond(
        S.facets[name].length() > 0,
        rx.el.fieldset(
            rx.el.legend(T[title_key]),
            rx.foreach(S.facets[name], _option),
            class_name="facet",
        ),
    )


def _price_filter() -> rx.Component:
    return rx.el.form(
        rx.el.label(T["culture_price_max"], html_for="culture-price-max"),
        rx.hstack(
            rx.el.input(
                id="culture-price-max",
                name="price_max",
                default_value=S.price_max,
                input_mode="decimal",
                class_name="native-input",
                size=8,
                aria_invalid=rx.cond(S.price_error != "", "true", "false"),
                aria_describedby="culture-price-error",
            ),
            rx.button(T["apply_price"], type="submit", variant="soft", size="1"),
            align="center",
            wrap="wrap",
        ),
        rx.el.div(
            rx.cond(S.price_error != "", rx.text(S.price_error, color_scheme="red", size="2")),
            id="culture-price-error",
            role="alert",
        ),
        on_submit=S.set_price_max,
        class_name="field",
    )


def filters_panel() -> rx.Component:
    """Beside the results on a wide screen; a drawer over them on a phone."""
    return rx.el.aside(
        rx.vstack(
            rx.hstack(
                rx.heading(
                    T["filters"], size="3", as_="h2", id="culture-filters-heading", tab_index=-1
                ),
                rx.spacer(),
                rx.button(
                    T["close"], on_click=S.close_filters, variant="ghost", class_name="phone-only"
                ),
                width="100%",
                align="center",
            ),
            _facet("art_form", "culture_art_form"),
            select_field(
                T["culture_grade"],
                rx.el.option(T["culture_any_grade"], value=""),
                *[rx.el.option(grade, value=grade) for grade in GRADES],
                id="culture-grade",
                value=S.grade,
                on_change=S.set_grade,
            ),
            _facet("place", "culture_place"),
            rx.el.div(
                rx.el.label(T["culture_day"], html_for="culture-day"),
                rx.el.input(
                    id="culture-day",
                    type="date",
                    value=S.day,
                    on_change=S.set_day,
                    class_name="native-input",
                ),
                class_name="field",
            ),
            _price_filter(),
            checkbox_field(
                T["culture_free_places_only"],
                id="culture-free-places",
                checked=S.free_places_only,
                on_change=S.set_free_places_only,
            ),
            rx.button(T["reset_filters"], on_click=S.clear_filters, variant="outline", size="1"),
            rx.button(
                S.show_results_label,
                on_click=S.close_filters,
                class_name="phone-only show-results",
                width="100%",
            ),
            spacing="3",
            align="start",
        ),
        class_name=rx.cond(S.filters_open, "filters open", "filters"),
        id="culture-filters",
        aria_labelledby="culture-filters-heading",
    )


def toolbar() -> rx.Component:
    return rx.hstack(
        rx.button(
            S.filters_label,
            on_click=S.open_filters,
            variant="soft",
            class_name="phone-only",
            id="culture-filters-toggle",
            aria_controls="culture-filters",
            aria_expanded=rx.cond(S.filters_open, "true", "false"),
        ),
        select_field(
            T["sort_by"],
            rx.el.option(T["sort_relevance"], value="relevance"),
            rx.el.option(T["sort_price"], value="price"),
            rx.el.option(T["culture_sort_soonest"], value="soonest"),
            id="culture-sort",
            value=S.sort,
            on_change=S.set_sort,
        ),
        wrap="wrap",
        align="end",
        spacing="4",
    )


def results() -> rx.Component:
    return rx.vstack(
        rx.cond(
            S.degraded,
            rx.callout(
                T["degraded"], color_scheme="amber", role="status", width="100%", high_contrast=True
            ),
        ),
        rx.cond(
            S.error != "",
            rx.callout(S.error, color_scheme="red", high_contrast=True, role="alert", width="100%"),
        ),
        rx.text(S.found_label, id="culture-total", role="status", aria_live="polite"),
        rx.cond(
            S.searched & (S.total == 0),
            rx.box(
                rx.heading(T["empty_title"], size="4", as_="h2"),
                rx.text(T["empty_hint"]),
                rx.button(T["reset_filters"], on_click=S.clear_filters, variant="soft"),
            ),
        ),
        rx.grid(
            rx.foreach(S.cards, service_card),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
            id="culture-results",
        ),
        rx.cond(
            S.pages > 1,
            rx.hstack(
                rx.button(
                    T["previous"],
                    on_click=S.go_to_page(S.page - 1),
                    disabled=S.page <= 1,
                    variant="soft",
                ),
                rx.text(S.page_label),
                rx.button(
                    T["next"],
                    on_click=S.go_to_page(S.page + 1),
                    disabled=S.page >= S.pages,
                    variant="soft",
                ),
                align="center",
            ),
        ),
        spacing="3",
        width="100%",
    )


def culture_catalog_page() -> rx.Component:
    return page(
        rx.heading(T["culture_catalog_title"], size="6", as_="h1"),
        rx.el.div(
            rx.el.label(
                T["culture_search_label"], html_for="culture-search", class_name="visually-hidden"
            ),
            rx.debounce_input(
                rx.input(
                    id="culture-search",
                    type="search",
                    value=S.query_text,
                    on_change=S.set_query_text,
                    placeholder=T["culture_search_placeholder"],
                    size="3",
                    width="100%",
                    auto_complete="off",
                ),
                debounce_timeout=150,
            ),
            width="100%",
        ),
        toolbar(),
        rx.flex(
            filters_panel(),
            results(),
            direction=rx.breakpoints(initial="column", sm="row"),
            spacing="5",
            width="100%",
            class_name="catalog-body",
        ),
    )
