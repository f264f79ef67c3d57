"""/culture/operator: the culture pass operator's years, schools and wallets, coordinators and
the review of services. Phone first: forms wrap, tables become labelled cards."""

import reflex as rx

from navigator.components.charts import bar_chart
from navigator.components.culture_dispute import asking_why, culture_dispute_card
from navigator.components.forms import (
    checkbox_field,
    confirmed_button,
    csv_dropzone,
    input_field,
    reason_form,
)
from navigator.components.layout import data_table, error_text, notice_text, page
from navigator.state.culture_operator import CultureOperatorState as S

T = S.t


# ---------------------------------------------------------------- years


def _year_row(row) -> rx.Component:
    return rx.el.tr(
        rx.el.td(
            rx.button(
                row.year,
                variant=rx.cond(row.id == S.year_id, "solid", "ghost"),
                on_click=S.choose_year(row.id),
                class_name="year-choice",
            )
        ),
        rx.el.td(row.status),
        rx.el.td(row.per_pupil),
        rx.el.td(row.cap),
        rx.el.td(row.window),
        rx.el.td(row.reference_date),
        rx.el.td(row.cancel_days),
        rx.el.td(row.schools),
    )


def _open_year_form() -> rx.Component:
    return rx.el.details(
        rx.el.summary(T["culture_op_open_year"]),
        rx.el.form(
            rx.hstack(
                input_field(
                    T["culture_op_year"],
                    id="co-year",
                    name="year",
                    required=True,
                    input_mode="numeric",
                    max_length=4,
                    default_value=S.new_year,
                    on_blur=S.prefill_window,
                ),
                input_field(
                    T["culture_op_per_pupil"],
                    id="co-per_pupil",
                    name="per_pupil",
                    required=True,
                    input_mode="decimal",
                ),
                input_field(
                    T["culture_op_cap"],
                    id="co-cap",
                    name="cap",
                    required=True,
                    input_mode="decimal",
                ),
                input_field(
                    T["culture_op_window_start"],
                    id="co-window_start",
                    name="window_start",
                    kind="date",
                    required=True,
                    default_value=S.new_window_start,
                    key=S.window_key,
                ),
                input_field(
                    T["culture_op_window_end"],
                    id="co-window_end",
                    name="window_end",
                    kind="date",
                    required=True,
                    default_value=S.new_window_end,
                    key=S.window_key,
                ),
                input_field(
                    T["culture_op_reference_date"],
                    id="co-reference_date",
                    name="reference_date",
                    kind="date",
                    required=True,
                ),
                input_field(
                    T["culture_op_cancel_days"],
                    id="co-cancel_days",
                    name="cancel_days",
                    required=True,
                    input_mode="numeric",
                    default_value="7",
                ),
                rx.button(T["culture_op_open"], type="submit", id="open-year"),
                wrap="wrap",
                align="end",
            ),
            on_submit=S.open_year,
            reset_on_submit=False,
            id="open-year-form",
        ),
        id="open-year-box",
    )


def _years() -> rx.Component:
    return rx.vstack(
        rx.heading(T["culture_op_years"], size="5", as_="h2", id="years"),
        rx.cond(
            S.years.length() > 0,
            data_table(
                T["culture_op_years"],
                [
                    T["culture_op_year"],
                    T["status"],
                    T["culture_op_per_pupil"],
                    T["culture_op_cap"],
                    T["culture_op_window"],
                    T["culture_op_reference_date"],
                    T["culture_op_cancel_days"],
                    T["culture_op_schools"],
                ],
                rx.foreach(S.years, _year_row),
                id="years-table",
            ),
            rx.text(T["culture_op_no_years"], id="no-years"),
        ),
        _open_year_form(),
        width="100%",
        align="start",
    )


# ---------------------------------------------------------------- schools


