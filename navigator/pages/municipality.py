"""The municipality's cabinet: periods and budget, nominal values, policy, queues, reports, log."""

import reflex as rx

from navigator import routes
from navigator.components.forms import (
    checkbox_field,
    choice_options,
    csv_dropzone,
    input_field,
    reason_form,
    select_field,
)
from navigator.components.layout import data_table, error_text, notice_text, page
from navigator.state.municipality import MunicipalityState as S

T = S.t


def _reason_form(button_key: str) -> rx.Component:
    return reason_form(
        T["decision_reason"],
        rx.hstack(
            rx.button(T[button_key], type="submit", color_scheme="red", id="confirm-decision"),
            rx.button(T["cancel"], type="button", variant="outline", on_click=S.cancel_decision),
        ),
        id="decision-reason",
        on_submit=S.decide,
    )


# ---------------------------------------------------------------- periods and budget


def _budget_bar(row) -> rx.Component:
    return rx.el.div(
        rx.el.div(class_name="budget-spent", width=row.spent_percent.to(str) + "%"),
        rx.el.div(class_name="budget-committed", width=row.committed_percent.to(str) + "%"),
        class_name="budget-bar",
        role="img",
        aria_label=T["spent"] + " " + row.spent + ", " + T["committed"] + " " + row.committed,
    )


def _period_row(row) -> rx.Component:
    return rx.el.tr(
        rx.el.td(
            rx.vstack(
                rx.button(
                    row.name,
                    variant=rx.cond(row.id == S.period_id, "solid", "ghost"),
                    on_click=S.choose_period(row.id),
                    class_name="period-choice",
                ),
                _budget_bar(row),  # beside the name: seen first, never behind a scroll
                spacing="1",
            )
        ),
        rx.el.td(row.dates),
        rx.el.td(row.status, class_name="period-status"),
        rx.el.td(row.budget),
        rx.el.td(row.credited),
        rx.el.td(row.committed, class_name="period-committed"),
        rx.el.td(row.spent, class_name="period-spent"),
        rx.el.td(row.remaining, class_name="period-remaining"),
        rx.el.td(row.certificates),
    )


def _periods() -> rx.Component:
    return rx.vstack(
        rx.heading(T["funding_periods"], size="5", as_="h2", id="periods"),
        rx.text(T["budget_hint"], size="2"),
        data_table(
            T["funding_periods"],
            [
                T["period"],
                T["dates"],
                T["status"],
                T["budget"],
                T["col_credited"],
                T["col_committed"],
                T["col_spent"],
                T["col_remaining"],
                T["certificates"],
            ],
            rx.foreach(S.periods, _period_row),
            id="periods-table",
        ),
        rx.el.details(
            rx.el.summary(T["new_period"]),
            rx.el.form(
                rx.hstack(
                    input_field(
                        T["period"], id="m-new-name", name="name", required=True, max_length=100
                    ),
                    input_field(
                        T["starts_on"],
                        id="m-new-starts_on",
                        name="starts_on",
                        kind="date",
                        required=True,
                    ),
                    input_field(
                        T["ends_on"], id="m-new-ends_on", name="ends_on", kind="date", required=True
                    ),
                    input_field(
                        T["budget"],
                        id="m-new-budget",
                        name="budget",
                        required=True,
                        input_mode="decimal",
                    ),
                    input_field(
                        T["max_funded_certificates"],
                        id="m-new-max_funded_certificates",
                        name="max_funded_certificates",
                        required=True,
                        input_mode="numeric",
                    ),
                    rx.button(T["create"], type="submit", id="create-period"),
                    wrap="wrap",
                    align="end",
                ),
                on_submit=S.create_period,
                reset_on_submit=False,
                id="new-period",
            ),
            id="new-period-box",
        ),
        width="100%",
        align="start",
    )


def _nominal_row(i) -> rx.Component:
    return rx.el.tr(
        rx.el.td(
            rx.el.input(
                name="from_" + i,
                class_name="native-input narrow",
                input_mode="numeric",
                aria_label=T["age_from"],
                id="nominal-from-" + i,
            )
        ),
        rx.el.td(
            rx.el.input(
                name="to_" + i,
                class_name="native-input narrow",
                input_mode="numeric",
                aria_label=T["age_to"],
                id="nominal-to-" + i,
            )
        ),
        rx.el.td(
            rx.el.input(
                name="amount_" + i,
                class_name="native-input",
                input_mode="decimal",
                aria_label=T["nominal"],
                id="nominal-amount-" + i,
            )
        ),
    )


