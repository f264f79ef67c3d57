"""/culture: a school coordinator's screen: the wallet, who has had no service yet, booking a
class for a session (caps and wallet shown first), the bookings, the roster, a colleague."""

import reflex as rx

from navigator.components.charts import bar_chart
from navigator.components.forms import (
    choice_options,
    confirmed_button,
    csv_dropzone,
    input_field,
    option,
    select_field,
)
from navigator.components.layout import data_table, error_text, notice_text, page
from navigator.state.culture import CultureState

S = CultureState
T = CultureState.t


def _figure(key: str, value: rx.Var, class_name: str) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(T[key]),
        rx.data_list.value(rx.text.span(value, class_name=class_name)),
    )


def _wallet() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(T["culture_wallet"], " ", S.year, size="4", as_="h2"),
            rx.data_list.root(
                _figure("culture_pupils_counted", S.wallet["pupils"], "wallet-pupils"),
                _figure("culture_allocated", S.wallet["allocated"], "wallet-allocated"),
                _figure("held", S.wallet["held"], "wallet-held"),
                _figure("spent", S.wallet["charged"], "wallet-charged"),
                _figure("available", S.wallet["available"], "wallet-available"),
                _figure("culture_cap", S.wallet["cap"], "wallet-cap"),
                id="wallet",
            ),
            bar_chart(T["culture_wallet_chart"], S.wallet_bars, "wallet-chart"),
            rx.cond(
                S.corrections.length() > 0,
                rx.vstack(
                    rx.text(T["culture_count_corrections"], weight="bold", size="2"),
                    rx.foreach(
                        S.corrections,
                        lambda c: rx.text(
                            c.when, " · ", c.amount, " · ", c.note, size="2", class_name="fix"
                        ),
                    ),
                    spacing="1",
                    id="count-corrections",
                ),
            ),
            align="start",
        ),
        width="100%",
    )


def _gaps() -> rx.Component:
    return rx.vstack(
        rx.heading(T["culture_no_service_yet"], size="4", as_="h2"),
        rx.cond(
            S.gaps.length() == 0,
            rx.text(T["culture_everyone_served"], size="2"),
            rx.hstack(
                rx.foreach(
                    S.gaps,
                    lambda g: rx.badge(g.class_name, ": ", g.count, size="2", class_name="gap"),
                ),
                wrap="wrap",
                id="gaps",
            ),
        ),
        bar_chart(T["culture_gap_chart"], S.gap_bars, "gap-chart"),
        align="start",
        width="100%",
    )


def _session_option(line: rx.Var) -> rx.Component:
    return rx.el.option(
        line.when,
        " · ",
        line.title,
        " · ",
        line.price,
        " · ",
        line.free_places,
        value=line.id,
        key=line.id,  # keyed by its value, as forms.option says why
    )


def _pupil(line: rx.Var) -> rx.Component:
    return rx.el.label(
        rx.el.input(
            type="checkbox",
            checked=line.ticked,
            on_change=S.toggle_pupil(line.id),
            class_name="pupil-box",
        ),
        rx.text.span(line.name),
        rx.text.span(T["culture_remaining"], ": ", line.remaining, size="1", color_scheme="gray"),
        rx.cond(
            line.over, rx.badge(T["culture_over_cap"], color_scheme="red", class_name="over-cap")
        ),
        rx.cond(~line.served, rx.badge(T["culture_first_service"], color_scheme="green")),
        class_name="facet-option pupil-line",
    )


def _booking_form() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(T["culture_book_class"], size="4", as_="h2", id="book-heading"),
            select_field(
                T["culture_session"],
                rx.el.option("—", value=""),
                rx.foreach(S.sessions, _session_option),
                id="book-session",
                value=S.session_id,
                on_change=S.choose_session,
            ),
            select_field(
                T["class"],
                rx.el.option("—", value=""),
                rx.foreach(S.classes, lambda c: option(c, c)),
                id="book-class",
                value=S.class_name,
                on_change=S.choose_class,
            ),
            rx.cond(
                S.pupils.length() > 0,
                rx.el.fieldset(
                    rx.el.legend(T["pupils"], " (", S.ticked_count, ")"),
                    rx.foreach(S.pupils, _pupil),
                    class_name="facet",
                    id="book-pupils",
                ),
            ),
            input_field(
                T["adults"],
                id="book-adults",
                value=S.adults,
                on_change=S.set_adults,
                input_mode="numeric",
                size=3,
            ),
            rx.cond(
                S.quote_total != "",
                rx.data_list.root(
                    _figure("culture_total", S.quote_total, "quote-total"),
                    _figure("culture_wallet_before", S.quote_before, "quote-before"),
                    _figure("culture_wallet_after", S.quote_after, "quote-after"),
                    id="quote",
                ),
            ),
            rx.cond(
                S.booking_error != "",
                rx.text(S.booking_error, color_scheme="red", role="alert", id="booking-error"),
            ),
            rx.button(
                T["culture_book"],
                on_click=S.book,
                disabled=(S.quote_total == "") | S.over_cap,
                id="book",
            ),
            align="start",
            width="100%",
        ),
        width="100%",
        id="booking-form",
    )