def _import() -> rx.Component:
    return rx.vstack(
        rx.heading(T["culture_op_import"], size="4", as_="h3"),
        rx.text(T["culture_op_import_hint"], size="2"),
        csv_dropzone("schools-csv", T["import_drop"], max_size=5_000_000),
        rx.button(
            T["import"],
            on_click=S.import_schools(rx.upload_files(upload_id="schools-csv")),
            id="import-schools",
        ),
        rx.cond(
            S.import_summary != "",
            rx.text(S.import_summary, id="schools-import-summary", role="status"),
        ),
        rx.cond(
            S.import_errors.length() > 0,
            data_table(
                T["culture_op_import"],
                [T["import_line"], T["import_problem"]],
                rx.foreach(
                    S.import_errors,
                    lambda e: rx.el.tr(
                        rx.el.td(e.line), rx.el.td(e.message), class_name="import-error"
                    ),
                ),
                id="schools-import-errors",
            ),
        ),
        width="100%",
        align="start",
    )


def _invite_form(label: rx.Var) -> rx.Component:
    return rx.el.form(
        rx.el.label(label, html_for="coordinator-email"),
        rx.el.input(
            id="coordinator-email",
            name="email",
            type="email",
            required=True,
            max_length=254,
            auto_complete="off",
            class_name="native-input wide",
        ),
        rx.hstack(
            rx.button(T["culture_op_send"], type="submit", size="1", id="send-invitation"),
            rx.button(
                T["cancel"], type="button", size="1", variant="outline", on_click=S.cancel_invite
            ),
            wrap="wrap",
        ),
        on_submit=S.invite,
        class_name="field",
    )


def _remove_coordinator(school, person) -> rx.Component:
    """Removing one of several coordinators, confirmed (the last one is replaced instead)."""
    return confirmed_button(
        T["culture_op_remove"],
        T["culture_op_remove_confirm"],
        asking=S.removing == school.id + ":" + person.user_id,
        on_start=S.start_remove(school.id, person.user_id),
        on_confirm=S.remove,
        on_cancel=S.cancel_remove,
        class_name="remove-coordinator",
    )


def _coordinator(school, person) -> rx.Component:
    return rx.vstack(
        rx.text(person.email, size="2", class_name="coordinator-email"),
        rx.cond(
            S.inviting == school.id + ":" + person.user_id,
            _invite_form(T["culture_op_replace_email"]),
            rx.hstack(
                rx.button(
                    T["culture_op_replace"],
                    size="1",
                    variant="outline",
                    on_click=S.start_invite(school.id, person.user_id),
                    class_name="replace-coordinator",
                ),
                rx.cond(school.several, _remove_coordinator(school, person)),
                wrap="wrap",
            ),
        ),
        spacing="1",
        align="start",
    )


def _pupil_count(school) -> rx.Component:
    """The pupil count, and its correction: a new count and why, as one audited entry."""
    return rx.vstack(
        rx.text(school.pupils, class_name="school-pupils"),
        rx.cond(
            S.correcting == school.wallet_id,
            rx.el.form(
                input_field(
                    T["culture_op_corrected_pupils"],
                    id="correct-pupils",
                    name="pupils",
                    kind="number",
                    min=0,
                    required=True,
                    default_value=school.pupils,
                ),
                input_field(
                    T["culture_op_correction_reason"],
                    id="correct-reason",
                    name="reason",
                    required=True,
                    max_length=500,
                ),
                rx.hstack(
                    rx.button(T["save"], type="submit", size="1", id="save-pupil-count"),
                    rx.button(
                        T["cancel"],
                        type="button",
                        size="1",
                        variant="outline",
                        on_click=S.cancel_correct,
                    ),
                    wrap="wrap",
                ),
                on_submit=S.correct,
                class_name="field",
            ),
            rx.cond(
                S.year_open,
                rx.button(
                    T["culture_op_correct_pupils"],
                    size="1",
                    variant="outline",
                    on_click=S.start_correct(school.wallet_id),
                    class_name="correct-pupils",
                ),
            ),
        ),
        spacing="1",
        align="start",
    )


