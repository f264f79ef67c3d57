"""The provider's cabinet, a page per task: today's desk, programs, the statement, the team.

Each screen starts with the organisation's name, a line of links to the other screens (the
current one marked for screen readers), and the answer to the last action, kept in view.
"""

import reflex as rx

from navigator import routes
from navigator.components.forms import (
    choice_options,
    csv_dropzone,
    input_field,
    reason_form,
    select_field,
)
from navigator.components.layout import (
    confirmation_callout,
    data_table,
    error_text,
    notice_text,
    page,
)
from navigator.pages.provider import program_form
from navigator.state.provider_cabinet import (
    DeskState,
    ProgramListState,
    ProviderState,
    StatementState,
    TeamState,
)

T = ProviderState.t

SCREENS = (
    ("desk", routes.PROVIDER, "provider_desk"),
    ("programs", routes.PROVIDER_PROGRAMS, "programs"),
    ("statements", routes.PROVIDER_STATEMENTS, "statement"),
    ("team", routes.PROVIDER_TEAM, "provider_team"),
    ("culture", routes.PROVIDER_CULTURE, "culture_pass"),
)


def _screens(current: str) -> rx.Component:
    """The cabinet's screens as links; the one shown is plain bold text that says so
    (aria-current), so it neither links to itself nor changes colour under the pointer."""
    return rx.el.nav(
        rx.hstack(
            *[
                rx.text.span(T[label], id=f"screen-{name}", weight="bold", aria_current="page")
                if name == current
                else rx.link(T[label], href=path, id=f"screen-{name}")
                for name, path, label in SCREENS
            ],
            spacing="4",
            wrap="wrap",
        ),
        aria_label=T["nav_provider"],
        class_name="screen-tabs",
    )


def _cabinet(current: str, *content: rx.Component) -> rx.Component:
    return page(
        rx.heading(T["nav_provider"], size="6", as_="h1"),
        rx.cond(
            ProviderState.has_provider,
            rx.vstack(
                rx.heading(ProviderState.provider_name, size="4", as_="p"),
                _screens(current),
                rx.cond(
                    ~ProviderState.admitted,
                    rx.callout(
                        T["pending_admission"],
                        color_scheme="amber",
                        high_contrast=True,
                        id="pending-admission",
                    ),
                ),
                confirmation_callout(
                    ProviderState.confirm_banner, ProviderState.resend_confirmation
                ),
                error_text(ProviderState.error, "provider-error"),
                notice_text(ProviderState.notice, "provider-notice"),
                *content,
                align="start",
                width="100%",
            ),
            rx.text(T["not_provider"]),
        ),
    )


def _lesson(lesson: rx.Var) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.link(
                    rx.text(lesson.program, " · ", lesson.group, weight="bold"),
                    href=routes.PROVIDER_GROUP + lesson.group_id,
                    class_name="today-register",
                ),
                rx.text(lesson.time, " · ", lesson.progress, size="2"),
                spacing="1",
            ),
            rx.spacer(),
            rx.cond(
                lesson.done,
                rx.badge(T["register_done"], color_scheme="green"),
                rx.link(
                    rx.button(T["open_register"], size="2"),
                    href=routes.PROVIDER_GROUP + lesson.group_id,
                    tab_index=-1,  # the title's link is the keyboard's stop
                ),
            ),
            align="center",
            wrap="wrap",
            width="100%",
        ),
        width="100%",
        class_name="lesson-today",
    )


def provider_page() -> rx.Component:
    """Today: parents' disputes first, applications waiting for an answer, today's
    registers, an offer at the desk."""
    return _cabinet(
        "desk",
        rx.cond(
            DeskState.disputes.length() > 0,
            rx.vstack(
                rx.heading(
                    T["desk_disputes"], " (", DeskState.disputes.length(), ")", size="5", as_="h2"
                ),
                rx.foreach(DeskState.disputes, _dispute),
                width="100%",
                id="desk-disputes",
            ),
        ),
        rx.heading(T["applications"], " (", DeskState.waiting_count, ")", size="5", as_="h2"),
        rx.cond(DeskState.applications.length() == 0, rx.text(T["no_applications"])),
        rx.foreach(DeskState.applications, _application),
        rx.heading(T["lessons_today"], size="5", as_="h2"),
        rx.cond(DeskState.lessons.length() == 0, rx.text(T["no_lessons_today"])),
        rx.foreach(DeskState.lessons, _lesson),
        _offline_enrollment(),
    )


def provider_programs_page() -> rx.Component:
    return _cabinet(
        "programs",
        rx.heading(T["programs"], size="5", as_="h2"),
        data_table(
            T["programs"],
            [T["title"], T["certification"]],
            rx.foreach(ProgramListState.programs, _program_row),
        ),
        rx.heading(T["new_program"], size="5", as_="h2"),
        program_form(None, "create", ProgramListState.create),
        _import(),
    )


