"""The home page: the catalog with search as you type, facets, sort and pages."""

import reflex as rx

from navigator.components.forms import checkbox_field, pair_options, select_field
from navigator.components.layout import page
from navigator.components.program_card import program_card
from navigator.state.catalog import CatalogState

T = CatalogState.t


def _option(option: rx.Var) -> rx.Component:
    return checkbox_field(
        option.label,
        " ",
        rx.text.span("(", option.count, ")"),
        id="facet-" + option.facet + "-" + option.value,
        checked=option.selected,
        on_change=CatalogState.toggle(option.facet, option.value),
    )


def _facet(name: str, title_key: str) -> rx.Component:
    return rx.cond(
        CatalogState.facets[name].length() > 0,
        rx.el.fieldset(
            rx.el.legend(T[title_key]),
            rx.foreach(CatalogState.facets[name], _option),
            class_name="facet",
        ),
    )


def _price_filter() -> rx.Component:
    """The price ceiling in one currency: the scope's, or one chosen when it spans several."""
    return rx.el.form(
        rx.el.label(CatalogState.price_label, html_for="price-max"),
        rx.hstack(
            rx.el.input(
                id="price-max",
                name="price_max",
                default_value=CatalogState.price_max,
                input_mode="decimal",
                class_name="native-input",
                size=8,
                aria_invalid=rx.cond(CatalogState.price_error != "", "true", "false"),
                aria_describedby="price-error",
            ),
            rx.cond(
                CatalogState.price_currency_choices.length() > 0,
                rx.fragment(
                    rx.el.label(
                        T["currency"], html_for="price-currency", class_name="visually-hidden"
                    ),
                    rx.el.select(
                        pair_options(CatalogState.price_currency_choices),
                        id="price-currency",
                        name="currency",
                        value=CatalogState.effective_price_currency,
                        on_change=CatalogState.set_price_currency,
                        class_name="native-select",
                    ),
                ),
            ),
            rx.button(T["apply_price"], type="submit", variant="soft", size="1"),
            align="center",
            wrap="wrap",
        ),
        rx.el.div(
            rx.cond(
                CatalogState.price_error != "",
                rx.text(CatalogState.price_error, color_scheme="red", size="2"),
            ),
            id="price-error",
            role="alert",
        ),
        on_submit=CatalogState.set_price_max,
        class_name="field",
    )


def filters_panel() -> rx.Component:
    """Beside the results on a wide screen; a drawer over them on a phone."""
    return rx.el.aside(
        rx.vstack(
            rx.hstack(
                rx.heading(T["filters"], size="3", as_="h2", id="filters-heading", tab_index=-1),
                rx.spacer(),
                rx.button(
                    T["close"],
                    on_click=CatalogState.close_filters,
                    variant="ghost",
                    class_name="phone-only",
                    id="close-filters",
                ),
                width="100%",
                align="center",
            ),
            select_field(
                T["child_age"],
                rx.el.option(T["any_age"], value=""),
                *[rx.el.option(str(age), value=str(age)) for age in range(3, 19)],
                id="age",
                value=CatalogState.age,
                on_change=CatalogState.set_age,
            ),
            checkbox_field(
                T["payable_only"],
                id="payable",
                checked=CatalogState.payable_only,
                on_change=CatalogState.set_payable_only,
            ),
            checkbox_field(
                T["free_seats_only"],
                id="seats",
                checked=CatalogState.free_seats_only,
                on_change=CatalogState.set_free_seats_only,
            ),
            _price_filter(),
            _facet("direction", "facet_direction"),
            _facet("municipality", "facet_municipality"),
            _facet("format", "facet_format"),
            _facet("language", "facet_language"),
            _facet("weekday", "facet_weekday"),
            rx.button(
                T["reset_filters"], on_click=CatalogState.clear_filters, variant="outline", size="1"
            ),
            rx.button(
                CatalogState.show_results_label,
                on_click=CatalogState.close_filters,
                class_name="phone-only show-results",
                id="show-results",
                width="100%",
            ),
            spacing="3",
            align="start",
        ),
        class_name=rx.cond(CatalogState.filters_open, "filters open", "filters"),
        id="filters",
        aria_labelledby="filters-heading",
    )


