"""A program's description with its safe formatting: paragraphs and bulleted lists, as text."""

from __future__ import annotations

import reflex as rx


def _block(block: rx.Var) -> rx.Component:
    return rx.cond(
        block.kind == "ul",
        rx.el.ul(rx.foreach(block.lines, lambda line: rx.el.li(line))),
        rx.el.p(
            rx.foreach(block.lines, lambda line: rx.fragment(line, rx.el.br())),
        ),
    )


def description(blocks: rx.Var, **props) -> rx.Component:
    """Children are text nodes only: markup or script in a description shows as typed."""
    return rx.el.div(rx.foreach(blocks, _block), class_name="description", **props)
