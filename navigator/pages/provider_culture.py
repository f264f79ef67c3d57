"""The provider's culture-pass screen: class bookings waiting for an answer and registers to
mark first, then the sessions and publishing one, then the services and their form.

Phone first: bookings and services are cards, the sessions a table that becomes labelled
cards on a narrow screen; every form wraps to the screen's width.
"""

import reflex as rx

from navigator.components.culture_dispute import asking_why, culture_dispute_card
from navigator.components.forms import (
    checkbox_field,
    choice_options,
    field,
    input_field,
    photo_upload,
    reason_form,
    select_field,
)
from navigator.components.layout import data_table
from navigator.pages.provider_cabinet import _cabinet
from navigator.state.provider_culture import ProviderCultureState

S = ProviderCultureState
T = S.t


def provider_culture_page() -> rx.Component:
    return _cabinet("culture", _disputes(), _bookings(), _sessions(), _services())


# ---------------------------------------------------------------- disputes (first)


def _disputes() -> rx.Component:
    return rx.cond(
        S.disputes.length() > 0,
        rx.vstack(
            rx.heading(T["desk_disputes"], size="5", as_="h2", id="culture-disputes"),
            rx.foreach(S.disputes, _dispute),
            align="start",
            width="100%",
        ),
    )


def _dispute(item: rx.Var) -> rx.Component:
    return culture_dispute_card(
        item,
        rx.cond(item.answer_by != "", rx.text(item.answer_by, size="2", weight="bold")),
        answer=asking_why(
            S.contesting == item.id,
            T["dispute_contest_reason"],
            T["culture_dispute_send_contest"],
            id="contest-reason",
            on_submit=S.contest,
            on_cancel=S.cancel_contest,
            otherwise=rx.hstack(
                rx.button(
                    T["dispute_accept"],
                    size="1",
                    on_click=S.accept_dispute(item.id),
                    class_name="accept-dispute",
                ),
                rx.cond(
                    item.can_contest,
                    rx.button(
                        T["dispute_contest"],
                        size="1",
                        variant="outline",
                        on_click=S.start_contest(item.id),
                        class_name="contest-dispute",
                    ),
                ),
                wrap="wrap",
            ),
        ),
    )


# ---------------------------------------------------------------- bookings


def _bookings() -> rx.Component:
    return rx.vstack(
        rx.heading(T["culture_provider_bookings"], size="5", as_="h2"),
        rx.cond(S.bookings.length() == 0, rx.text(T["culture_no_provider_bookings"])),
        rx.foreach(S.bookings, _booking),
        align="start",
        width="100%",
    )


def _booking(item: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(item.status, high_contrast=True),
                rx.text(item.service, weight="bold"),
                wrap="wrap",
            ),
            rx.text(item.starts, size="2"),
            rx.text(item.school, " · ", item.classes, size="2"),
            rx.text(item.people, " · ", item.total, size="2"),
            rx.cond(
                item.reason != "",
                rx.text(T["culture_declined_because"], ": ", item.reason, size="2"),
            ),
            rx.cond(
                S.declining == item.id,
                reason_form(
                    T["culture_decline_reason"],
                    rx.hstack(
                        rx.button(
                            T["culture_decline"],
                            type="submit",
                            color_scheme="red",
                            id="confirm-decline",
                        ),
                        rx.button(
                            T["cancel"], type="button", variant="soft", on_click=S.cancel_decline
                        ),
                        wrap="wrap",
                    ),
                    id="decline-reason",
                    on_submit=S.decline,
                ),
                rx.hstack(
                    rx.cond(
                        item.can_confirm,
                        rx.button(
                            T["culture_confirm"],
                            on_click=S.confirm(item.id),
                            class_name="confirm-booking",
                        ),
                    ),
                    rx.cond(
                        item.can_decline,
                        rx.button(
                            T["culture_decline"],
                            variant="outline",
                            color_scheme="red",
                            on_click=S.start_decline(item.id),
                            class_name="decline-booking",
                        ),
                    ),
                    wrap="wrap",
                ),
            ),
            rx.cond(item.register.length() > 0, _register(item)),
            align="start",
            width="100%",
        ),
        width="100%",
        class_name="culture-booking",
    )


def _register(item: rx.Var) -> rx.Component:
    """A checkbox per booked pupil, all ticked: the provider unticks who did not come."""
    return rx.el.form(
        rx.el.fieldset(
            rx.el.legend(rx.text(T["culture_register"], weight="bold")),
            rx.text(T["culture_register_hint"], size="2"),
            rx.el.input(type="hidden", name="booking_id", value=item.id),
            rx.foreach(
                item.register,
                lambda pupil: checkbox_field(
                    pupil.name,
                    id="pupil-" + item.id + "-" + pupil.pupil_id,
                    name="pupil_" + pupil.pupil_id,
                    default_checked=True,
                    box_class="facet-option culture-pupil",
                ),
            ),
            rx.button(T["culture_save_register"], type="submit", class_name="save-register"),
            class_name="facet",
        ),
        on_submit=S.record_attendance,
        width="100%",
    )


