"""Billed versus received as paired horizontal bars, drawn with plain Rich."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from cp_tui.money import format_money


@dataclass(frozen=True, slots=True)
class BarPair:
    label: str
    billed: int
    received: int


def bar(amount: int, top: int, width: int, style: str) -> Text:
    """A bar ``width`` cells long at ``top``; a sliver for any amount above zero."""
    cells = round(amount * width / top) if top > 0 and amount > 0 else 0
    return Text("█" * cells or ("▏" if amount > 0 else ""), style=style)


def chart(pairs: Sequence[BarPair], currency: str, width: int = 40) -> Table:
    top = max([p.billed for p in pairs] + [p.received for p in pairs] + [0])
    table = Table(box=None, show_edge=False, padding=(0, 1), expand=False)
    table.add_column("Month", no_wrap=True)
    table.add_column("billed / received", no_wrap=True, min_width=width)
    table.add_column("Billed", justify="right", style="bold")
    table.add_column("Received", justify="right")
    for pair in pairs:
        table.add_row(
            pair.label,
            Text.assemble(
                bar(pair.billed, top, width, "bold cyan"),
                "\n",
                bar(pair.received, top, width, "green"),
            ),
            format_money(pair.billed, currency),
            format_money(pair.received, currency),
        )
    return table


class BarChart(Static):
    """Shows ``pairs``; the screen sets them with ``show``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.pairs: list[BarPair] = []

    def show(self, pairs: Sequence[BarPair], currency: str) -> None:
        self.pairs = list(pairs)
        self.update(chart(self.pairs, currency) if self.pairs else "Nothing billed or received.")