def _dispute_form() -> rx.Component:
    """Disputing a delivered booking's charge, with a comment if the coordinator wants one."""
    return rx.el.form(
        rx.el.label(T["dispute_comment"], html_for="dispute-comment"),
        rx.el.input(
            id="dispute-comment", name="comment", max_length=500, class_name="native-input wide"
        ),
        rx.hstack(
            rx.button(T["culture_dispute_send"], type="submit", size="1", id="send-dispute"),
            rx.button(
                T["cancel"], type="button", size="1", variant="outline", on_click=S.cancel_dispute
            ),
            wrap="wrap",
        ),
        on_submit=S.dispute,
        class_name="field",
    )


def _booking_row(line: rx.Var) -> rx.Component:
    return rx.el.tr(
        rx.el.td(line.when),
        rx.el.td(line.title),
        rx.el.td(line.class_name),
        rx.el.td(line.people),
        rx.el.td(line.total),
        rx.el.td(
            line.status,
            rx.cond(line.reason != "", rx.text.span(" · ", line.reason)),
            rx.cond(line.dispute != "", rx.text(line.dispute, size="1", class_name="dispute")),
            class_name="booking-status",
        ),
        rx.el.td(
            rx.cond(
                line.cancellable,
                rx.button(
                    T["cancel"],
                    size="1",
                    variant="outline",
                    color_scheme="red",
                    on_click=S.cancel(line.id),
                    class_name="cancel-booking",
                ),
            ),
            rx.cond(
                line.can_dispute,
                rx.cond(
                    S.disputing == line.id,
                    _dispute_form(),
                    rx.button(
                        T["culture_dispute"],
                        size="1",
                        variant="outline",
                        on_click=S.start_dispute(line.id),
                        class_name="dispute-booking",
                    ),
                ),
            ),
        ),
        class_name="booking-row",
    )


def _roster_row(line: rx.Var) -> rx.Component:
    return rx.el.tr(
        rx.el.td(line.class_name),
        rx.el.td(line.name),
        rx.el.td(line.register_id),
        rx.el.td(line.spent),
        rx.el.td(line.remaining),
        rx.el.td(
            rx.button(
                rx.cond(line.active, T["culture_pupil_left"], T["culture_pupil_back"]),
                size="1",
                variant="outline",
                on_click=S.set_pupil_active(line.id, ~line.active),
                class_name="pupil-active",
            )
        ),
        class_name=rx.cond(line.active, "roster-row", "roster-row roster-left"),
    )


def _pupil_form() -> rx.Component:
    return rx.el.form(
        rx.hstack(
            input_field(T["class"], id="pupil-class", name="class", required=True, size=4),
            input_field(T["first_name"], id="pupil-first", name="first_name", required=True),
            input_field(T["last_name"], id="pupil-last", name="last_name", required=True),
            input_field(
                T["culture_register_id"], id="pupil-register", name="register_id", required=True
            ),
            rx.button(T["culture_save_pupil"], type="submit", id="save-pupil"),
            align="end",
            wrap="wrap",
        ),
        on_submit=S.save_pupil,
        reset_on_submit=True,
    )


