"""The parent's cabinet: children and their certificates, the history, enrollments."""

import reflex as rx

from navigator import routes
from navigator.components.forms import choice_options, input_field, select_field
from navigator.components.layout import (
    confirmation_callout,
    data_table,
    error_text,
    notice_text,
    page,
)
from navigator.state.cabinet import CabinetState

T = CabinetState.t


def _child_form(first_name, last_name, birth_date, district, new: bool) -> rx.Component:
    return rx.el.form(
        rx.vstack(
            input_field(
                T["first_name"],
                id="child-first_name",
                name="first_name",
                default_value=first_name,
                required=True,
                max_length=100,
            ),
            input_field(
                T["last_name"],
                id="child-last_name",
                name="last_name",
                default_value=last_name,
                required=True,
                max_length=100,
            ),
            input_field(
                T["birth_date"],
                id="child-birth_date",
                name="birth_date",
                kind="date",
                default_value=birth_date,
                required=True,
            ),
            input_field(
                T["district"],
                id="child-district",
                name="district",
                default_value=district,
                max_length=100,
            ),
            rx.cond(
                new,
                select_field(
                    T["municipality"],
                    choice_options(CabinetState.municipalities),
                    id="child-municipality",
                    name="municipality_id",
                ),
            ),
            rx.hstack(
                rx.button(T["save"], type="submit", id="save-child"),
                rx.button(
                    T["cancel"], type="button", variant="soft", on_click=CabinetState.stop_edit
                ),
            ),
            align="start",
        ),
        on_submit=CabinetState.save_child,
        reset_on_submit=False,
        class_name="child-form",
    )


def _amount(label_key: str, value) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(T[label_key]), rx.data_list.value(value))


def _dispute_form(line: rx.Var) -> rx.Component:
    """One tap on a lesson charge: "my child was not there", with an optional comment."""
    return rx.form(
        rx.el.input(type="hidden", name="entry_id", value=line.entry_id),
        rx.hstack(
            rx.input(
                name="comment",
                placeholder=T["dispute_comment"],
                aria_label=T["dispute_comment"],
                max_length=500,
                size="1",
                width="12em",
            ),
            rx.button(
                T["dispute_not_there"],
                type="submit",
                size="1",
                variant="outline",
                class_name="dispute-charge",
            ),
            wrap="wrap",
            spacing="1",
        ),
        on_submit=CabinetState.dispute_charge,
        reset_on_submit=True,
    )


def _history() -> rx.Component:
    return rx.box(
        rx.heading(T["history"], size="3", as_="h4"),
        error_text(CabinetState.history_error, id="history-error"),
        notice_text(CabinetState.history_notice, id="history-notice"),
        rx.cond(
            CabinetState.history.length() == 0,
            rx.text(T["no_history"]),
            data_table(
                T["history"],
                [T["date"], T["operation"], T["program"], T["amount"]],
                rx.foreach(
                    CabinetState.history,
                    lambda line: rx.el.tr(
                        rx.el.td(line.date),
                        rx.el.td(
                            line.kind,
                            rx.cond(
                                line.note != "",
                                rx.text(line.note, size="1", color_scheme="gray"),
                            ),
                            rx.cond(
                                line.dispute != "",
                                rx.text(line.dispute, size="1", class_name="history-dispute"),
                            ),
                            rx.cond(line.can_dispute, _dispute_form(line)),
                        ),
                        rx.el.td(line.program),
                        rx.el.td(
                            line.amount,
                            class_name="history-amount history-" + line.direction,
                        ),
                        class_name="history-line",
                    ),
                ),
                id="history",
            ),
        ),
        width="100%",
        overflow_x="auto",
    )


def _certificate(child: rx.Var) -> rx.Component:
    return rx.cond(
        child.has_certificate,
        rx.vstack(
            rx.heading(T["certificate"], " ", child.number, size="3", as_="h4"),
            rx.data_list.root(
                _amount("status", child.status),
                _amount("valid_until", child.valid_until),
                _amount("available", rx.text.span(child.available, class_name="available")),
                _amount("held", rx.text.span(child.held, class_name="held")),
                _amount("spent", rx.text.span(child.spent, class_name="spent")),
                class_name="certificate-card",
            ),
            rx.cond(
                child.funded, rx.text(child.expires, size="2"), rx.text(T["no_funding"], size="2")
            ),
            rx.cond(
                CabinetState.history_child == child.id,
                rx.vstack(
                    _history(),
                    rx.button(
                        T["hide"], variant="soft", size="1", on_click=CabinetState.hide_history
                    ),
                    width="100%",
                ),
                rx.button(
                    T["show_history"],
                    variant="soft",
                    size="1",
                    on_click=CabinetState.show_history(child.id),
                    class_name="show-history",
                ),
            ),
            align="start",
            width="100%",
        ),
        _certificate_request(child),
    )


