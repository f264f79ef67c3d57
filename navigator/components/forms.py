"""Form fields: a label tied to its control by one id, in the `.field` box every form uses.

The id is given once and written to both the label's `for` and the control's `id`, so no
control goes unlabelled (the axe checks ask that of every input). Other keyword arguments
go to the control as they are: `default_value`, `required`, `value` and `on_change`, ...

Each field has its own place for a refusal, under the control: the message of the last
refusal that named the field (`AppState.field_error`), shown once assets/feedback.js has put
it there (`data-placed`). The page's refusal box (components/layout.error_text) does that in
the form the person was using: marks the control invalid, moves the focus to it and steps
aside, so a refusal is read out once, where the eye is. Until then (or without the script)
the box says it.
"""

from __future__ import annotations

import reflex as rx

from navigator.state.app import AppState

Text = rx.Var | str


# a field's refusal shows only once assets/feedback.js has placed it here (the page's box
# says it until then): one field of that name among the page's forms says it, not all
FIELD_BOX_STYLE = {
    "& > .field-error:not([data-placed])": {"display": "none"},
    "& [aria-invalid='true']": {"border_color": "var(--red-9)"},
}


def field_error(id: Text, name: Text | None) -> rx.Component:
    """The refusal under a control, `<control id>-error`: the last refusal's message when it
    named this field (by the control's name)."""
    if name is None:
        return rx.fragment()
    error_id = f"{id}-error" if isinstance(id, str) else id.to(str) + "-error"
    return rx.cond(
        (AppState.error_field == name) & (AppState.field_error != ""),
        # a new element for each refusal: the same refusal again, the focus already in the
        # field, is an alert that appears anew and is read out again
        rx.fragment(
            rx.text(
                AppState.field_error,
                as_="p",
                id=error_id,
                size="2",
                color_scheme="red",
                weight="medium",
                class_name="field-error",
            ),
            key=AppState.feedback_serial,
        ),
    )


def _named_control(controls: tuple[rx.Component, ...]) -> tuple[int, Text | None]:
    """The first named control: where it is among the controls, and the name it posts its
    value under (the field a refusal names)."""
    for at, control in enumerate(controls):
        name = getattr(control, "name", None)
        if isinstance(name, rx.Var):
            return at, name
    return 0, None


def field(label: Text, *controls: rx.Component, id: Text, name: Text | None = None) -> rx.Component:
    """A label above its control (and anything that goes with it, such as a hint), and
    right under the control the place for a refusal naming it."""
    at, named = _named_control(controls)
    return rx.el.div(
        rx.el.label(label, html_for=id),
        *controls[: at + 1],
        field_error(id, name if name is not None else named),
        *controls[at + 1 :],
        class_name="field",
        style=FIELD_BOX_STYLE,
    )


def input_field(
    label: Text,
    *,
    id: Text,
    name: Text | None = None,
    kind: str = "text",
    wide: bool = False,
    **props,
) -> rx.Component:
    """A labelled <input>; `wide` lets it take the whole width of its form."""
    return field(
        label,
        rx.el.input(
            id=id,
            name=name,
            type=kind,
            class_name="native-input wide" if wide else "native-input",
            **props,
        ),
        id=id,
        name=name,
    )


def select_field(
    label: Text, *options: rx.Component, id: Text, name: Text | None = None, **props
) -> rx.Component:
    """A labelled <select> of the given options (see `choice_options`, `pair_options`)."""
    return field(
        label,
        rx.el.select(*options, id=id, name=name, class_name="native-select", **props),
        id=id,
        name=name,
    )


def choice_options(choices: rx.Var) -> rx.Component:
    """An <option> for each Choice (value, label) of a state list, keyed by its value (see
    `option`)."""
    return rx.foreach(choices, lambda c: option(c.label, c.value))


def pair_options(pairs: rx.Var) -> rx.Component:
    """An <option> for each [value, label] pair of a state list, keyed by its value."""
    return rx.foreach(pairs, lambda c: option(c[1], c[0]))


def option(label: Text, value: Text) -> rx.Component:
    """An <option> of a list that can change while the page shows it, keyed by its value: an
    option keyed by its place would take another value when one is added before it, and a
    <select> left on that place would silently change the person's choice."""
    return rx.el.option(label, value=value, key=value)


