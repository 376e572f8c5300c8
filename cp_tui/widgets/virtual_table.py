"""A table that draws only the rows on screen and fetches them a page at a time.

Textual's DataTable measures every cell up front (about 85 us a row), which is a
frozen second at 10,000 rows. This table asks its source for the row count and
for 200-row pages as they scroll into view, so 200,000 invoices paint as fast as
twenty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    width: int
    align: str = "left"


@dataclass(frozen=True, slots=True)
class Row:
    key: object
    cells: Sequence[str | Text]


class RowSource(Protocol):
    def count(self) -> int: ...

    def page(self, offset: int, limit: int) -> list[Row]: ...


class ListSource:
    """Rows already in memory (a few thousand clients)."""

    def __init__(self, rows: Sequence[Row]) -> None:
        self.rows = list(rows)

    def count(self) -> int:
        return len(self.rows)

    def page(self, offset: int, limit: int) -> list[Row]:
        return self.rows[offset : offset + limit]


class VirtualTable(ScrollView, can_focus=True):
    """Rows from a ``RowSource``; ``enter`` posts ``Selected``, moving posts ``Highlighted``."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="table.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="table.page_down"),
        Binding("home", "jump(0)", "First", show=False, id="table.first"),
        Binding("end", "jump(-1)", "Last", show=False, id="table.last"),
        Binding("enter", "select", "Open", id="table.open"),
    ]
    COMPONENT_CLASSES = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--odd",
    }
    DEFAULT_CSS = """
    VirtualTable { height: 1fr; }
    VirtualTable > .virtual-table--header { text-style: bold; background: $panel; }
    VirtualTable > .virtual-table--cursor { background: $accent 40%; }
    VirtualTable:focus > .virtual-table--cursor { background: $accent; color: $text; }
    VirtualTable > .virtual-table--odd { background: $surface; }
    """

    cursor = reactive(0, always_update=True)

    class Highlighted(Message):
        def __init__(self, table: VirtualTable, key: object) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> VirtualTable:
            return self.table

    class Selected(Highlighted):
        pass

    def __init__(
        self,
        columns: Sequence[Column],
        source: RowSource | None = None,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.columns = list(columns)
        self._source: RowSource = source or ListSource([])
        self._pages: dict[int, list[Row]] = {}
        self._count = 0

    # -- data -----------------------------------------------------------------

    def set_source(self, source: RowSource, *, keep_key: object = None) -> None:
        self._source = source
        self.reload(keep_key=keep_key)

    def reload(self, *, keep_key: object = None) -> None:
        self._pages.clear()
        self._count = self._source.count()
        width = sum(c.width + 1 for c in self.columns)
        self.virtual_size = Size(width, self._count + 1)
        target = self.cursor
        if keep_key is not None:
            found = self.index_of(keep_key)
            target = found if found is not None else target
        self.cursor = max(0, min(target, self._count - 1))
        self.refresh()

    @property
    def row_count(self) -> int:
        return self._count

    def row_at(self, index: int) -> Row | None:
        if not 0 <= index < self._count:
            return None
        page_no, offset = divmod(index, PAGE_SIZE)
        page = self._pages.get(page_no)
        if page is None:
            page = self._source.page(page_no * PAGE_SIZE, PAGE_SIZE)
            self._pages[page_no] = page
        return page[offset] if offset < len(page) else None

    @property
    def current_key(self) -> object:
        row = self.row_at(self.cursor)
        return row.key if row else None

    def index_of(self, key: object) -> int | None:
        """Search loaded pages, then the rest page by page (keys are unique)."""
        for index in range(self._count):
            row = self.row_at(index)
            if row is not None and row.key == key:
                return index
        return None

    # -- movement --------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        if self._count == 0:
            return
        self._scroll_cursor_into_view()
        self.refresh()
        row = self.row_at(new)
        if row is not None:
            self.post_message(self.Highlighted(self, row.key))

    def _scroll_cursor_into_view(self) -> None:
        # Line 0 is the fixed header, so rows live on lines 1..height-1.
        top = self.scroll_offset.y
        visible = max(self.size.height - 1, 1)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)

    def action_cursor(self, step: int) -> None:
        if self._count:
            self.cursor = max(0, min(self.cursor + step, self._count - 1))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(self.size.height - 2, 1))

    def action_jump(self, index: int) -> None:
        if self._count:
            self.cursor = self._count - 1 if index < 0 else index

    def action_select(self) -> None:
        row = self.row_at(self.cursor)
        if row is not None:
            self.post_message(self.Selected(self, row.key))

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y - 1
        if event.y >= 1 and 0 <= index < self._count:
            if index == self.cursor and event.chain >= 2:
                self.action_select()
            self.cursor = index

    # -- drawing -----------------------------------------------------------------------

    def _cells(self, cells: Sequence[str | Text], style: Style) -> Strip:
        segments: list[Segment] = []
        for column, cell in zip(self.columns, cells, strict=False):
            text = cell.copy() if isinstance(cell, Text) else Text(str(cell))
            text.truncate(column.width, overflow="ellipsis")
            if column.align == "right":
                text.align("right", column.width)
            else:
                text.pad_right(column.width - text.cell_len)
            text.append(" ")
            text.stylize(style, 0)
            segments.extend(text.render(self.app.console))
        return Strip(segments)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x = self.scroll_offset.x
        base = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("virtual-table--header")
            titles = [c.title for c in self.columns]
            strip = self._cells(titles, style)
        else:
            index = self.scroll_offset.y + y - 1
            row = self.row_at(index)
            if row is None:
                return Strip.blank(width, base)
            style = base
            if index % 2:
                style += self.get_component_rich_style("virtual-table--odd")
            if index == self.cursor:
                style += self.get_component_rich_style("virtual-table--cursor")
            strip = self._cells(row.cells, style)
        return strip.crop(scroll_x, scroll_x + width).extend_cell_length(width, style)