def _card_answer(child: rx.Var) -> rx.Component:
    """The answer to an action on this card, in the card, where the parent is looking."""
    return rx.cond(
        CabinetState.card_child == child.id,
        rx.fragment(
            rx.cond(
                CabinetState.card_error != "",
                rx.text(
                    CabinetState.card_error,
                    color_scheme="red",
                    size="2",
                    role="alert",
                    class_name="card-error",
                ),
            ),
            rx.cond(
                CabinetState.card_notice != "",
                rx.text(
                    CabinetState.card_notice,
                    color_scheme="green",
                    size="2",
                    role="status",
                    class_name="card-notice",
                ),
            ),
        ),
    )


def _certificate_request(child: rx.Var) -> rx.Component:
    """No certificate yet: the request, with the identifier while the child is unverified;
    or where the request stands."""
    return rx.vstack(
        rx.cond(
            child.waiting != "",
            rx.callout(
                T["verification_pending"] + " " + child.waiting,
                icon="hourglass",
                size="1",
                high_contrast=True,
                class_name="verification-pending",
            ),
            rx.el.form(
                rx.vstack(
                    rx.cond(
                        child.refused != "",
                        rx.text(
                            T["verification_refused"] + " " + child.refused,
                            color_scheme="red",
                            size="2",
                            class_name="verification-refused",
                        ),
                    ),
                    rx.el.input(type="hidden", name="child_id", value=child.id),
                    rx.cond(
                        child.verified,
                        rx.fragment(),
                        rx.vstack(
                            input_field(
                                child.id_label,
                                id="national-id-" + child.id,
                                name="national_id",
                                required=True,
                                max_length=40,
                                auto_complete="off",
                            ),
                            rx.text(T["national_id_hint"], size="1", color_scheme="gray"),
                            spacing="1",
                        ),
                    ),
                    rx.button(
                        T["request_certificate"], type="submit", class_name="request-certificate"
                    ),
                    align="start",
                ),
                on_submit=CabinetState.get_certificate,
                reset_on_submit=False,
                class_name="certificate-request",
            ),
        ),
        _card_answer(child),
        align="start",
        width="100%",
    )


def _category(child: rx.Var) -> rx.Component:
    """The category (a larger nominal) is verified by the municipality on request."""
    return rx.vstack(
        rx.text(T["category"], ": ", child.category, size="2"),
        rx.cond(
            child.category_waiting != "",
            rx.text(T["verification_pending"] + " " + child.category_waiting, size="2"),
            rx.el.form(
                rx.hstack(
                    rx.el.input(type="hidden", name="child_id", value=child.id),
                    rx.el.select(
                        choice_options(CabinetState.category_choices),
                        name="category",
                        aria_label=T["category"],
                    ),
                    rx.button(T["ask_category"], type="submit", size="1", variant="soft"),
                    wrap="wrap",
                    align="center",
                ),
                on_submit=CabinetState.ask_category,
                reset_on_submit=False,
                class_name="category-request",
            ),
        ),
        rx.cond(
            child.category_refused != "",
            rx.text(T["verification_refused"] + " " + child.category_refused, size="2"),
        ),
        align="start",
        width="100%",
    )


def _child(child: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(child.name, size="4", as_="h3"),
                rx.text(child.birth_date_text, " · ", child.municipality, color_scheme="gray"),
                rx.button(
                    T["edit"],
                    variant="ghost",
                    size="1",
                    on_click=CabinetState.start_edit(child.id),
                    aria_label=T["edit"] + " " + child.name,
                ),
                align="center",
                wrap="wrap",
            ),
            rx.cond(
                CabinetState.editing == child.id,
                _child_form(
                    child.first_name, child.last_name, child.birth_date, child.district, new=False
                ),
            ),
            _certificate(child),
            rx.link(
                T["catalog_for_child"] + " " + child.first_name,
                href=child.catalog_link,
                class_name="catalog-for-child",
                weight="medium",
            ),
            rx.cond(child.verified, _category(child)),
            align="start",
            width="100%",
        ),
        width="100%",
        class_name="child-card",
    )


