"""A refusal naming a field is kept with the field's name for the place under that field
(components/forms.field); one naming none leaves no field's place with an old message."""

from __future__ import annotations

import reflex as rx

from navigator.components.forms import field, input_field, reason_form, select_field
from navigator.domain.shared.errors import Conflict, InvalidInput
from navigator.state.app import AppState


def test_a_refusal_naming_a_field_is_kept_for_the_place_under_it() -> None:
    state = AppState(_reflex_internal_init=True)
    message = state._message(InvalidInput("date_in_past", field="starts_at"))
    assert message != ""
    assert (state.error_field, state.field_error) == ("starts_at", message)
    serial = state.feedback_serial

    # the next refusal names no field: no field keeps the old message
    other = state._message(Conflict("period_overlaps"))
    assert other != message
    assert (state.error_field, state.field_error) == ("", "")
    assert state.feedback_serial == serial + 1


def _rendered(component: rx.Component) -> str:
    return str(component)


def test_every_field_helper_has_a_place_for_its_refusal_under_the_control() -> None:
    text = _rendered(input_field("Day", id="c-starts_at", name="starts_at", kind="date"))
    assert '"c-starts_at-error"' in text and '"field-error"' in text
    assert '=== "starts_at"' in text  # shown for a refusal naming this field only
    assert text.index('id:"c-starts_at"') < text.index('"c-starts_at-error"')

    assert '"f-town-error"' in _rendered(select_field("Town", id="f-town", name="town"))
    assert '"why-error"' in _rendered(reason_form("Why", id="why", on_submit=None))

    # a control given to `field` is found by the name it posts, and its place follows it,
    # before the hint that comes after it
    text = _rendered(
        field(
            "Description",
            rx.el.textarea(id="f-description", name="description"),
            rx.text("hint", id="description-hint"),
            id="f-description",
        )
    )
    assert '=== "description"' in text
    assert text.index('"f-description-error"') < text.index('"description-hint"')


def test_a_field_without_a_name_has_no_place_for_a_refusal() -> None:
    assert '"book-adults-error"' not in _rendered(input_field("Adults", id="book-adults"))