def toolbar() -> rx.Component:
    return rx.hstack(
        rx.button(
            CatalogState.filters_label,
            on_click=CatalogState.open_filters,
            variant="soft",
            class_name="phone-only",
            id="filters-toggle",
            aria_controls="filters",
            aria_expanded=rx.cond(CatalogState.filters_open, "true", "false"),
        ),
        select_field(
            T["sort_by"],
            rx.el.option(T["sort_relevance"], value="relevance"),
            rx.el.option(T["sort_price"], value="price"),
            rx.el.option(T["sort_start"], value="start"),
            rx.el.option(T["sort_distance"], value="distance"),
            id="sort",
            value=CatalogState.sort,
            on_change=CatalogState.set_sort,
        ),
        rx.button(
            T["near_me"], on_click=CatalogState.locate, variant="soft", size="1", id="near-me"
        ),
        select_field(
            T["near_city"],
            rx.el.option("—", value=""),
            pair_options(CatalogState.municipality_choices),
            id="near-city",
            value=rx.cond(CatalogState.near == "me", "", CatalogState.near),
            on_change=CatalogState.near_city,
        ),
        wrap="wrap",
        align="end",
        spacing="4",
    )


def home_scope() -> rx.Component:
    """The family's own municipality chose the scope: said, and undone in one click."""
    return rx.cond(
        CatalogState.scope_is_home,
        rx.hstack(
            rx.text(CatalogState.home_scope_label, size="2"),
            rx.button(
                T["show_everywhere"],
                on_click=CatalogState.everywhere,
                variant="ghost",
                size="1",
                id="show-everywhere",
            ),
            id="home-scope",
            align="center",
            wrap="wrap",
            class_name="home-scope",
        ),
    )


def results() -> rx.Component:
    return rx.vstack(
        home_scope(),
        rx.cond(
            CatalogState.degraded,
            rx.callout(
                T["degraded"],
                color_scheme="amber",
                role="status",
                id="degraded-notice",
                width="100%",
                high_contrast=True,
            ),
        ),
        rx.cond(
            CatalogState.error != "",
            rx.callout(
                CatalogState.error,
                color_scheme="red",
                high_contrast=True,
                role="alert",
                width="100%",
            ),
        ),
        rx.text(CatalogState.found_label, id="catalog-total", role="status", aria_live="polite"),
        rx.cond(
            CatalogState.searched & (CatalogState.total == 0),
            rx.box(
                rx.heading(T["empty_title"], size="4", as_="h2"),
                rx.text(T["empty_hint"]),
                rx.button(T["reset_filters"], on_click=CatalogState.clear_filters, variant="soft"),
                id="empty-state",
            ),
        ),
        rx.grid(
            rx.foreach(CatalogState.cards, program_card),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
            id="results",
            # the query these cards answer, set in the same update as the cards (bench/ui)
            custom_attrs={"data-query": CatalogState.query_text},
        ),
        rx.cond(
            CatalogState.pages > 1,
            rx.hstack(
                rx.button(
                    T["previous"],
                    on_click=CatalogState.go_to_page(CatalogState.page - 1),
                    disabled=CatalogState.page <= 1,
                    variant="soft",
                ),
                rx.text(CatalogState.page_label),
                rx.button(
                    T["next"],
                    on_click=CatalogState.go_to_page(CatalogState.page + 1),
                    disabled=CatalogState.page >= CatalogState.pages,
                    variant="soft",
                    id="next-page",
                ),
                align="center",
            ),
        ),
        spacing="3",
        width="100%",
    )


def index() -> rx.Component:
    return page(
        rx.heading(T["brand_long"], size="6", as_="h1"),
        rx.el.div(
            rx.el.label(T["search_label"], html_for="search", class_name="visually-hidden"),
            rx.debounce_input(
                rx.input(
                    id="search",
                    type="search",
                    value=CatalogState.query_text,
                    on_change=CatalogState.set_query_text,
                    placeholder=T["search_placeholder"],
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
