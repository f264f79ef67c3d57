"""A disputed culture-pass charge as the provider and the programme operator see it: what was
charged, for which class and session, the school's words, then the screen's own answer (a
button, or the form asking why)."""

from __future__ import annotations

import reflex as rx

from navigator.components.forms import reason_form
from navigator.state.app import AppState

T = AppState.t


def culture_dispute_card(item: rx.Var, *details: rx.Component, answer: rx.Component):
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(item.status, high_contrast=True),
                rx.text(item.service, weight="bold"),
                wrap="wrap",
            ),
            rx.text(item.day, " · ", item.school_class, " · ", item.amount, size="2"),
            rx.cond(
                item.comment != "",
                rx.text(T["culture_dispute_school_comment"], ": ", item.comment, size="2"),
            ),
            *details,
            answer,
            align="start",
            width="100%",
        ),
        width="100%",
        class_name="culture-dispute",
    )


def asking_why(
    asking: rx.Var,
    label: rx.Var,
    send: rx.Var,
    *,
    id: str,
    on_submit,
    on_cancel,
    otherwise: rx.Component,
) -> rx.Component:
    """While `asking`, the one-line form asking why (send, cancel); else `otherwise`."""
    return rx.cond(
        asking,
        reason_form(
            label,
            rx.hstack(
                rx.button(send, type="submit", size="1"),
                rx.button(
                    T["cancel"], type="button", size="1", variant="outline", on_click=on_cancel
                ),
                wrap="wrap",
            ),
            id=id,
            on_submit=on_submit,
        ),
        otherwise,
    )