def _period_detail() -> rx.Component:
    return rx.cond(
        S.period_id != "",
        rx.vstack(
            rx.heading(S.period_name, size="4", as_="h3", id="period-detail"),
            rx.hstack(
                rx.cond(
                    S.period_status == "draft",
                    rx.button(T["open_period"], on_click=S.open_period, id="open-period"),
                ),
                rx.cond(
                    S.period_status == "open",
                    rx.button(
                        T["close_period"],
                        color_scheme="red",
                        variant="outline",
                        on_click=S.preview_close,
                        id="preview-close",
                    ),
                ),
                wrap="wrap",
            ),
            rx.cond(
                S.closing != "",
                rx.callout(
                    rx.vstack(
                        rx.text(S.closing, id="closing-preview"),
                        rx.foreach(
                            S.closing_disputes,
                            lambda d: rx.text(d, size="2", class_name="closing-dispute"),
                        ),
                        rx.hstack(
                            rx.button(
                                T["close_period_confirm"],
                                color_scheme="red",
                                on_click=S.close_period,
                                id="confirm-close",
                            ),
                            rx.button(T["cancel"], variant="outline", on_click=S.cancel_close),
                        ),
                    ),
                    color_scheme="amber",
                    role="alert",
                    width="100%",
                ),
            ),
            rx.cond(
                S.period_status != "closed",
                rx.el.form(
                    rx.hstack(
                        input_field(
                            T["period"],
                            id="m-edit-name",
                            name="name",
                            default_value=S.period_name,
                            required=True,
                        ),
                        input_field(
                            T["budget"],
                            id="m-edit-budget",
                            name="budget",
                            default_value=S.period_budget,
                            input_mode="decimal",
                        ),
                        input_field(
                            T["max_funded_certificates"],
                            id="m-edit-max_funded_certificates",
                            name="max_funded_certificates",
                            default_value=S.period_cap,
                            input_mode="numeric",
                        ),
                        rx.button(T["save"], type="submit", id="save-period"),
                        wrap="wrap",
                        align="end",
                    ),
                    on_submit=S.save_period,
                    reset_on_submit=False,
                    key=S.period_id + S.period_budget + S.period_cap + S.period_name,
                    id="period-form",
                ),
            ),
            rx.heading(T["nominal_values"], size="4", as_="h3"),
            rx.text(T["nominal_hint"], size="2"),
            data_table(
                T["nominal_values"],
                [T["category"], T["effective_from"], T["age_range"], T["nominal"]],
                rx.foreach(
                    S.nominal,
                    lambda r: rx.el.tr(
                        rx.el.td(r.category),
                        rx.el.td(r.effective_from),
                        rx.el.td(r.ages),
                        rx.el.td(r.amount),
                    ),
                ),
                id="nominal-table",
            ),
            rx.cond(
                S.period_status != "closed",
                rx.el.form(
                    rx.vstack(
                        rx.hstack(
                            select_field(
                                T["category"],
                                choice_options(S.category_choices),
                                id="m-category",
                                name="category",
                                default_value="base",
                            ),
                            input_field(
                                T["effective_from"],
                                id="m-effective_from",
                                name="effective_from",
                                kind="date",
                                required=True,
                            ),
                            wrap="wrap",
                        ),
                        rx.el.table(
                            rx.el.thead(
                                rx.el.tr(
                                    rx.el.th(T["age_from"], scope="col"),
                                    rx.el.th(T["age_to"], scope="col"),
                                    rx.el.th(T["nominal"], scope="col"),
                                )
                            ),
                            rx.el.tbody(rx.foreach(S.nominal_form_rows, _nominal_row)),
                            class_name="data-table",
                        ),
                        rx.button(T["save_nominal"], type="submit", id="save-nominal"),
                        align="start",
                    ),
                    on_submit=S.save_nominal,
                    reset_on_submit=False,
                    id="nominal-form",
                ),
            ),
            width="100%",
            align="start",
        ),
    )