def _school_row(school) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.text(school.name, weight="bold"), rx.text(school.code, size="1")),
        rx.el.td(school.municipality),
        rx.el.td(_pupil_count(school)),
        rx.el.td(school.allocated),
        rx.el.td(school.held),
        rx.el.td(school.charged),
        rx.el.td(school.available, class_name="school-available"),
        rx.el.td(
            rx.vstack(
                rx.cond(
                    school.no_coordinator,
                    rx.badge(
                        T["culture_op_no_coordinator"],
                        color_scheme="red",
                        high_contrast=True,
                        class_name="no-coordinator",
                    ),
                ),
                rx.foreach(school.coordinators, lambda person: _coordinator(school, person)),
                rx.cond(school.pending != "", rx.text(school.pending, size="1")),
                rx.cond(
                    S.inviting == school.id,
                    _invite_form(T["culture_op_invite_email"]),
                    rx.button(
                        T["culture_op_invite"],
                        size="1",
                        on_click=S.start_invite(school.id, ""),
                        class_name="invite-coordinator",
                    ),
                ),
                spacing="2",
                align="start",
            )
        ),
        class_name="school-row",
    )


def _school_filter() -> rx.Component:
    return rx.el.form(
        rx.hstack(
            input_field(
                T["culture_op_find_school"],
                id="school-query",
                name="query",
                default_value=S.school_filter,
                max_length=100,
            ),
            checkbox_field(
                T["culture_op_only_without"],
                id="without-coordinator",
                name="without_coordinator",
                default_checked=S.only_without_coordinator,
                box_class="field inline",
            ),
            rx.button(T["apply"], type="submit", variant="outline", id="filter-schools"),
            wrap="wrap",
            align="end",
        ),
        on_submit=S.filter_schools,
        reset_on_submit=False,
        role="search",
    )


def _schools() -> rx.Component:
    return rx.vstack(
        rx.heading(T["culture_op_schools"], size="5", as_="h2", id="schools"),
        rx.cond(
            S.year_id != "",
            rx.vstack(
                rx.text(S.year_summary, id="year-summary"),
                rx.cond(S.year_open, _import(), rx.text(T["culture_op_year_closed"], size="2")),
                _school_filter(),
                rx.text(S.schools_note, size="2", id="schools-note"),
                data_table(
                    T["culture_op_schools"],
                    [
                        T["culture_op_school"],
                        T["culture_op_municipality"],
                        T["culture_op_pupils"],
                        T["culture_op_allocated"],
                        T["held"],
                        T["culture_op_charged"],
                        T["available"],
                        T["culture_op_coordinators"],
                    ],
                    rx.foreach(S.schools, _school_row),
                    id="schools-table",
                ),
                width="100%",
                align="start",
            ),
            rx.text(T["culture_op_no_years"]),
        ),
        width="100%",
        align="start",
    )


# ---------------------------------------------------------------- services


def _reason_form(button_key: str) -> rx.Component:
    return reason_form(
        T["decision_reason"],
        rx.hstack(
            rx.button(T[button_key], type="submit", color_scheme="red", id="confirm-decision"),
            rx.button(T["cancel"], type="button", variant="outline", on_click=S.cancel_decision),
            wrap="wrap",
        ),
        id="decision-reason",
        on_submit=S.decide,
    )


def _photo_or_text(value, url) -> rx.Component:
    return rx.cond(
        url != "",
        rx.image(src=url, alt="", width="120px", loading="lazy", class_name="review-photo"),
        rx.text(value),
    )


def _change(change) -> rx.Component:
    return rx.el.tr(
        rx.el.th(change.field, scope="row"),
        rx.el.td(_photo_or_text(change.before, change.before_photo)),
        rx.el.td(_photo_or_text(change.after, change.after_photo)),
    )


def _waiting(line) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(line.title, weight="bold"),
                rx.text("· ", line.provider, size="2"),
                wrap="wrap",
            ),
            rx.text(
                rx.cond(line.first_review, T["culture_op_first_review"], T["culture_op_changed"]),
                size="2",
            ),
            data_table(
                T["changes"],
                [T["field"], T["before"], T["after"]],
                rx.foreach(line.changes, _change),
            ),
            rx.cond(
                S.deciding == "reject:" + line.id,
                _reason_form("reject"),
                rx.hstack(
                    rx.button(
                        T["approve"], on_click=S.approve(line.id), class_name="approve-service"
                    ),
                    rx.button(
                        T["reject"],
                        variant="outline",
                        color_scheme="red",
                        on_click=S.start_decision("reject", line.id),
                        class_name="reject-service",
                    ),
                    rx.button(
                        T["suspend"],
                        variant="outline",
                        color_scheme="red",
                        on_click=S.start_decision("suspend", line.id),
                        class_name="suspend-service",
                    ),
                    wrap="wrap",
                ),
            ),
            rx.cond(S.deciding == "suspend:" + line.id, _reason_form("suspend")),
            align="start",
            width="100%",
        ),
        width="100%",
        class_name="service-review-card",
    )


