"""A refusal naming a field is kept with the field's name for the place under that field
(components/forms.field); one naming none leaves no field's place with an old message. Only
the answer to the person's own action is a refusal: an offer's problem read by the cabinet's
poll, an import's rejected lines, a card's answer are words on the page that move no focus."""

from __future__ import annotations

import reflex as rx
from sqlmodel import select

import navigator.domain.shared.db as db
from navigator.components.forms import field, input_field, reason_form, select_field
from navigator.components.layout import error_text
from navigator.domain.accounts.signin import start_session
from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.models import Group
from navigator.domain.shared.calendar import local_today
from navigator.domain.shared.errors import Conflict, InvalidInput
from navigator.domain.shared.models import utcnow
from navigator.state.app import AppState
from navigator.state.cabinet import CabinetState
from tests.domain.enrollment.test_offers import _number_and_birth, _offer
from tests.factories import build_world


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


def test_a_refusal_box_is_drawn_anew_only_for_its_own_message() -> None:
    """Each message keeps the count of the refusal that last said it: a box still showing
    the first refusal keeps its key when another box is refused, and changes it when its own
    message is refused again."""
    state = AppState(_reflex_internal_init=True)
    first = state._message(InvalidInput("date_in_past", field="starts_at"))
    kept = state.refused[first]
    second = state._message(Conflict("period_overlaps"))
    assert state.refused[first] == kept and state.refused[second] == state.feedback_serial
    state._message(InvalidInput("date_in_past", field="starts_at"))
    assert state.refused[first] == state.feedback_serial > kept
    for n in range(100):  # a long session keeps the latest refusals only
        state._message(InvalidInput("value_too_large", field="budget", max=n))
    assert len(state.refused) <= 20


def test_a_translated_error_that_is_no_refusal_leaves_the_page_s_refusal_alone() -> None:
    state = AppState(_reflex_internal_init=True)
    message = state._message(InvalidInput("date_in_past", field="starts_at"))
    before = (state.error_field, state.field_error, state.feedback_serial, dict(state.refused))
    said = state._text(Conflict("period_overlaps"))
    assert said == Conflict("period_overlaps").message(state.lang) and said != message
    assert (state.error_field, state.field_error, state.feedback_serial, state.refused) == before


def test_the_cabinets_poll_reading_an_offers_problem_moves_no_refusal(engine, monkeypatch):
    """The watch poll reloads the cabinet while the parent fixes a refused form: an offer
    that can no longer go ahead shows its problem on its card, and the form's refusal (its
    field, its message, its count) stays as it was, so nothing on the page is said again or
    takes the focus."""
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    world = build_world(engine, today=local_today(Municipality(timezone="Europe/Moscow")))
    number, born = _number_and_birth(world)
    _offer(world, number, born)
    with world.tx() as s:
        token = start_session(s, world.parent.user_id, utcnow()).token
    monkeypatch.setattr(AppState, "_session_token", lambda self: token)
    cabinet = CabinetState(_reflex_internal_init=True)
    assert cabinet._reload()
    cabinet.error = cabinet._message(InvalidInput("birth_date_in_future", field="birth_date"))
    before = (
        cabinet.error,
        cabinet.error_field,
        cabinet.field_error,
        cabinet.feedback_serial,
        dict(cabinet.refused),
    )
    with world.tx() as s:  # the provider closes the group: the offer cannot go ahead now
        group = s.exec(select(Group).where(Group.id == world.group_id)).one()
        group.enrollment_open = False
        s.add(group)
    assert cabinet._reload()
    (card,) = cabinet.offers
    assert card.problem == Conflict("group_closed").message(cabinet.lang)
    after = (
        cabinet.error,
        cabinet.error_field,
        cabinet.field_error,
        cabinet.feedback_serial,
        cabinet.refused,
    )
    assert after == before


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


def test_a_field_s_place_shows_only_what_the_script_placed_there() -> None:
    """Hidden until assets/feedback.js puts the refusal there (data-placed), so one field of
    a name repeated across a page's forms says it, not every one."""
    text = _rendered(input_field("Day", id="c-starts_at", name="starts_at", kind="date"))
    assert ".field-error:not([data-placed])" in text and ":has(" not in text


def test_the_refusal_box_shows_its_message_until_the_script_places_it() -> None:
    """The box is seen from its first render: it steps aside only while its message is
    under its field (data-placement="field" and that field's place marked for this box);
    naming a field, it is no alert when the script is there to read it out with the field,
    and an alert otherwise."""

    class Screen(AppState):
        error: str = ""

    text = _rendered(error_text(Screen.error, "screen-error"))
    assert (
        "body:has(.field-error[data-placed='screen-error']) &[data-placement='field']"
        "[data-field]:not([data-field=''])"
    ) in text
    assert "window.navigatorFeedback) ? 'note' : 'alert'" in text
    assert "refused" in text  # keyed on its own message's refusal


def test_a_field_without_a_name_has_no_place_for_a_refusal() -> None:
    assert '"book-adults-error"' not in _rendered(input_field("Adults", id="book-adults"))