def _roster() -> rx.Component:
    return rx.vstack(
        rx.heading(T["culture_roster"], " (", S.roster_size, ")", size="4", as_="h2"),
        rx.text(T["culture_roster_hint"], size="2"),
        csv_dropzone("roster-csv", T["import_drop"], max_size=2_000_000),
        rx.button(
            T["import"],
            on_click=S.import_roster(rx.upload_files(upload_id="roster-csv")),
            id="import-roster",
        ),
        rx.cond(
            S.import_summary != "",
            rx.text(S.import_summary, role="status", id="roster-summary"),
        ),
        rx.foreach(
            S.import_errors,
            lambda e: rx.text(e, color_scheme="red", size="2", class_name="roster-error"),
        ),
        rx.el.details(
            rx.el.summary(T["culture_roster_edit"]),
            rx.vstack(
                _pupil_form(),
                data_table(
                    T["culture_roster"],
                    [
                        T["class"],
                        T["culture_pupil"],
                        T["culture_register_id"],
                        T["spent"],
                        T["culture_remaining"],
                        "",
                    ],
                    rx.foreach(S.roster, _roster_row),
                    id="roster-table",
                ),
                align="start",
                width="100%",
            ),
            id="roster-box",
            width="100%",
        ),
        align="start",
        width="100%",
    )


def _colleague_line(person) -> rx.Component:
    return rx.hstack(
        rx.text(person.email, class_name="colleague-email"),
        rx.cond(person.pending, rx.badge(T["culture_colleague_invited"], variant="soft")),
        rx.cond(person.is_you, rx.badge(T["culture_colleague_you"], variant="outline")),
        rx.cond(
            S.removable & ~person.pending,
            confirmed_button(
                T["culture_op_remove"],
                T["culture_op_remove_confirm"],
                asking=S.removing == person.user_id,
                on_start=S.start_remove(person.user_id),
                on_confirm=S.remove,
                on_cancel=S.cancel_remove,
                class_name="remove-coordinator",
            ),
        ),
        wrap="wrap",
        align="center",
        class_name="colleague",
    )


def _colleague() -> rx.Component:
    return rx.vstack(
        rx.heading(T["culture_colleagues"], size="4", as_="h2", id="colleagues"),
        rx.foreach(S.colleagues, _colleague_line),
        _invite_colleague(),
        align="start",
        width="100%",
    )


def _invite_colleague() -> rx.Component:
    return rx.el.form(
        rx.hstack(
            input_field(
                T["culture_invite_colleague"],
                id="coordinator-email",
                name="email",
                kind="email",
                required=True,
                max_length=254,
            ),
            rx.button(T["invite_staff"], type="submit", id="invite-coordinator"),
            align="end",
            wrap="wrap",
        ),
        on_submit=S.invite,
        reset_on_submit=True,
    )


def culture_page() -> rx.Component:
    return page(
        rx.heading(T["culture_title"], size="6", as_="h1"),
        error_text(S.error, "culture-error"),
        notice_text(S.notice, "culture-notice"),
        rx.cond(
            S.has_school,
            rx.vstack(
                rx.cond(
                    S.schools.length() > 1,
                    select_field(
                        T["culture_school"],
                        choice_options(S.schools),
                        id="school",
                        value=S.school_id,
                        on_change=S.choose_school,
                    ),
                ),
                rx.cond(
                    S.year == "",
                    rx.text(T["culture_no_year"]),
                    rx.vstack(
                        _wallet(),
                        _gaps(),
                        rx.hstack(
                            rx.button(
                                T["culture_report_csv"],
                                variant="soft",
                                size="1",
                                on_click=S.download_report("csv"),
                                id="report-csv",
                            ),
                            rx.button(
                                T["culture_report_xlsx"],
                                variant="soft",
                                size="1",
                                on_click=S.download_report("xlsx"),
                                id="report-xlsx",
                            ),
                            wrap="wrap",
                        ),
                        _booking_form(),
                        rx.heading(T["culture_bookings"], size="4", as_="h2", id="bookings"),
                        rx.cond(
                            S.bookings.length() == 0,
                            rx.text(T["culture_no_bookings"], size="2"),
                            data_table(
                                T["culture_bookings"],
                                [
                                    T["date"],
                                    T["culture_service"],
                                    T["class"],
                                    T["pupils"],
                                    T["culture_total"],
                                    T["status"],
                                    "",
                                ],
                                rx.foreach(S.bookings, _booking_row),
                                id="bookings-table",
                            ),
                        ),
                        align="start",
                        width="100%",
                    ),
                ),
                _roster(),
                _colleague(),
                align="start",
                width="100%",
            ),
            rx.text(T["culture_not_coordinator"]),
        ),
    )
