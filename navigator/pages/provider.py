"""The provider's pages: sign-up, a program with its groups, a group's register (the
cabinet's task screens are in `provider_cabinet.py`)."""

import reflex as rx

from navigator import routes
from navigator.components.forms import (
    checkbox_field,
    choice_options,
    field,
    input_field,
    option,
    pair_options,
    photo_upload,
    select_field,
)
from navigator.components.layout import (
    data_table,
    error_text,
    native_form,
    notice_text,
    page,
)
from navigator.state.auth import AuthState
from navigator.state.provider import AttendanceState, ProviderProgramState

T = ProviderProgramState.t


# ---------------------------------------------------------------- sign-up


def provider_register_page() -> rx.Component:
    return page(
        rx.heading(T["provider_register_title"], size="6", as_="h1"),
        error_text(AuthState.error, "auth-error"),
        native_form(
            rx.vstack(
                input_field(
                    T["organisation"],
                    id="f-organisation",
                    name="organisation",
                    wide=True,
                    required=True,
                    max_length=200,
                ),
                select_field(
                    T["provider_kind"],
                    pair_options(AuthState.kind_choices),
                    id="f-kind",
                    name="kind",
                ),
                input_field(
                    T["licence_number"],
                    id="f-licence_number",
                    name="licence_number",
                    wide=True,
                    max_length=60,
                ),
                select_field(
                    T["municipality"],
                    pair_options(AuthState.municipality_choices),
                    id="f-municipality_id",
                    name="municipality_id",
                ),
                input_field(
                    T["email"],
                    id="f-email",
                    name="email",
                    kind="email",
                    wide=True,
                    default_value=AuthState.email,
                    required=True,
                ),
                input_field(
                    T["password"],
                    id="f-password",
                    name="password",
                    kind="password",
                    wide=True,
                    auto_complete="new-password",
                    required=True,
                ),
                rx.text(T["password_rules"], size="1"),
                input_field(
                    T["password_again"],
                    id="f-password_again",
                    name="password_again",
                    kind="password",
                    wide=True,
                    auto_complete="new-password",
                    required=True,
                ),
                rx.button(T["create_account"], type="submit", id="submit"),
                align="start",
            ),
            action=routes.AUTH_REGISTER_PROVIDER,
            class_name="auth-form",
        ),
    )


# ---------------------------------------------------------------- a program's form


def program_form(state, submit_key: str, handler) -> rx.Component:
    s = state
    return rx.el.form(
        rx.vstack(
            input_field(
                T["title"],
                id="f-title",
                name="title",
                wide=True,
                default_value=s.title if s is not None else "",
                required=True,
                max_length=200,
            ),
            field(
                T["description"],
                rx.el.textarea(
                    id="f-description",
                    name="description",
                    default_value=s.description if s is not None else "",
                    rows=5,
                    max_length=10_000,
                    class_name="native-input wide",
                    aria_describedby="description-hint",
                ),
                rx.text(T["description_hint"], size="1", id="description-hint"),
                id="f-description",
            ),
            select_field(
                T["direction"],
                choice_options(ProviderProgramState.direction_choices),
                id="f-direction",
                name="direction",
                default_value=s.direction if s is not None else None,
            ),
            rx.hstack(
                input_field(
                    T["age_min"],
                    id="f-age_min",
                    name="age_min",
                    kind="number",
                    wide=True,
                    default_value=s.age_min if s is not None else "7",
                    min=0,
                    max=18,
                ),
                input_field(
                    T["age_max"],
                    id="f-age_max",
                    name="age_max",
                    kind="number",
                    wide=True,
                    default_value=s.age_max if s is not None else "12",
                    min=0,
                    max=18,
                ),
                wrap="wrap",
            ),
            select_field(
                T["teaching_language"],
                choice_options(ProviderProgramState.language_choices),
                id="f-language",
                name="language",
                default_value=s.language if s is not None else None,
            ),
            select_field(
                T["format"],
                choice_options(ProviderProgramState.format_choices),
                id="f-format",
                name="format",
                default_value=s.format if s is not None else None,
            ),
            input_field(
                T["address"],
                id="f-address",
                name="address",
                wide=True,
                default_value=s.address if s is not None else "",
                max_length=300,
            ),
            rx.hstack(
                input_field(
                    T["latitude"],
                    id="f-latitude",
                    name="latitude",
                    wide=True,
                    default_value=s.latitude if s is not None else "",
                    input_mode="decimal",
                ),
                input_field(
                    T["longitude"],
                    id="f-longitude",
                    name="longitude",
                    wide=True,
                    default_value=s.longitude if s is not None else "",
                    input_mode="decimal",
                ),
                wrap="wrap",
            ),
            checkbox_field(
                T["is_free_program"],
                id="f-is_free",
                name="is_free",
                default_checked=s.is_free if s is not None else False,
            ),
            rx.button(T[submit_key], type="submit", id="save-program"),
            align="start",
        ),
        on_submit=handler,
        reset_on_submit=False,
        key=s.form_key if s is not None else 0,
    )