def _policy() -> rx.Component:
    return rx.vstack(
        rx.heading(T["policy"], size="5", as_="h2", id="policy"),
        rx.el.form(
            rx.hstack(
                input_field(
                    T["max_funded_enrollments"],
                    id="m-max_funded_enrollments",
                    name="max_funded_enrollments",
                    default_value=S.policy_max_funded,
                    input_mode="numeric",
                ),
                select_field(
                    T["absence_charge"],
                    choice_options(S.absence_choices),
                    id="m-absence_charge",
                    name="absence_charge",
                    default_value=S.policy_absence,
                ),
                input_field(
                    T["attendance_correction_days"],
                    id="m-attendance_correction_days",
                    name="attendance_correction_days",
                    default_value=S.policy_correction_days,
                    input_mode="numeric",
                ),
                input_field(
                    T["dispute_window_days"],
                    id="m-dispute_window_days",
                    name="dispute_window_days",
                    default_value=S.policy_dispute_days,
                    input_mode="numeric",
                ),
                checkbox_field(
                    T["prorate_late_start"],
                    id="m-prorate",
                    box_class="field inline",
                    name="prorate_late_start",
                    default_checked=S.policy_prorate,
                ),
                checkbox_field(
                    T["require_two_factor"],
                    id="m-two-factor",
                    box_class="field inline",
                    name="require_two_factor",
                    default_checked=S.policy_two_factor,
                ),
                rx.button(T["save"], type="submit", id="save-policy"),
                wrap="wrap",
                align="end",
            ),
            on_submit=S.save_policy,
            reset_on_submit=False,
            key=S.policy_max_funded
            + S.policy_absence
            + S.policy_correction_days
            + S.policy_dispute_days
            + S.policy_two_factor.to(str),
            id="policy-form",
        ),
        _waitlist_priority(),
        width="100%",
        align="start",
    )


def _waitlist_priority() -> rx.Component:
    """Each verified criterion at a level: level 1 decides first, then level 2, then time."""
    return rx.vstack(
        rx.heading(T["waitlist_priority"], size="4", as_="h3", id="waitlist-priority"),
        rx.text(T["waitlist_priority_help"], size="2"),
        rx.el.form(
            rx.hstack(
                rx.foreach(
                    S.waitlist_criteria,
                    lambda c: select_field(
                        c.label,
                        choice_options(S.waitlist_level_choices),
                        id="m-level-" + c.name,
                        name="level_" + c.name,
                        default_value=c.level,
                    ),
                ),
                rx.button(T["save_waitlist_priority"], type="submit", id="save-waitlist"),
                wrap="wrap",
                align="end",
            ),
            on_submit=S.save_waitlist_priority,
            reset_on_submit=False,
            key=S.waitlist_criteria.to_string(),
            id="waitlist-form",
        ),
        width="100%",
        align="start",
    )


# ---------------------------------------------------------------- queues


def _dispute(line) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(line.child, weight="bold"),
                rx.text(line.lesson, " · ", line.amount, size="2"),
                wrap="wrap",
            ),
            rx.text(line.provider, " · ", line.program, size="2"),
            rx.cond(
                line.comment != "",
                rx.text(T["dispute_parent_comment"], ": ", line.comment, size="2"),
            ),
            rx.text(T["dispute_provider_reason"], ": ", line.provider_reason, size="2"),
            rx.cond(
                S.deciding == "uphold:" + line.id,
                _reason_form("dispute_uphold"),
                rx.cond(
                    S.deciding == "keep:" + line.id,
                    _reason_form("dispute_reject"),
                    rx.hstack(
                        rx.button(
                            T["dispute_uphold"],
                            on_click=S.start_decision("uphold", line.id),
                            class_name="uphold-dispute",
                        ),
                        rx.button(
                            T["dispute_reject"],
                            variant="outline",
                            on_click=S.start_decision("keep", line.id),
                            class_name="keep-charge",
                        ),
                        wrap="wrap",
                    ),
                ),
            ),
            align="start",
            width="100%",
        ),
        width="100%",
        class_name="dispute-card",
    )


