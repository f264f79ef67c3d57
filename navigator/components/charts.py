"""Charts that read as text first: each bar names what it is and its figure in words beside
it, so a screen reader, a phone and a printout say the same; the bar only shows proportion."""

from __future__ import annotations

import reflex as rx


def _bar_row(bar) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.text(bar.label, size="2", class_name="bar-label"),
            rx.text(bar.figure, size="2", weight="bold", class_name="bar-figure"),
            justify="between",
            width="100%",
            wrap="wrap",
        ),
        rx.el.div(
            rx.el.div(class_name="bar-fill", style={"width": bar.width}),
            class_name="bar-track",
            aria_hidden="true",
        ),
        class_name="bar-row",
    )


def bar_chart(title: rx.Var | str, rows: rx.Var, id: str) -> rx.Component:
    """A horizontal bar chart of `Bar` rows (navigator.state.formatting.bars); nothing at all
    when there are no rows."""
    return rx.cond(
        rows.length() > 0,  # type: ignore[attr-defined]
        rx.el.figure(
            rx.el.figcaption(rx.text(title, weight="bold")),
            rx.el.ul(rx.foreach(rows, _bar_row), class_name="bar-list"),
            id=id,
            class_name="bar-chart",
        ),
    )