# ---------------------------------------------------------------- a program


def _group_row(group: rx.Var) -> rx.Component:
    return rx.el.tr(
        rx.el.th(group.name, scope="row"),
        rx.el.td(group.timetable),
        rx.el.td(group.dates),
        rx.el.td(group.seats),
        rx.el.td(
            group.price,
            rx.cond(
                group.awaiting,
                rx.badge(
                    T["group_awaiting_certification"],
                    color_scheme="amber",
                    high_contrast=True,
                    margin_left="2",
                ),
            ),
        ),
        rx.el.td(
            rx.hstack(
                rx.link(
                    T["register_link"],
                    href=routes.PROVIDER_GROUP + group.id,
                    class_name="register-link",
                ),
                rx.button(
                    rx.cond(group.open, T["close_enrollment"], T["open_enrollment"]),
                    size="1",
                    variant="soft",
                    on_click=ProviderProgramState.toggle_enrollment(group.id),
                ),
                wrap="wrap",
            )
        ),
    )


def _group_form() -> rx.Component:
    return rx.el.form(
        rx.vstack(
            input_field(
                T["group_name"], id="f-name", name="name", wide=True, required=True, max_length=100
            ),
            rx.el.fieldset(
                rx.el.legend(T["weekdays"]),
                rx.hstack(
                    *[
                        checkbox_field(T[f"weekday_{n}"], id=f"f-weekday_{n}", name=f"weekday_{n}")
                        for n in range(1, 8)
                    ],
                    wrap="wrap",
                ),
                class_name="facet",
            ),
            rx.hstack(
                input_field(
                    T["time_from"],
                    id="f-time_from",
                    name="time_from",
                    kind="time",
                    wide=True,
                    default_value="16:00",
                ),
                input_field(
                    T["time_to"],
                    id="f-time_to",
                    name="time_to",
                    kind="time",
                    wide=True,
                    default_value="17:30",
                ),
                wrap="wrap",
            ),
            rx.hstack(
                input_field(
                    T["starts_on"],
                    id="f-starts_on",
                    name="starts_on",
                    kind="date",
                    wide=True,
                    required=True,
                ),
                input_field(
                    T["ends_on"],
                    id="f-ends_on",
                    name="ends_on",
                    kind="date",
                    wide=True,
                    required=True,
                ),
                wrap="wrap",
            ),
            rx.hstack(
                input_field(
                    T["seats"],
                    id="f-seats",
                    name="seats",
                    kind="number",
                    wide=True,
                    default_value="12",
                    min=1,
                ),
                input_field(
                    T["price_per_lesson"],
                    id="f-price",
                    name="price",
                    wide=True,
                    default_value="0",
                    input_mode="decimal",
                ),
                wrap="wrap",
            ),
            input_field(T["teacher"], id="f-teacher", name="teacher", wide=True, max_length=200),
            rx.button(T["create"], type="submit", id="add-group"),
            align="start",
        ),
        on_submit=ProviderProgramState.add_group,
        reset_on_submit=False,
        key=ProviderProgramState.form_key,
    )