def _service_row(line) -> rx.Component:
    return rx.el.tr(
        rx.el.td(line.title),
        rx.el.td(line.provider),
        rx.el.td(line.price),
        rx.el.td(
            rx.text(line.status),
            rx.cond(line.reason != "", rx.text(line.reason, size="1")),
        ),
        rx.el.td(
            rx.cond(
                line.suspended,
                rx.button(T["approve"], size="1", on_click=S.approve(line.id)),
                rx.cond(
                    S.deciding == "suspend:" + line.id,
                    _reason_form("suspend"),
                    rx.button(
                        T["suspend"],
                        size="1",
                        variant="outline",
                        color_scheme="red",
                        on_click=S.start_decision("suspend", line.id),
                        class_name="suspend-service",
                    ),
                ),
            )
        ),
    )


def _dispute(item) -> rx.Component:
    return culture_dispute_card(
        item,
        rx.text(
            T["dispute_provider_reason"],
            ": ",
            rx.cond(item.provider_reason != "", item.provider_reason, T["dispute_no_answer"]),
            size="2",
        ),
        answer=asking_why(
            S.deciding_dispute.split(":")[1] == item.id,
            T["dispute_decision_reason"],
            T["culture_op_send"],
            id="dispute-decision-reason",
            on_submit=S.decide_dispute,
            on_cancel=S.cancel_dispute_decision,
            otherwise=rx.hstack(
                rx.button(
                    T["culture_dispute_uphold"],
                    size="1",
                    on_click=S.start_dispute_decision("uphold", item.id),
                    class_name="uphold-dispute",
                ),
                rx.button(
                    T["dispute_reject"],
                    size="1",
                    variant="outline",
                    on_click=S.start_dispute_decision("reject", item.id),
                    class_name="reject-dispute",
                ),
                wrap="wrap",
            ),
        ),
    )


def _disputes() -> rx.Component:
    return rx.vstack(
        rx.heading(T["disputes_queue"], size="5", as_="h2", id="disputes"),
        rx.cond(
            S.disputes.length() > 0,
            rx.vstack(rx.foreach(S.disputes, _dispute), width="100%"),
            rx.text(T["culture_op_no_disputes"], id="no-disputes"),
        ),
        align="start",
        width="100%",
    )


def _services() -> rx.Component:
    return rx.vstack(
        rx.heading(T["culture_op_review"], size="5", as_="h2", id="review"),
        rx.box(
            rx.heading(T["culture_criteria_title"], size="3", as_="h3"),
            rx.text(T["culture_criteria_operator_hint"], size="2"),
            rx.el.ol(rx.foreach(S.service_criteria, rx.el.li), class_name="culture-criteria"),
            id="operator-criteria",
            width="100%",
        ),
        rx.cond(
            S.waiting.length() > 0,
            rx.vstack(rx.foreach(S.waiting, _waiting), width="100%"),
            rx.text(T["culture_op_no_waiting"], id="no-waiting"),
        ),
        rx.heading(T["culture_op_services"], size="4", as_="h3"),
        data_table(
            T["culture_op_services"],
            [
                T["culture_op_service"],
                T["provider"],
                T["culture_op_price"],
                T["status"],
                T["culture_op_action"],
            ],
            rx.foreach(S.services, _service_row),
            id="services-table",
        ),
        width="100%",
        align="start",
    )


def _rows(
    label: rx.Var, headers: list[rx.Var], rows: rx.Var, id: str, table: str = ""
) -> rx.Component:
    """A table of the report, and (when it names its `table`) its CSV and XLSX files."""
    return rx.cond(
        rows.length() > 0,
        rx.vstack(
            data_table(
                label,
                headers,
                rx.foreach(
                    rows, lambda row: rx.el.tr(rx.foreach(row, lambda cell: rx.el.td(cell)))
                ),
                id=id,
            ),
            _table_files(label, table) if table else rx.fragment(),
            align="start",
            width="100%",
        ),
    )


