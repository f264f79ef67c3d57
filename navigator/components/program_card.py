"""A program in the catalog: its photo (or its direction's drawing), title (with the matched
words marked), provider, badges, price."""

import reflex as rx

from navigator import routes
from navigator.state.app import AppState


def _title_part(part: rx.Var) -> rx.Component:
    # highlights arrive as data (text + flag), so a title can never inject markup
    return rx.cond(part.highlighted, rx.el.mark(part.text), rx.text.span(part.text))


# the box every card picture fills (object-fit: cover): the page never jumps as images load
CARD_PICTURE_SIZE = {"width": "480", "height": "270"}  # 16:9, like the drawings


def program_picture(
    photo_url: rx.Var,
    placeholder: rx.Var,
    title: rx.Var,
    *,
    size: dict[str, str],
    kind: str,
    ids: bool = False,
) -> rx.Component:
    """The program's photo, described by its title; without one, its direction's drawing,
    which says nothing the direction's badge does not (so its alt is empty). Classes (and ids,
    when asked) are `{kind}-photo` and `{kind}-placeholder`, both also `{kind}-picture`."""

    def img(src: rx.Var, alt: rx.Var | str, what: str) -> rx.Component:
        return rx.el.img(
            src=src,
            alt=alt,
            loading="lazy",
            decoding="async",
            custom_attrs=size,  # width and height as attributes: the box is known at once
            class_name=f"{kind}-picture {kind}-{what}",
            **({"id": f"{kind}-{what}"} if ids else {}),
        )

    return rx.cond(
        photo_url != "", img(photo_url, title, "photo"), img(placeholder, "", "placeholder")
    )


def program_card(program: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            program_picture(
                program.photo_url,
                program.placeholder,
                program.title,
                size=CARD_PICTURE_SIZE,
                kind="program-card",
            ),
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