def _disputes() -> rx.Component:
    return rx.vstack(
        rx.heading(T["disputes_queue"], size="5", as_="h2", id="disputes"),
        rx.cond(
            S.disputes.length() > 0,
            rx.foreach(S.disputes, _dispute),
            rx.text(T["no_disputes"], size="2", id="disputes-empty"),
        ),
        width="100%",
        align="start",
    )


def _dispute_report() -> rx.Component:
    return rx.cond(
        S.dispute_report.length() > 0,
        rx.vstack(
            rx.heading(T["disputes_by_provider"], size="4", as_="h3"),
            data_table(
                T["disputes_by_provider"],
                [
                    T["provider"],
                    T["disputes_opened"],
                    T["disputes_undecided"],
                    T["disputes_refunded"],
                    T["disputes_kept"],
                    T["disputes_refunded_amount"],
                ],
                rx.foreach(
                    S.dispute_report,
                    lambda r: rx.el.tr(
                        rx.el.td(r.provider),
                        rx.el.td(r.opened),
                        rx.el.td(r.undecided),
                        rx.el.td(r.refunded),
                        rx.el.td(r.kept),
                        rx.el.td(r.refunded_amount),
                        class_name="dispute-report-row",
                    ),
                ),
                id="dispute-report",
            ),
            width="100%",
            align="start",
        ),
    )


def _admission(line) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(line.name, weight="bold"),
            rx.text(line.kind, " · ", T["licence_number"], ": ", line.licence, size="2"),
            rx.text(T["registered"], ": ", line.registered, size="2"),
            rx.cond(
                line.refused_reason != "",
                rx.text(T["refused_reason"], ": ", line.refused_reason, size="2"),
            ),
            rx.cond(
                S.deciding == "refuse:" + line.id,
                _reason_form("refuse_admission"),
                rx.hstack(
                    rx.button(T["admit"], on_click=S.admit(line.id), class_name="admit-provider"),
                    rx.button(
                        T["refuse_admission"],
                        variant="outline",
                        color_scheme="red",
                        on_click=S.start_decision("refuse", line.id),
                        class_name="refuse-provider",
                    ),
                ),
            ),
            align="start",
        ),
        width="100%",
        class_name="admission-card",
    )


def _change_value(value, photo, alt) -> rx.Component:
    """A changed value; a photo as the picture itself, whole, for the official to judge."""
    return rx.el.td(
        rx.cond(
            photo != "",
            rx.el.img(
                src=photo,
                alt=alt,
                loading="lazy",
                decoding="async",
                custom_attrs={"width": "160", "height": "120"},
                class_name="review-photo",
            ),
            value,
        )
    )


def _change(change) -> rx.Component:
    return rx.el.tr(
        rx.el.th(change.field, scope="row"),
        _change_value(change.before, change.before_photo, T["before"]),
        _change_value(change.after, change.after_photo, T["after"]),
    )


def _submission(line) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.link(line.title, href=routes.PROGRAM + line.id, weight="bold"),
                rx.text("· ", line.provider, size="2"),
                wrap="wrap",
            ),
            rx.text(
                rx.cond(
                    line.last_certified != "",
                    T["changes_since"] + " " + line.last_certified,
                    T["first_certification"],
                ),
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
                        T["certify"], on_click=S.certify(line.id), class_name="certify-program"
                    ),
                    rx.button(
                        T["reject"],
                        variant="outline",
                        color_scheme="red",
                        on_click=S.start_decision("reject", line.id),
                        class_name="reject-program",
                    ),
                ),
            ),
            align="start",
            width="100%",
        ),
        width="100%",
        class_name="submission-card",
    )


def _certified(line) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.link(line.title, href=routes.PROGRAM + line.id)),
        rx.el.td(line.provider),
        rx.el.td(line.status),
        rx.el.td(
            rx.cond(
                line.suspended,
                rx.button(T["reinstate"], size="1", on_click=S.reinstate(line.id)),
                rx.cond(
                    S.deciding == "suspend:" + line.id,
                    _reason_form("suspend"),
                    rx.button(
                        T["suspend"],
                        size="1",
                        variant="outline",
                        color_scheme="red",
                        on_click=S.start_decision("suspend", line.id),
                        class_name="suspend-program",
                    ),
                ),
            )
        ),
    )