def _photo(s) -> rx.Component:
    """The program's photo: shown, replaced by an upload, or removed."""
    return rx.vstack(
        rx.heading(T["photo"], size="4", as_="h2"),
        photo_upload(
            "program-photo",
            photo_url=s.photo_url,
            alt=s.title,
            on_upload=s.upload_photo,
            on_remove=s.remove_photo,
        ),
        align="start",
        width="100%",
    )


def _listing_controls(s) -> rx.Component:
    """The provider's own switch: pause and resume in the catalog, archive and restore."""
    return rx.hstack(
        rx.text(T["listing"], ": ", rx.text.span(s.listing_label, id="program-listing")),
        rx.match(
            s.listing,
            (
                "listed",
                rx.button(
                    T["pause_program"],
                    on_click=s.set_listing("suspended"),
                    variant="outline",
                    id="pause-program",
                ),
            ),
            (
                "suspended",
                rx.hstack(
                    rx.button(
                        T["resume_program"], on_click=s.set_listing("listed"), id="resume-program"
                    ),
                    rx.button(
                        T["archive_program"],
                        on_click=s.set_listing("archived"),
                        variant="outline",
                        color_scheme="red",
                        id="archive-program",
                    ),
                ),
            ),
            (
                "archived",
                rx.button(
                    T["restore_program"],
                    on_click=s.set_listing("suspended"),
                    variant="outline",
                    id="restore-program",
                ),
            ),
        ),
        align="center",
        wrap="wrap",
    )


def provider_program_page() -> rx.Component:
    s = ProviderProgramState
    return page(
        rx.link(T["back_to_cabinet"], href=routes.PROVIDER),
        rx.cond(
            s.found,
            rx.vstack(
                rx.heading(s.title, size="6", as_="h1", id="provider-program-title"),
                rx.hstack(
                    rx.text(
                        T["certification"], ": ", rx.text.span(s.status, id="certification-status")
                    ),
                    rx.cond(
                        s.can_submit,
                        rx.button(
                            T["submit_for_certification"], on_click=s.submit, id="submit-program"
                        ),
                    ),
                    align="center",
                    wrap="wrap",
                ),
                rx.cond(
                    s.status_reason != "",
                    rx.text(T["decision_reason"], ": ", s.status_reason, id="certification-reason"),
                ),
                _listing_controls(s),
                _photo(s),
                error_text(s.error, "program-error"),
                notice_text(s.notice, "program-notice"),
                program_form(s, "save", s.save),
                rx.heading(T["groups"], size="4", as_="h2"),
                data_table(
                    T["groups"],
                    [T["group"], T["timetable"], T["dates"], T["seats"], T["price_per_lesson"], ""],
                    rx.foreach(s.groups, _group_row),
                ),
                rx.heading(T["new_group"], size="4", as_="h2"),
                _group_form(),
                align="start",
                width="100%",
            ),
            rx.heading(T["program_not_found"], size="5", as_="h1"),
        ),
    )


# ---------------------------------------------------------------- the register


def _register_row(row: rx.Var) -> rx.Component:
    return rx.el.tr(rx.el.th(row.child, scope="row"), rx.foreach(row.cells, lambda c: rx.el.td(c)))


def _mark_row(row: rx.Var) -> rx.Component:
    return select_field(
        row.child,
        choice_options(AttendanceState.status_choices),
        id="status-" + row.enrollment_id,
        name="status_" + row.enrollment_id,
    )


def _correction_row(line: rx.Var) -> rx.Component:
    return rx.el.tr(
        rx.el.td(line.lesson_date),
        rx.el.td(line.child),
        rx.el.td(line.change),
        rx.el.td(line.reason),
        rx.el.td(line.money),
        rx.el.td(line.by),
    )


