"""Uninvoiced items with tick boxes, per-line changes and live totals.

Used by the invoice dialog and the client's Billing tab. It only displays and
reports: ``space`` ticks, ``a`` ticks all or none, ``e`` asks its screen to edit
the line under the cursor (``EditRequested``), and every change posts
``Changed`` with the new totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from cp_tui.money import Totals, decimal_text, format_money, line_amounts, sum_lines
from cp_tui.services.readmodels import ItemRead
from cp_tui.widgets.plain import cells

FIGURE_COLUMNS = (
    ("Units", "units", 6),
    ("Price", "price", 11),
    ("Tax %", "tax", 6),
    ("Total", "total", 10),
)


@dataclass(frozen=True, slots=True)
class ColumnLayout:
    """Widths of the columns that give way on a narrow terminal."""

    date_width: int = 10  # 2026-11-23; a short date (23 Nov) takes 6
    description_width: int = 34

    @classmethod
    def fitting(cls, width: int) -> ColumnLayout:
        # the tick, the figures, 1 cell padding each side, the scrollbar
        fixed = 3 + sum(w for *_, w in FIGURE_COLUMNS) + 2 * (3 + len(FIGURE_COLUMNS)) + 2
        for date_width in (10, 6):
            room = width - fixed - date_width
            if room >= 16 or date_width == 6:
                return cls(date_width, max(10, min(34, room)))
        raise AssertionError("unreachable")


@dataclass(frozen=True, slots=True)
class LineValues:
    units: Decimal
    unit_price: int
    tax_rate: Decimal


class ItemPicker(DataTable[str | Text]):
    BINDINGS = [
        Binding("space", "tick", "Tick", id="items.tick"),
        Binding("a", "toggle_all", "All/none", id="items.all"),
        Binding("e", "edit", "Edit line", id="items.edit"),
    ]

    class Changed(Message):
        def __init__(self, picker: ItemPicker, totals: Totals, count: int) -> None:
            super().__init__()
            self.picker = picker
            self.totals = totals
            self.count = count

    class EditRequested(Message):
        def __init__(self, picker: ItemPicker, item: ItemRead, values: LineValues) -> None:
            super().__init__()
            self.picker = picker
            self.item = item
            self.values = values

    def __init__(self, currency: str, *, id: str | None = None) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id)
        self.currency = currency
        self.items: list[ItemRead] = []
        self.ticked: set[int] = set()
        self.overrides: dict[int, LineValues] = {}
        self.names: dict[int, str] = {}
        self.layout_ = ColumnLayout()

    def on_mount(self) -> None:
        self._add_columns(ColumnLayout())

    def _add_columns(self, layout: ColumnLayout) -> None:
        self.layout_ = layout
        self.add_column("✓", key="tick", width=3)
        self.add_column("Date", key="date", width=layout.date_width)
        self.add_column("Description", key="description", width=layout.description_width)
        for label, key, width in FIGURE_COLUMNS:
            self.add_column(label, key=key, width=width)

    def on_resize(self) -> None:
        # On a narrow terminal the description and the date give way, so Total stays in sight.
        wanted = ColumnLayout.fitting(self.size.width)
        if wanted == self.layout_:
            return
        row = self.cursor_row
        self.clear(columns=True)
        self._add_columns(wanted)
        for item in self.items:
            self.add_row(*self._cells(item), key=str(item.id))
        if self.items:
            self.move_cursor(row=min(row, len(self.items) - 1))

    def load(
        self,
        items: list[ItemRead],
        ticked: set[int],
        names: dict[int, str] | None = None,
    ) -> None:
        self.items = items
        self.ticked = {i for i in ticked if i in {item.id for item in items}}
        self.overrides = {}
        self.names = names or {}
        self.clear()
        for item in items:
            self.add_row(*self._cells(item), key=str(item.id))
        self._changed()

    def values(self, item: ItemRead) -> LineValues:
        return self.overrides.get(item.id, LineValues(item.units, item.unit_price, item.tax_rate))

    def set_values(self, item_id: int, values: LineValues) -> None:
        self.overrides[item_id] = values
        self._refresh_row(item_id)

    def _cells(self, item: ItemRead) -> list[Text]:
        v = self.values(item)
        total = line_amounts(v.units, v.unit_price, v.tax_rate).total
        owner = self.names.get(item.client_id)
        description = f"{item.description} ({owner})" if owner else item.description
        # Descriptions and client names are typed by people: cells() never reads markup.
        return cells(
            "☑" if item.id in self.ticked else "☐",
            item.date.isoformat() if self.layout_.date_width >= 10 else f"{item.date:%d %b}",
            description,
            decimal_text(v.units),
            format_money(v.unit_price, self.currency),
            decimal_text(v.tax_rate),
            format_money(total, self.currency),
        )

    def _refresh_row(self, item_id: int) -> None:
        item = next(i for i in self.items if i.id == item_id)
        for key, cell in zip(
            ("tick", "date", "description", "units", "price", "tax", "total"),
            self._cells(item),
            strict=True,
        ):
            self.update_cell(str(item_id), key, cell)
        self._changed()

    def totals(self) -> Totals:
        chosen = [self.values(i) for i in self.items if i.id in self.ticked]
        return sum_lines(line_amounts(v.units, v.unit_price, v.tax_rate) for v in chosen)

    def _changed(self) -> None:
        self.post_message(self.Changed(self, self.totals(), len(self.ticked)))

    def item_under_cursor(self) -> ItemRead | None:
        return self._current()

    def _current(self) -> ItemRead | None:
        if not self.items or self.cursor_row >= len(self.items):
            return None
        return self.items[self.cursor_row]

    def action_tick(self) -> None:
        item = self._current()
        if item is not None:
            self.ticked ^= {item.id}
            self._refresh_row(item.id)

    def action_toggle_all(self) -> None:
        every = {i.id for i in self.items}
        self.ticked = set() if self.ticked == every else every
        for item in self.items:
            self.update_cell(str(item.id), "tick", "☑" if item.id in self.ticked else "☐")
        self._changed()

    def action_edit(self) -> None:
        item = self._current()
        if item is not None:
            self.post_message(self.EditRequested(self, item, self.values(item)))
