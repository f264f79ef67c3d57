"""A program's page: description, provider, groups, and the application for a signed-in parent."""

import reflex as rx

from navigator import routes
from navigator.components.description import description
from navigator.components.forms import checkbox_field, choice_options, select_field
from navigator.components.layout import data_table, error_text, notice_text, page
from navigator.components.program_card import program_picture
from navigator.state.program import ProgramState

T = ProgramState.t
PAGE_PICTURE_SIZE = {"width": "800", "height": "600"}  # 4:3; a wide drawing loses its sides


def _group_row(group: rx.Var) -> rx.Component:
    return rx.el.tr(
        rx.el.th(group.name, scope="row"),
        rx.el.td(group.timetable),
        rx.el.td(group.dates),
        rx.el.td(group.seats_left),
        rx.el.td(group.price),
    )


def _groups() -> rx.Component:
    return rx.box(
        rx.heading(T["groups"], size="4", as_="h2"),
        data_table(
            T["groups"],
            [T["group"], T["timetable"], T["dates"], T["seats_left"], T["price_per_lesson"]],
            rx.foreach(ProgramState.groups, _group_row),
        ),
        width="100%",
    )


def _choose(label_key: str, id: str, choices, value, handler) -> rx.Component:
    """A choice that applies at once: nothing chosen shows as a dash."""
    return select_field(
        T[label_key],
        rx.el.option("—", value=""),
        choice_options(choices),
        id=id,
        value=value,
        on_change=handler,
    )


def _line(label_key: str, value: rx.Var) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(T[label_key]), rx.data_list.value(value))


def _application() -> rx.Component:
    b = ProgramState.breakdown
    return rx.card(
        rx.vstack(
            rx.heading(T["apply"], size="4", as_="h2"),
            rx.cond(
                ProgramState.children.length() == 0,
                rx.text(
                    T["add_child_first"],
                    " ",
                    rx.link(T["nav_cabinet"], href=routes.CABINET, underline="always"),
                ),
                rx.vstack(
                    _choose(
                        "choose_child",
                        "child",
                        ProgramState.children,
                        ProgramState.child_id,
                        ProgramState.choose_child,
                    ),
                    _choose(
                        "choose_group",
                        "group",
                        ProgramState.group_choices,
                        ProgramState.group_id,
                        ProgramState.choose_group,
                    ),
                    rx.cond(
                        ProgramState.has_breakdown,
                        rx.vstack(
                            rx.heading(T["breakdown"], size="3", as_="h3"),
                            rx.data_list.root(
                                _line("lessons", b.lessons),
                                _line("dates", b.dates),
                                _line("price_per_lesson", b.price_per_lesson),
                                _line("contract_total", b.contract),
                                _line("certificate_share", b.certificate_share),
                                _line("co_payment", b.co_payment),
                                id="breakdown",
                            ),
                            rx.el.details(
                                rx.el.summary(T["offer_terms_read"]),
                                rx.el.ol(
                                    rx.foreach(ProgramState.offer_clauses, rx.el.li),
                                    class_name="offer-clauses",
                                ),
                                id="offer-terms",
                            ),
                            checkbox_field(
                                T["offer_terms"],
                                id="terms",
                                checked=ProgramState.terms_accepted,
                                on_change=ProgramState.set_terms_accepted,
                            ),
                            rx.button(
                                T["apply"],
                                on_click=ProgramState.apply,
                                disabled=~ProgramState.terms_accepted,
                                id="apply",
                            ),
                            align="start",
                        ),
                    ),
                    align="start",
                    width="100%",
                ),
            ),
            error_text(ProgramState.error, "apply-error"),
            notice_text(ProgramState.notice, "apply-notice"),
            align="start",
        ),
        width="100%",
    )


def program_page() -> rx.Component:
    return page(
        rx.heading(ProgramState.title, size="6", as_="h1", id="program-title"),
        rx.cond(
            ProgramState.found,
            rx.vstack(
                rx.hstack(
                    rx.foreach(
                        ProgramState.facts,
                        lambda f: rx.badge(f, variant="soft", high_contrast=True),
                    ),
                    rx.cond(
                        ProgramState.payable_by_certificate,
                        rx.badge(T["badge_certificate"], color_scheme="green", high_contrast=True),
                    ),
                    rx.cond(
                        ProgramState.is_free,
                        rx.badge(T["badge_free"], color_scheme="blue", high_contrast=True),
                    ),
                    wrap="wrap",
                ),
                program_picture(
                    ProgramState.photo_url,
                    ProgramState.placeholder,
                    ProgramState.title,
                    size=PAGE_PICTURE_SIZE,
                    kind="program",
                    ids=True,
                ),
                # text nodes only: a description can never carry markup or script into the page
                description(ProgramState.description, id="program-description"),
                rx.data_list.root(
                    _line("provider", ProgramState.provider),
                    rx.cond(
                        ProgramState.address != "",
                        _line("address", ProgramState.address),
                    ),
                ),
                rx.cond(
                    ProgramState.map_url != "",
                    rx.link(T["on_map"], href=ProgramState.map_url, is_external=True),
                ),
                _groups(),
                rx.cond(
                    ProgramState.signed_in,
                    _application(),
                    rx.callout(
                        rx.link(
                            T["sign_in_to_apply"],
                            href=ProgramState.sign_in_href,
                            underline="always",
                        ),
                        id="sign-in-invitation",
                        width="100%",
                        high_contrast=True,
                    ),
                ),
                spacing="4",
                align="start",
                width="100%",
            ),
        ),
    )