# ---------------------------------------------------------------- sessions


def _sessions() -> rx.Component:
    return rx.vstack(
        rx.heading(T["culture_sessions_title"], size="5", as_="h2"),
        rx.cond(
            S.sessions.length() == 0,
            rx.text(T["culture_no_sessions"]),
            data_table(
                T["culture_sessions_title"],
                [
                    T["culture_service"],
                    T["culture_starts"],
                    T["culture_booked_places"],
                    T["culture_change_session"],
                ],
                rx.foreach(
                    S.sessions,
                    lambda row: rx.el.tr(
                        rx.el.td(row.service),
                        rx.el.td(row.starts),
                        rx.el.td(row.booked),
                        rx.el.td(
                            rx.cond(
                                row.can_change,
                                rx.button(
                                    T["edit"],
                                    size="1",
                                    variant="soft",
                                    on_click=S.start_change_session(row.id),
                                    aria_label=T["culture_change_session"] + ": " + row.starts,
                                    class_name="change-session",
                                ),
                            )
                        ),
                        class_name="culture-session",
                    ),
                ),
                id="culture-sessions",
            ),
        ),
        rx.cond(S.changing != "", _change_session()),
        _publish(),
        align="start",
        width="100%",
    )


def _change_session() -> rx.Component:
    """A new day, time or capacity for one session: a booked one keeps its time and never
    shrinks below what is booked (the domain says so beside the field)."""
    return rx.vstack(
        rx.heading(T["culture_change_session"], size="4", as_="h3", id="change-session-title"),
        rx.text(S.changing_title, size="2", weight="bold"),
        rx.text(T["culture_change_session_hint"], size="2"),
        rx.el.form(
            rx.vstack(
                _session_fields(
                    "c-",
                    starts_at=S.change_day,
                    start_time=S.change_time,
                    capacity=S.change_capacity,
                ),
                rx.hstack(
                    rx.button(T["save"], type="submit", id="save-session"),
                    rx.button(
                        T["cancel"], type="button", variant="soft", on_click=S.cancel_change_session
                    ),
                    wrap="wrap",
                ),
                align="start",
            ),
            key=S.changing,
            on_submit=S.save_session,
            reset_on_submit=False,
            width="100%",
        ),
        align="start",
        width="100%",
        id="change-session",
    )


def _session_fields(prefix: str, **values) -> rx.Component:
    """A session's day, start time and capacity, for publishing one or changing one
    (`values`: what each field starts with)."""

    def start(name: str) -> dict:
        return {"default_value": values[name]} if name in values else {}

    return rx.hstack(
        input_field(
            T["culture_start_date"],
            id=f"{prefix}starts_at",
            name="starts_at",
            kind="date",
            required=True,
            **start("starts_at"),
        ),
        input_field(
            T["culture_start_time"],
            id=f"{prefix}start_time",
            name="start_time",
            kind="time",
            required=True,
            **start("start_time"),
        ),
        input_field(
            T["culture_capacity"],
            id=f"{prefix}capacity",
            name="capacity",
            kind="number",
            required=True,
            min=1,
            max=500,
            **start("capacity"),
        ),
        wrap="wrap",
        align="end",
    )


def _publish() -> rx.Component:
    return rx.vstack(
        rx.heading(T["culture_publish_title"], size="4", as_="h3"),
        rx.text(T["culture_publish_hint"], size="2"),
        rx.cond(
            S.session_services.length() == 0,
            rx.text(T["culture_no_bookable"], size="2"),
            rx.el.form(
                rx.vstack(
                    select_field(
                        T["culture_service"],
                        choice_options(S.session_services),
                        id="f-service_id",
                        name="service_id",
                    ),
                    _session_fields("f-", capacity="30"),
                    rx.button(T["culture_publish"], type="submit", id="publish-session"),
                    align="start",
                ),
                on_submit=S.publish,
                reset_on_submit=False,
                width="100%",
            ),
        ),
        align="start",
        width="100%",
    )


# ---------------------------------------------------------------- services


def _services() -> rx.Component:
    return rx.vstack(
        rx.heading(T["culture_services_title"], size="5", as_="h2"),
        rx.cond(S.services.length() == 0, rx.text(T["culture_no_services"])),
        rx.foreach(S.services, _service),
        _service_form(),
        align="start",
        width="100%",
    )


def _service(item: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(item.status, high_contrast=True),
                rx.text(item.title, weight="bold"),
                wrap="wrap",
            ),
            rx.cond(
                item.photo_url != "",
                rx.image(
                    src=item.photo_url,
                    alt=item.title,
                    loading="lazy",
                    width="160px",
                    height="120px",
                    object_fit="cover",
                    class_name="service-photo",
                ),
            ),
            rx.text(item.summary, size="2"),
            rx.text(item.price, size="2"),
            rx.cond(
                item.reason != "",
                rx.text(T["culture_declined_because"], ": ", item.reason, size="2"),
            ),
            rx.cond(
                item.change_waiting != "",
                rx.callout(item.change_waiting, color_scheme="amber", size="1", width="100%"),
            ),
            rx.button(
                T["edit"],
                size="2",
                variant="soft",
                on_click=S.start_edit(item.id),
                class_name="edit-service",
            ),
            align="start",
            width="100%",
        ),
        width="100%",
        class_name="culture-service",
    )