def _enrollment(item: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.link(
                rx.heading(item.program, size="3", as_="h3"),
                href=routes.PROGRAM + item.program_id,
            ),
            rx.text(item.child, " · ", item.group, " · ", item.timetable, size="2"),
            rx.text(item.dates, size="2"),
            rx.cond(
                item.reason != "",
                rx.text(
                    T["rejection_reason"],
                    ": ",
                    item.reason,
                    size="2",
                    class_name="rejection-reason",
                ),
            ),
            rx.cond(
                item.queue != "",
                rx.box(
                    rx.text(item.queue, size="2", weight="bold", class_name="queue-place"),
                    rx.text(item.queue_why, size="1", class_name="queue-why"),
                ),
            ),
            rx.hstack(
                rx.badge(item.status, class_name="enrollment-status", high_contrast=True),
                rx.text(
                    T["held"], ": ", rx.text.span(item.held, class_name="enrollment-held"), size="2"
                ),
                rx.text(
                    T["spent"],
                    ": ",
                    rx.text.span(item.captured, class_name="enrollment-captured"),
                    size="2",
                ),
                rx.text(item.attendance, size="2"),
                wrap="wrap",
            ),
            rx.cond(
                CabinetState.cancelling == item.id,
                rx.callout(
                    rx.vstack(
                        rx.text(T["cancel_confirm_title"], weight="bold"),
                        rx.text(CabinetState.cancel_release, id="cancel-release"),
                        rx.hstack(
                            rx.button(
                                T["confirm_cancel"],
                                color_scheme="red",
                                on_click=CabinetState.confirm_cancel,
                                id="confirm-cancel",
                            ),
                            rx.button(
                                T["keep"], variant="soft", on_click=CabinetState.keep_enrollment
                            ),
                        ),
                    ),
                    role="alertdialog",
                    color_scheme="amber",
                    high_contrast=True,
                ),
                rx.cond(
                    item.can_cancel,
                    rx.button(
                        T["cancel_enrollment"],
                        variant="outline",
                        color_scheme="red",
                        size="1",
                        on_click=CabinetState.ask_cancel(item.id),
                        class_name="cancel-enrollment",
                    ),
                ),
            ),
            align="start",
        ),
        width="100%",
        class_name="enrollment-card",
    )


def _offer(item: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(item.program, size="3", as_="h3"),
            rx.text(item.child, " · ", item.group, size="2"),
            rx.cond(item.terms != "", rx.text(item.terms, size="2", class_name="offer-terms")),
            rx.cond(
                item.changed,
                rx.text(
                    T["offer_terms_changed"], size="2", role="status", class_name="offer-changed"
                ),
            ),
            rx.cond(item.problem != "", rx.text(item.problem, size="2", color_scheme="red")),
            rx.hstack(
                rx.button(
                    T["confirm_offer"],
                    on_click=CabinetState.accept_offer(item.id, item.terms_key),
                    disabled=item.problem != "",
                    class_name="confirm-offer",
                ),
                rx.button(
                    T["decline_offer"],
                    variant="outline",
                    on_click=CabinetState.refuse_offer(item.id),
                    class_name="decline-offer",
                ),
            ),
            align="start",
        ),
        width="100%",
        class_name="offer-card",
    )


def cabinet_page() -> rx.Component:
    return page(
        rx.heading(T["cabinet_title"], size="6", as_="h1"),
        rx.text(CabinetState.user_email, color_scheme="gray"),
        confirmation_callout(CabinetState.confirm_banner, CabinetState.resend_confirmation),
        error_text(CabinetState.error, "cabinet-error"),
        notice_text(CabinetState.notice, "cabinet-notice"),
        rx.heading(T["children"], size="5", as_="h2"),
        rx.cond(CabinetState.children.length() == 0, rx.text(T["no_children"])),
        rx.foreach(CabinetState.children, _child),
        rx.cond(
            CabinetState.editing == "new",
            rx.card(_child_form("", "", "", "", new=True), width="100%"),
            rx.button(T["add_child"], on_click=CabinetState.start_edit("new"), id="add-child"),
        ),
        rx.cond(
            CabinetState.offers.length() > 0,
            rx.vstack(
                rx.heading(T["offers"], size="5", as_="h2"),
                rx.foreach(CabinetState.offers, _offer),
                width="100%",
            ),
        ),
        rx.hstack(
            rx.heading(T["enrollments"], size="5", as_="h2"),
            rx.link(T["week_link"], href=routes.CABINET_WEEK, id="week-link"),
            align="baseline",
            wrap="wrap",
            spacing="4",
        ),
        rx.cond(
            CabinetState.enrollments.length() == 0,
            rx.text(
                T["no_enrollments"],
                " ",
                rx.link(T["nav_catalog"], href=routes.HOME, underline="always"),
            ),
        ),
        rx.foreach(CabinetState.enrollments, _enrollment),
    )