def _verification(line) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(line.kind),
                rx.text(line.child, weight="bold"),
                rx.text(line.birth_date, size="2"),
                rx.text(line.detail, size="2", class_name="identifier-hint"),
                wrap="wrap",
                align="center",
            ),
            rx.text(T["guardian"], ": ", line.guardian, " · ", line.guardian_children, size="2"),
            rx.cond(line.district != "", rx.text(T["district"], ": ", line.district, size="2")),
            rx.text(
                T["sent"],
                ": ",
                line.sent,
                rx.cond(line.note != "", " · " + line.note, ""),
                size="2",
            ),
            rx.cond(
                line.elsewhere,
                rx.callout(
                    T["identifier_elsewhere"], color_scheme="amber", size="1", high_contrast=True
                ),
            ),
            rx.cond(
                S.deciding == "refuse_request:" + line.id,
                _reason_form("refuse"),
                rx.hstack(
                    rx.button(
                        T["approve"],
                        on_click=S.approve_request(line.id),
                        class_name="approve-request",
                    ),
                    rx.button(
                        T["refuse"],
                        variant="outline",
                        color_scheme="red",
                        on_click=S.start_decision("refuse_request", line.id),
                        class_name="refuse-request",
                    ),
                ),
            ),
            align="start",
            width="100%",
        ),
        width="100%",
        class_name="verification-card",
    )


def _verifications() -> rx.Component:
    return rx.vstack(
        rx.heading(T["verification_queue"], size="5", as_="h2", id="verification"),
        rx.cond(
            S.verifications.length() > 0,
            rx.foreach(S.verifications, _verification),
            rx.text(T["queue_empty"], size="2", id="verification-empty"),
        ),
        rx.heading(T["registry_import"], size="4", as_="h3"),
        rx.text(T["registry_columns"], size="2"),
        csv_dropzone("registry-csv", T["import_drop"], max_size=20_000_000),
        rx.button(
            T["import"],
            on_click=S.import_registry(rx.upload_files(upload_id="registry-csv")),
            id="import-registry",
        ),
        rx.cond(
            S.registry_summary != "",
            rx.text(S.registry_summary, id="registry-summary", role="status"),
        ),
        rx.foreach(S.registry_errors, lambda e: rx.text(e, size="2", color_scheme="red")),
        width="100%",
        align="start",
    )


def _queues() -> rx.Component:
    return rx.vstack(
        rx.heading(T["admission_queue"], size="5", as_="h2", id="admissions"),
        rx.cond(
            S.admissions.length() > 0,
            rx.foreach(S.admissions, _admission),
            rx.text(T["queue_empty"], size="2"),
        ),
        rx.heading(T["certification_queue"], size="5", as_="h2", id="queue"),
        rx.cond(
            S.submissions.length() > 0,
            rx.foreach(S.submissions, _submission),
            rx.text(T["queue_empty"], size="2", id="certification-empty"),
        ),
        rx.heading(T["certified_programs"], size="4", as_="h3"),
        data_table(
            T["certified_programs"],
            [T["program"], T["provider"], T["status"], T["action"]],
            rx.foreach(S.certified, _certified),
        ),
        width="100%",
        align="start",
    )


# ---------------------------------------------------------------- reports and log