def provider_statements_page() -> rx.Component:
    return _cabinet("statements", _statement())


def provider_team_page() -> rx.Component:
    return _cabinet("team", _staff(), _api_keys())


def _program_row(program: rx.Var) -> rx.Component:
    return rx.el.tr(
        rx.el.td(
            rx.link(
                program.title,
                href=routes.PROVIDER_PROGRAM + program.id,
                class_name="provider-program",
            )
        ),
        rx.el.td(program.status),
    )


def _import() -> rx.Component:
    return rx.vstack(
        rx.heading(T["import_title"], size="4", as_="h2"),
        rx.text(T["import_hint"], size="2"),
        csv_dropzone("programs-csv", T["import_drop"], max_size=5_000_000),
        rx.button(
            T["import"],
            on_click=ProgramListState.import_csv(rx.upload_files(upload_id="programs-csv")),
            id="import-programs",
        ),
        rx.cond(
            ProgramListState.import_summary != "",
            rx.text(ProgramListState.import_summary, id="import-summary", role="status"),
        ),
        rx.cond(
            ProgramListState.import_errors.length() > 0,
            data_table(
                T["import_title"],
                [T["import_line"], T["import_problem"]],
                rx.foreach(
                    ProgramListState.import_errors,
                    lambda e: rx.el.tr(
                        rx.el.td(e.line), rx.el.td(e.message), class_name="import-error"
                    ),
                ),
            ),
        ),
        align="start",
        width="100%",
    )


def _application(item: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(item.status, high_contrast=True),
                rx.text(item.child, weight="bold"),
                wrap="wrap",
            ),
            rx.text(item.program, " · ", item.group, size="2"),
            rx.text(item.money, size="2"),
            rx.cond(item.reason != "", rx.text(T["rejection_reason"], ": ", item.reason, size="2")),
            rx.cond(
                item.pending,
                rx.cond(
                    DeskState.rejecting == item.id,
                    reason_form(
                        T["reason"],
                        rx.button(
                            T["reject"], type="submit", color_scheme="red", id="confirm-reject"
                        ),
                        id="reject-reason",
                        on_submit=DeskState.reject,
                    ),
                    rx.hstack(
                        rx.button(
                            T["accept"],
                            on_click=DeskState.accept(item.id),
                            class_name="accept-application",
                        ),
                        rx.button(
                            T["reject"],
                            variant="outline",
                            color_scheme="red",
                            on_click=DeskState.start_reject(item.id),
                            class_name="reject-application",
                        ),
                    ),
                ),
            ),
            align="start",
        ),
        width="100%",
        class_name="application-card",
    )


def _dispute(item: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(item.child, weight="bold"),
                rx.text(item.lesson, " · ", item.amount, size="2"),
                wrap="wrap",
            ),
            rx.text(item.program, size="2"),
            rx.cond(
                item.comment != "",
                rx.text(T["dispute_parent_comment"], ": ", item.comment, size="2"),
            ),
            rx.cond(item.due != "", rx.text(item.due, size="2", weight="bold")),
            rx.cond(item.waiting, rx.badge(T["dispute_waiting_municipality"], high_contrast=True)),
            rx.cond(
                DeskState.contesting == item.id,
                reason_form(
                    T["dispute_contest_reason"],
                    rx.button(T["dispute_send_contest"], type="submit", id="confirm-contest"),
                    id="contest-reason",
                    on_submit=DeskState.contest_dispute,
                ),
                rx.hstack(
                    rx.button(
                        T["dispute_accept"],
                        on_click=DeskState.accept_dispute(item.id),
                        class_name="accept-dispute",
                    ),
                    rx.cond(
                        item.contestable,
                        rx.button(
                            T["dispute_contest"],
                            variant="outline",
                            on_click=DeskState.start_contest(item.id),
                            class_name="contest-dispute",
                        ),
                    ),
                    wrap="wrap",
                ),
            ),
            align="start",
        ),
        width="100%",
        class_name="dispute-card",
    )


def _offline_enrollment() -> rx.Component:
    return rx.vstack(
        rx.heading(T["offline_title"], size="4", as_="h2"),
        rx.text(T["offline_hint"], size="2"),
        rx.el.form(
            rx.vstack(
                select_field(
                    T["group"],
                    choice_options(DeskState.group_choices),
                    id="offer-group",
                    name="group_id",
                ),
                input_field(
                    T["certificate_number"],
                    id="offer-number",
                    name="certificate_number",
                    required=True,
                    max_length=20,
                    input_mode="numeric",
                ),
                input_field(
                    T["birth_date"],
                    id="offer-birth",
                    name="birth_date",
                    kind="date",
                    required=True,
                ),
                rx.button(T["send_offer"], type="submit", id="send-offer"),
                align="start",
            ),
            on_submit=DeskState.offer,
        ),
        align="start",
        width="100%",
    )