def _service_form() -> rx.Component:
    return rx.vstack(
        rx.heading(
            rx.cond(S.editing != "", T["culture_edit_service"], T["culture_new_service"]),
            size="4",
            as_="h3",
            id="service-form-title",
        ),
        rx.box(
            rx.heading(T["culture_criteria_title"], size="3", as_="h4"),
            rx.text(T["culture_criteria_provider_hint"], size="2"),
            rx.el.ol(rx.foreach(S.service_criteria, rx.el.li), class_name="culture-criteria"),
            id="provider-criteria",
            width="100%",
        ),
        rx.cond(
            S.editing_reviewed,
            rx.callout(
                T["culture_change_goes_to_review"],
                color_scheme="amber",
                high_contrast=True,
                width="100%",
                id="change-goes-to-review",
            ),
        ),
        rx.el.form(
            rx.vstack(
                input_field(
                    T["title"],
                    id="f-title",
                    name="title",
                    wide=True,
                    default_value=S.form_title,
                    required=True,
                    max_length=200,
                ),
                field(
                    T["description"],
                    rx.el.textarea(
                        id="f-description",
                        name="description",
                        default_value=S.form_description,
                        rows=5,
                        max_length=5000,
                        required=True,
                        class_name="native-input wide",
                    ),
                    id="f-description",
                ),
                select_field(
                    T["culture_art_form"],
                    choice_options(S.art_form_choices),
                    id="f-art_form",
                    name="art_form",
                    default_value=S.form_art_form,
                ),
                rx.hstack(
                    input_field(
                        T["culture_grade_min"],
                        id="f-grade_min",
                        name="grade_min",
                        kind="number",
                        min=1,
                        max=12,
                        default_value=S.form_grade_min,
                    ),
                    input_field(
                        T["culture_grade_max"],
                        id="f-grade_max",
                        name="grade_max",
                        kind="number",
                        min=1,
                        max=12,
                        default_value=S.form_grade_max,
                    ),
                    input_field(
                        T["culture_duration"],
                        id="f-duration_minutes",
                        name="duration_minutes",
                        kind="number",
                        min=15,
                        max=480,
                        default_value=S.form_duration,
                    ),
                    wrap="wrap",
                    align="end",
                ),
                select_field(
                    T["language"],
                    choice_options(S.language_choices),
                    id="f-language",
                    name="language",
                    default_value=S.form_language,
                ),
                select_field(
                    T["culture_place"],
                    choice_options(S.place_choices),
                    id="f-place",
                    name="place",
                    default_value=S.form_place,
                ),
                field(
                    T["address"],
                    rx.el.input(
                        id="f-address",
                        name="address",
                        default_value=S.form_address,
                        max_length=300,
                        class_name="native-input wide",
                        aria_describedby="address-hint",
                    ),
                    rx.text(T["culture_address_hint"], size="1", id="address-hint"),
                    id="f-address",
                ),
                rx.hstack(
                    field(
                        T["culture_price"],
                        rx.el.input(
                            id="f-price",
                            name="price",
                            default_value=S.form_price,
                            required=True,
                            input_mode="decimal",
                            max_length=12,
                            class_name="native-input",
                            aria_describedby="price-hint",
                        ),
                        rx.text(T["culture_price_hint"], size="1", id="price-hint"),
                        id="f-price",
                    ),
                    input_field(
                        T["culture_free_adults"],
                        id="f-free_adults",
                        name="free_adults",
                        kind="number",
                        min=0,
                        max=10,
                        default_value=S.form_free_adults,
                    ),
                    wrap="wrap",
                    align="start",
                ),
                rx.hstack(
                    rx.button(
                        rx.cond(
                            S.editing != "", T["culture_save_change"], T["culture_submit_service"]
                        ),
                        type="submit",
                        id="save-service",
                    ),
                    rx.cond(
                        S.editing != "",
                        rx.button(
                            T["cancel"], type="button", variant="soft", on_click=S.new_service
                        ),
                    ),
                    wrap="wrap",
                ),
                align="start",
                width="100%",
            ),
            key=S.form_key,
            on_submit=S.save_service,
            reset_on_submit=False,
            width="100%",
        ),
        rx.cond(  # a photo belongs to a service that exists: shown while changing one
            S.editing != "",
            rx.vstack(
                rx.heading(T["photo"], size="3", as_="h4"),
                photo_upload(
                    "service-photo",
                    photo_url=S.editing_photo_url,
                    alt=S.form_title,
                    on_upload=S.upload_photo,
                    on_remove=S.remove_photo,
                    button_ids=("upload-service-photo", "remove-service-photo"),
                ),
                align="start",
                width="100%",
            ),
        ),
        align="start",
        width="100%",
    )