def checkbox_field(
    *label: Text | rx.Component, id: Text, box_class: str = "facet-option", **props
) -> rx.Component:
    """A checkbox with its label after it, as a line of options reads."""
    return rx.el.div(
        rx.el.input(type="checkbox", id=id, **props),
        rx.el.label(*label, html_for=id),
        class_name=box_class,
    )


def reason_form(label: Text, *buttons: rx.Component, id: str, on_submit) -> rx.Component:
    """A one-line form asking why (a rejection, a refusal): the reason is required, 500 at most."""
    return rx.el.form(
        rx.el.label(label, html_for=id),
        rx.el.input(
            id=id, name="reason", class_name="native-input wide", required=True, max_length=500
        ),
        field_error(id, "reason"),
        *buttons,
        on_submit=on_submit,
        class_name="field",
        style=FIELD_BOX_STYLE,
    )


def csv_dropzone(upload_id: str, prompt: Text, *, max_size: int) -> rx.Component:
    """One CSV file, dropped or chosen; the label around the dropzone names its file input
    (axe: every input labelled)."""
    return rx.el.label(
        rx.upload(
            rx.vstack(rx.text(prompt), rx.foreach(rx.selected_files(upload_id), rx.text)),
            id=upload_id,
            accept={"text/csv": [".csv"]},
            max_files=1,
            multiple=False,
            max_size=max_size,
            border="1px dashed #8b8d98",
            padding="4",
            width="100%",
        ),
        style={"display": "block", "width": "100%"},
    )


def photo_upload(
    upload_id: str,
    *,
    photo_url: rx.Var,
    alt: Text,
    on_upload,
    on_remove,
    button_ids: tuple[str, str] = ("upload-photo", "remove-photo"),
) -> rx.Component:
    """A photo: the current one (with a button taking it off), a drop zone for JPEG, PNG or
    WebP, and the button sending it (`on_upload` receives the upload's files)."""
    T = AppState.t
    return rx.vstack(
        rx.cond(
            photo_url != "",
            rx.hstack(
                rx.image(src=photo_url, alt=alt, class_name=upload_id, width="240px"),
                rx.button(
                    T["remove_photo"], on_click=on_remove, variant="outline", id=button_ids[1]
                ),
                align="end",
                wrap="wrap",
            ),
        ),
        rx.text(T["photo_hint"], size="1"),
        rx.el.label(
            rx.text.span(T["photo"], class_name="visually-hidden"),
            rx.upload(
                rx.vstack(
                    rx.text(T["photo_drop"]), rx.foreach(rx.selected_files(upload_id), rx.text)
                ),
                id=upload_id,
                accept={
                    "image/jpeg": [".jpg", ".jpeg"],
                    "image/png": [".png"],
                    "image/webp": [".webp"],
                },
                max_files=1,
                multiple=False,
                border="1px dashed #8b8d98",
                padding="4",
                width="100%",
            ),
            style={"display": "block", "width": "100%"},
        ),
        rx.button(
            T["upload_photo"],
            on_click=on_upload(rx.upload_files(upload_id=upload_id)),
            id=button_ids[0],
        ),
        align="start",
        width="100%",
    )


def confirmed_button(
    label: Text,
    confirm_label: Text,
    *,
    asking: rx.Var,
    on_start,
    on_confirm,
    on_cancel,
    class_name: str,
) -> rx.Component:
    """A consequential action in two clicks: the button, then (while `asking`) the
    confirmation beside a cancel. The confirming button's class is `confirm-<class_name>`."""
    return rx.cond(
        asking,
        rx.hstack(
            rx.button(
                confirm_label,
                size="1",
                color_scheme="red",
                on_click=on_confirm,
                class_name=f"confirm-{class_name}",
            ),
            rx.button(AppState.t["cancel"], size="1", variant="outline", on_click=on_cancel),
            wrap="wrap",
        ),
        rx.button(
            label,
            size="1",
            variant="outline",
            color_scheme="red",
            on_click=on_start,
            class_name=class_name,
        ),
    )