def _statement() -> rx.Component:
    return rx.vstack(
        rx.heading(T["statement"], size="4", as_="h2"),
        rx.el.form(
            rx.hstack(
                input_field(
                    T["month"], id="statement-month", name="month", kind="month", required=True
                ),
                rx.button(T["show"], type="submit", id="show-statement"),
                align="end",
                wrap="wrap",
            ),
            on_submit=StatementState.show_statement,
            reset_on_submit=False,
        ),
        rx.cond(
            StatementState.statement_month != "",
            rx.vstack(
                data_table(
                    T["statement"],
                    [
                        T["program"],
                        T["group"],
                        T["lessons"],
                        T["attendance"],
                        T["certificate_payments"],
                        T["parents_copayments"],
                    ],
                    rx.foreach(
                        StatementState.statement,
                        lambda r: rx.el.tr(
                            rx.el.td(r.program),
                            rx.el.td(r.group),
                            rx.el.td(r.lessons),
                            rx.el.td(r.attendances),
                            rx.el.td(r.captured),
                            rx.el.td(r.copayments),
                            class_name="statement-line",
                        ),
                    ),
                    id="statement",
                ),
                rx.button(
                    T["download_csv"],
                    variant="soft",
                    on_click=StatementState.download_statement,
                    id="download-statement",
                ),
                align="start",
                width="100%",
            ),
        ),
        align="start",
        width="100%",
    )


def _key_row(key: rx.Var) -> rx.Component:
    return rx.el.tr(
        rx.el.td(key.name),
        rx.el.td(rx.el.code(key.prefix)),
        rx.el.td(key.created),
        rx.el.td(key.last_used),
        rx.el.td(
            rx.cond(
                key.revoked,
                T["key_revoked"],
                rx.button(
                    T["revoke"],
                    size="1",
                    variant="outline",
                    color_scheme="red",
                    on_click=TeamState.revoke_key(key.id),
                    class_name="revoke-key",
                ),
            )
        ),
    )


def _api_keys() -> rx.Component:
    return rx.vstack(
        rx.heading(T["api_keys"], size="4", as_="h2"),
        rx.text(T["api_keys_hint"], size="2"),
        rx.cond(
            TeamState.new_secret != "",
            rx.callout(
                rx.vstack(
                    rx.text(T["key_shown_once"]), rx.el.code(TeamState.new_secret, id="new-key")
                ),
                color_scheme="amber",
                high_contrast=True,
            ),
        ),
        data_table(
            T["api_keys"],
            [T["key_name"], T["key_prefix"], T["date"], T["key_last_used"], ""],
            rx.foreach(TeamState.keys, _key_row),
        ),
        rx.el.form(
            rx.hstack(
                input_field(
                    T["key_name"], id="key-name", name="name", required=True, max_length=100
                ),
                rx.button(T["create_key"], type="submit", id="create-key"),
                align="end",
                wrap="wrap",
            ),
            on_submit=TeamState.create_key,
        ),
        align="start",
        width="100%",
    )


def _staff_row(person: rx.Var) -> rx.Component:
    return rx.el.tr(
        rx.el.td(person.email),
        rx.el.td(person.role),
        rx.el.td(
            rx.cond(
                person.pending,
                rx.button(
                    T["revoke_invitation"],
                    on_click=TeamState.withdraw_invitation(person.invitation_id),
                    variant="outline",
                    size="1",
                    class_name="withdraw-invitation",
                ),
                rx.button(
                    T["remove_staff"],
                    on_click=TeamState.remove_member(person.user_id),
                    variant="outline",
                    color_scheme="red",
                    size="1",
                    class_name="remove-member",
                ),
            )
        ),
        class_name="staff-row",
    )


def _staff() -> rx.Component:
    """Owners only: who works here, open invitations, and a new invitation by e-mail."""
    return rx.cond(
        TeamState.is_owner,
        rx.vstack(
            rx.heading(T["staff_title"], size="4", as_="h2"),
            data_table(
                T["staff_title"],
                [T["email"], T["role"], ""],
                rx.foreach(TeamState.staff, _staff_row),
                id="staff",
            ),
            rx.el.form(
                rx.hstack(
                    input_field(
                        T["email"],
                        id="invite-email",
                        name="email",
                        kind="email",
                        required=True,
                        max_length=254,
                    ),
                    select_field(
                        T["role"],
                        rx.el.option(T["role_staff"], value="provider_staff"),
                        rx.el.option(T["role_owner"], value="provider_owner"),
                        id="invite-role",
                        name="role",
                    ),
                    rx.button(T["invite_staff"], type="submit", id="send-invitation"),
                    align="end",
                    wrap="wrap",
                ),
                on_submit=TeamState.invite,
                reset_on_submit=True,
            ),
            align="start",
            width="100%",
        ),
    )
