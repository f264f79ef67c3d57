"""A program in the catalog: title, provider, direction, ages, price and badges."""

import reflex as rx


def program_card(program: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(program.title, size="4", as_="h2"),
            rx.text(program.provider, " · ", program.municipality, size="2", color_scheme="gray"),
            rx.hstack(
                rx.badge(program.direction, variant="soft"),
                rx.badge(program.ages, variant="outline"),
                rx.cond(
                    program.payable_by_certificate,
                    rx.badge("Доступна оплата сертификатом", color_scheme="green"),
                ),
                rx.cond(program.is_free, rx.badge("Бесплатно", color_scheme="blue")),
                wrap="wrap",
            ),
            rx.text(program.price, weight="medium"),
            rx.text("Свободных мест: ", program.free_seats, size="2"),
            spacing="2",
            align="start",
        ),
        width="100%",
        class_name="program-card",
    )