def _correction_form() -> rx.Component:
    s = AttendanceState
    return rx.vstack(
        rx.heading(T["correct_mark"], size="4", as_="h2"),
        rx.text(T["correct_mark_hint"], size="2"),
        error_text(s.correction_error, "correction-error"),
        notice_text(s.correction_notice, "correction-notice"),
        rx.cond(
            s.correctable_choices.length() == 0,
            rx.text(T["no_correctable_lessons"]),
            rx.el.form(
                rx.hstack(
                    select_field(
                        T["child"],
                        rx.foreach(s.rows, lambda r: option(r.child, r.enrollment_id)),
                        id="f-correct-child",
                        name="enrollment_id",
                    ),
                    select_field(
                        T["lesson_date"],
                        choice_options(s.correctable_choices),
                        id="f-lesson_date",
                        name="lesson_date",
                    ),
                    select_field(
                        T["new_mark"],
                        choice_options(s.status_choices),
                        id="f-status",
                        name="status",
                    ),
                    input_field(
                        T["correction_reason"],
                        id="f-reason",
                        name="reason",
                        wide=True,
                        required=True,
                        max_length=300,
                    ),
                    rx.button(T["save_correction"], type="submit", id="save-correction"),
                    align="end",
                    wrap="wrap",
                ),
                on_submit=s.correct,
                reset_on_submit=False,
                key=s.form_key,
            ),
        ),
        rx.cond(
            s.corrections.length() > 0,
            rx.vstack(
                rx.heading(T["corrections_log"], size="4", as_="h2"),
                data_table(
                    T["corrections_log"],
                    [
                        T["lesson_date"],
                        T["child"],
                        T["change"],
                        T["reason"],
                        T["amount"],
                        T["corrected_by"],
                    ],
                    rx.foreach(s.corrections, _correction_row),
                    id="corrections",
                ),
                align="start",
                width="100%",
            ),
        ),
        align="start",
        width="100%",
    )


def attendance_page() -> rx.Component:
    s = AttendanceState
    return page(
        rx.cond(
            s.found,
            rx.link(T["back_to_program"], href=routes.PROVIDER_PROGRAM + s.program_id),
        ),
        rx.heading(T["register_link"], size="6", as_="h1"),
        error_text(s.error, "register-error"),
        notice_text(s.notice, "register-notice"),
        rx.cond(
            s.found,
            rx.vstack(
                rx.cond(
                    s.rows.length() == 0,
                    rx.text(T["no_children_seated"]),
                    rx.vstack(
                        rx.el.div(
                            rx.el.table(
                                rx.el.thead(
                                    rx.el.tr(
                                        rx.el.th(T["child"], scope="col"),
                                        rx.foreach(s.dates, lambda d: rx.el.th(d, scope="col")),
                                    )
                                ),
                                rx.el.tbody(rx.foreach(s.rows, _register_row)),
                                class_name="data-table register-grid",
                                id="register",
                            ),
                            role="region",
                            aria_label=T["register_link"],
                            tab_index=0,
                            class_name="table-scroll",
                        ),
                        rx.heading(T["mark_lesson"], size="4", as_="h2"),
                        rx.cond(
                            s.lesson_choices.length() == 0,
                            rx.text(T["no_lessons_yet"]),
                            rx.el.form(
                                rx.vstack(
                                    select_field(
                                        T["lesson_date"],
                                        choice_options(s.lesson_choices),
                                        id="lesson-date",
                                        name="lesson_date",
                                    ),
                                    rx.foreach(s.rows, _mark_row),
                                    rx.button(T["save_marks"], type="submit", id="save-marks"),
                                    align="start",
                                ),
                                on_submit=s.save_lesson,
                                reset_on_submit=False,
                                key=s.form_key,
                            ),
                        ),
                        _correction_form(),
                        align="start",
                        width="100%",
                    ),
                ),
                align="start",
                width="100%",
            ),
            # another provider's group, or none: said, with the way back (never a blank page)
            rx.vstack(
                rx.text(T["group_not_found"], id="group-not-found"),
                rx.link(T["back_to_cabinet"], href=routes.PROVIDER),
            ),
        ),
    )
