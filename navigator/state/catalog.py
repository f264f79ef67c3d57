"""The catalog page's state: public program cards only, formatted for display."""

from __future__ import annotations

import dataclasses

import reflex as rx

from navigator.domain.catalog import count_catalog_programs, list_catalog_programs
from navigator.domain.db import read_session
from navigator.domain.messages import value_label
from navigator.domain.money import format_amount

PAGE_SIZE = 30
LOCALE = "ru"  # the language switcher arrives with the parent journey


@dataclasses.dataclass
class ProgramCard:
    id: int
    title: str
    provider: str
    municipality: str
    direction: str
    ages: str
    price: str
    free_seats: int
    payable_by_certificate: bool
    is_free: bool


class CatalogState(rx.State):
    programs: list[ProgramCard] = []
    total: int = 0
    page: int = 0

    @rx.event
    def load(self) -> None:
        self._show(0)

    @rx.event
    def next_page(self) -> None:
        if (self.page + 1) * PAGE_SIZE < self.total:
            self._show(self.page + 1)

    @rx.event
    def previous_page(self) -> None:
        if self.page > 0:
            self._show(self.page - 1)

    def _show(self, page: int) -> None:
        with read_session() as session:
            summaries = list_catalog_programs(session, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
            self.total = count_catalog_programs(session)
        self.page = page
        self.programs = [
            ProgramCard(
                id=s.id,
                title=s.title,
                provider=s.provider_name,
                municipality=s.municipality_name,
                direction=value_label(s.direction, LOCALE),
                ages=f"{s.age_min}–{s.age_max} лет",
                price=(
                    "Бесплатно"
                    if s.is_free
                    else f"от {format_amount(s.lowest_price_minor, s.currency, LOCALE)} за занятие"
                    if s.lowest_price_minor is not None
                    else "Нет открытых групп"
                ),
                free_seats=s.free_seats,
                payable_by_certificate=s.payable_by_certificate,
                is_free=s.is_free,
            )
            for s in summaries
        ]

    @rx.var
    def page_label(self) -> str:
        pages = max(1, -(-self.total // PAGE_SIZE))
        return f"Страница {self.page + 1} из {pages} · программ: {self.total}"