def _reports() -> rx.Component:
    return rx.vstack(
        rx.heading(T["reports"], size="5", as_="h2", id="reports"),
        rx.hstack(
            rx.foreach(
                S.report_choices,
                lambda c: rx.button(
                    c.label,
                    variant=rx.cond(S.report_name == c.value, "solid", "outline"),
                    on_click=S.show_report(c.value),
                    id="report-" + c.value,
                ),
            ),
            wrap="wrap",
        ),
        rx.cond(
            S.report_name != "",
            rx.vstack(
                rx.cond(
                    S.chart.length() > 0,
                    rx.recharts.bar_chart(
                        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
                        rx.recharts.x_axis(data_key="label"),
                        rx.recharts.y_axis(),
                        rx.recharts.tooltip(),
                        rx.recharts.legend(),
                        rx.recharts.bar(data_key="first", name=S.chart_first, fill="#6e56cf"),
                        rx.recharts.bar(data_key="second", name=S.chart_second, fill="#e5484d"),
                        data=S.chart,
                        width="100%",
                        height=280,
                    ),
                ),
                rx.hstack(
                    rx.button(
                        T["download_csv"],
                        variant="outline",
                        on_click=S.download_report("csv"),
                        id="report-csv",
                    ),
                    rx.button(
                        T["download_xlsx"],
                        variant="outline",
                        on_click=S.download_report("xlsx"),
                        id="report-xlsx",
                    ),
                ),
                rx.el.div(
                    rx.el.table(
                        rx.el.thead(
                            rx.el.tr(
                                rx.foreach(S.report_columns, lambda c: rx.el.th(c, scope="col"))
                            )
                        ),
                        rx.el.tbody(
                            rx.foreach(
                                S.report_rows,
                                lambda row: rx.el.tr(rx.foreach(row, lambda v: rx.el.td(v))),
                            )
                        ),
                        class_name="data-table",
                        id="report-table",
                    ),
                    role="region",
                    aria_label=T["reports"],
                    tab_index=0,
                    class_name="table-scroll",
                ),
                rx.cond(
                    S.report_total_rows > S.report_rows.length(),
                    rx.text(T["report_truncated"], size="1"),
                ),
                width="100%",
                align="start",
            ),
        ),
        width="100%",
        align="start",
    )


def _log() -> rx.Component:
    return rx.vstack(
        rx.heading(T["audit_log"], size="5", as_="h2", id="log"),
        data_table(
            T["audit_log"],
            [T["when"], T["who"], T["action"], T["subject"], T["decision_reason"]],
            rx.foreach(
                S.log,
                lambda e: rx.el.tr(
                    rx.el.td(e.at),
                    rx.el.td(e.who),
                    rx.el.td(e.action),
                    rx.el.td(e.subject),
                    rx.el.td(e.reason),
                ),
            ),
            id="audit-log",
        ),
        width="100%",
        align="start",
    )


def municipality_page() -> rx.Component:
    return page(
        rx.cond(
            S.has_access,
            rx.vstack(
                rx.hstack(
                    rx.heading(T["municipality_cabinet"], size="6", as_="h1"),
                    rx.text(S.municipality_name, size="4", id="municipality-name"),
                    rx.cond(
                        S.municipality_choices.length() > 1,
                        rx.el.select(
                            choice_options(S.municipality_choices),
                            value=S.municipality_id,
                            on_change=S.choose_municipality,
                            aria_label=T["municipality"],
                            class_name="native-select",
                        ),
                    ),
                    wrap="wrap",
                    align="center",
                ),
                rx.el.nav(
                    rx.hstack(
                        rx.link(T["funding_periods"], href="#periods"),
                        rx.link(T["policy"], href="#policy"),
                        rx.link(T["admission_queue"], href="#admissions"),
                        rx.link(T["certification_queue"], href="#queue"),
                        rx.link(T["verification_queue"], href="#verification"),
                        rx.link(T["disputes_queue"], href="#disputes"),
                        rx.link(T["reports"], href="#reports"),
                        rx.link(T["audit_log"], href="#log"),
                        wrap="wrap",
                        spacing="4",
                    ),
                    aria_label=T["municipality_cabinet"],
                ),
                error_text(S.error, "municipality-error"),
                notice_text(S.notice, "municipality-notice"),
                _periods(),
                _period_detail(),
                _policy(),
                _queues(),
                _verifications(),
                _disputes(),
                _reports(),
                _dispute_report(),
                _log(),
                width="100%",
                align="start",
                spacing="5",
            ),
            rx.cond(
                S.needs_two_factor,
                rx.callout(
                    rx.text(
                        T["two_factor_needed_here"],
                        " ",
                        rx.link(T["nav_security"], href=routes.SECURITY),
                    ),
                    role="alert",
                    id="two-factor-needed",
                ),
                rx.callout(T["not_an_admin"], role="alert", id="not-an-admin"),
            ),
        ),
    )