def _table_files(label: rx.Var, table: str) -> rx.Component:
    return rx.hstack(
        rx.button(
            T["download_csv"],
            variant="soft",
            size="1",
            on_click=S.download_report("csv", table),
            aria_label=label + " · CSV",
            id=f"report-{table}-csv",
        ),
        rx.button(
            T["download_xlsx"],
            variant="soft",
            size="1",
            on_click=S.download_report("xlsx", table),
            aria_label=label + " · XLSX",
            id=f"report-{table}-xlsx",
        ),
        wrap="wrap",
    )


def _report() -> rx.Component:
    """The programme's use of the chosen year, from the wallets' entries."""
    return rx.vstack(
        rx.heading(T["culture_op_report"], size="5", as_="h2", id="report"),
        rx.el.form(
            rx.hstack(
                input_field(
                    T["culture_op_unspent_on"], id="co-unspent-on", name="unspent_on", kind="date"
                ),
                rx.button(T["show"], type="submit", id="show-report"),
                align="end",
                wrap="wrap",
            ),
            on_submit=S.show_report,
            reset_on_submit=False,
        ),
        rx.hstack(
            rx.button(
                T["culture_report_csv_schools"],
                variant="soft",
                size="1",
                on_click=S.download_report("csv", "schools"),
                id="operator-report-csv",
            ),
            rx.button(
                T["culture_report_xlsx_schools"],
                variant="soft",
                size="1",
                on_click=S.download_report("xlsx", "schools"),
                id="operator-report-xlsx",
            ),
            wrap="wrap",
        ),
        _rows(
            T["culture_op_report"],
            [T["culture_op_figure"], ""],
            S.report_summary,
            "report-summary",
            "summary",
        ),
        bar_chart(T["culture_op_reached_by_municipality"], S.report_reach_bars, "reach-chart"),
        _rows(
            T["municipality"],
            [
                T["municipality"],
                T["culture_op_reached"],
                T["culture_allocated"],
                T["spent"],
                T["available"],
            ],
            S.report_municipalities,
            "report-municipalities",
            "municipalities",
        ),
        _rows(
            T["culture_op_by_provider"],
            [T["provider"], T["spent"]],
            S.report_providers,
            "report-providers",
            "providers",
        ),
        bar_chart(T["culture_op_by_art_form"], S.report_art_form_bars, "art-form-chart"),
        _rows(
            T["culture_op_by_art_form"],
            [T["art_form"], T["spent"]],
            S.report_art_forms,
            "report-art-forms",
            "art_forms",
        ),
        _rows(
            T["culture_op_outcomes"],
            [T["status"], T["culture_op_count"], T["culture_total"]],
            S.report_outcomes,
            "report-outcomes",
            "outcomes",
        ),
        _rows(
            T["culture_op_unspent"],
            [T["culture_school"], T["municipality"], T["available"]],
            S.report_unspent,
            "report-unspent",
            "unspent",
        ),
        align="start",
        width="100%",
    )


def culture_operator_page() -> rx.Component:
    return page(
        rx.cond(
            S.has_access,
            rx.vstack(
                rx.heading(T["culture_op_title"], size="6", as_="h1"),
                rx.el.nav(
                    rx.hstack(
                        rx.link(T["culture_op_years"], href="#years"),
                        rx.link(T["culture_op_schools"], href="#schools"),
                        rx.link(T["culture_op_review"], href="#review"),
                        rx.link(T["disputes_queue"], href="#disputes"),
                        rx.link(T["culture_op_report"], href="#report"),
                        wrap="wrap",
                        spacing="4",
                    ),
                    aria_label=T["culture_op_title"],
                ),
                error_text(S.error, "culture-operator-error"),
                notice_text(S.notice, "culture-operator-notice"),
                _years(),
                _schools(),
                _services(),
                _disputes(),
                _report(),
                width="100%",
                align="start",
                spacing="5",
            ),
            rx.callout(T["culture_op_not_operator"], role="alert", id="not-an-operator"),
        ),
    )
