"""A program in the catalog: title (with the matched words marked), provider, badges, price."""

import reflex as rx

from navigator import routes
from navigator.state.app import AppState


def _title_part(part: rx.Var) -> rx.Component:
    # highlights arrive as data (text + flag), so a title can never inject markup
    return rx.cond(part.highlighted, rx.el.mark(part.text), rx.text.span(part.text))


def program_card(program: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.link(
                rx.heading(rx.foreach(program.title_parts, _title_part), size="4", as_="h2"),
                href=routes.PROGRAM + program.id.to(str),
                class_name="program-link",
            ),
            rx.text(program.provider, " · ", program.municipality, size="2", color_scheme="gray"),
            rx.hstack(
                rx.badge(program.direction, variant="soft", high_contrast=True),
                rx.badge(program.ages, variant="outline", color_scheme="gray"),
                rx.cond(
                    program.payable_by_certificate,
                    rx.badge(
                        AppState.t["badge_certificate"], color_scheme="green", high_contrast=True
                    ),
                ),
                rx.cond(
                    program.is_free,
                    rx.badge(AppState.t["badge_free"], color_scheme="blue", high_contrast=True),
                ),
                wrap="wrap",
            ),
            rx.text(program.price, weight="medium"),
            rx.hstack(
                rx.text(program.free_seats, size="2"),
                rx.cond(program.distance != "", rx.text("· ", program.distance, size="2")),
            ),
            spacing="2",
            align="start",
        ),
        width="100%",
        class_name="program-card",
    )
