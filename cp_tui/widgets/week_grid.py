"""The week: Monday to Sunday columns, quarter-hour rows, one block per appointment.

Blocks show time, client(s), service and status; scheduled, completed,
cancelled and no-show sessions each have their own style, and a completed
session with items still to invoice carries a "$ to invoice" mark.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cp_tui.services.readmodels import AppointmentRead

GUTTER = 6
SLOT_MINUTES = 15
MIN_LANE = 6  # cells: "○ 09:3" still says what and when
STATUS_MARK = {"scheduled": "○", "completed": "✓", "cancelled": "✗", "no-show": "!"}


def shown_lanes(lanes: int, width: int) -> int:
    """How many lanes of overlapping sessions a day column of ``width`` cells shows."""
    return min(lanes, max(width // MIN_LANE, 1))


def needs_invoice(appt: AppointmentRead) -> bool:
    return appt.status == "completed" and appt.uninvoiced_items > 0


def block_lines(appt: AppointmentRead) -> list[str]:
    end = appt.start + timedelta(minutes=appt.duration_min)
    mark = "$" if needs_invoice(appt) else STATUS_MARK.get(appt.status, "?")
    if needs_invoice(appt):
        state = "$ to invoice"
    elif appt.invoiced_items and not appt.uninvoiced_items:
        state = f"{appt.status} · invoiced"
    else:
        state = appt.status
    return [
        f"{mark} {appt.start:%H:%M}-{end:%H:%M}",
        ", ".join(appt.client_names),
        ", ".join(appt.service_names),
        state,
    ]


@dataclass(slots=True)
class _Block:
    appt: AppointmentRead
    day: int
    first_row: int
    last_row: int
    lane: int
    lanes: int


class WeekGrid(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("left,h", "move_day(-1)", "Previous day", show=False, id="week.left"),
        Binding("right,l", "move_day(1)", "Next day", show=False, id="week.right"),
        Binding("up,k", "move_time(-1)", "Earlier", show=False, id="week.up"),
        Binding("down,j", "move_time(1)", "Later", show=False, id="week.down"),
    ]
    COMPONENT_CLASSES = {
        "week-grid--header",
        "week-grid--today",
        "week-grid--hour",
        "week-grid--scheduled",
        "week-grid--completed",
        "week-grid--cancelled",
        "week-grid--no-show",
        "week-grid--to-invoice",
        "week-grid--selected",
    }
    DEFAULT_CSS = """
    WeekGrid { height: 1fr; overflow-x: hidden; }
    WeekGrid > .week-grid--header { text-style: bold; background: $panel; }
    WeekGrid > .week-grid--today { background: $boost; }
    WeekGrid > .week-grid--hour { color: $text-muted; }
    WeekGrid > .week-grid--scheduled { background: $primary 30%; }
    WeekGrid > .week-grid--completed { background: $success 30%; }
    WeekGrid > .week-grid--cancelled {
        background: $panel; color: $text-disabled; text-style: strike;
    }
    WeekGrid > .week-grid--no-show { background: $error 25%; }
    WeekGrid > .week-grid--to-invoice { background: $warning 45%; text-style: bold; }
    WeekGrid > .week-grid--selected { background: $accent; color: $text; text-style: bold; }
    """

    selected_id: reactive[int | None] = reactive(None)

    class Highlighted(Message):
        def __init__(self, appointment_id: int | None, day: date) -> None:
            super().__init__()
            self.appointment_id = appointment_id
            self.day = day

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.monday = date.today()
        self.today = date.today()
        self.selected_day = 0
        self.first_hour = 8
        self.last_hour = 19
        self._blocks: list[_Block] = []

    # -- data ------------------------------------------------------------------

    def show_week(self, monday: date, appointments: Sequence[AppointmentRead], today: date) -> None:
        self.monday, self.today = monday, today
        starts = [a.start.hour for a in appointments]
        ends = [
            math.ceil((a.start.hour * 60 + a.start.minute + a.duration_min) / 60)
            for a in appointments
        ]
        self.first_hour = min([8, *starts])
        self.last_hour = min(24, max([19, *ends]))
        self._blocks = self._layout(appointments)
        self.virtual_size = Size(self.size.width, self.slots + 1)
        if self.selected_id not in {b.appt.id for b in self._blocks}:
            day = (today - monday).days if monday <= today < monday + timedelta(7) else 0
            self.selected_day = day
            self.selected_id = self._first_on(day)
        self.refresh()

    @property
    def slots(self) -> int:
        return (self.last_hour - self.first_hour) * 60 // SLOT_MINUTES

    def _row_of(self, moment: datetime) -> int:
        minutes = (moment.hour - self.first_hour) * 60 + moment.minute
        return minutes // SLOT_MINUTES

    def _layout(self, appointments: Sequence[AppointmentRead]) -> list[_Block]:
        blocks: list[_Block] = []
        for day in range(7):
            todays = sorted(
                (a for a in appointments if a.start.weekday() == day), key=lambda a: a.start
            )
            lane_ends: list[int] = []
            day_blocks: list[_Block] = []
            for appt in todays:
                first = self._row_of(appt.start)
                last = max(
                    first,
                    math.ceil(
                        (
                            (appt.start.hour - self.first_hour) * 60
                            + appt.start.minute
                            + appt.duration_min
                        )
                        / SLOT_MINUTES
                    )
                    - 1,
                )
                lane = next((i for i, end in enumerate(lane_ends) if end < first), None)
                if lane is None:
                    lane = len(lane_ends)
                    lane_ends.append(last)
                else:
                    lane_ends[lane] = last
                day_blocks.append(_Block(appt, day, first, last, lane, 1))
            for block in day_blocks:
                block.lanes = max(len(lane_ends), 1)
            blocks.extend(day_blocks)
        return blocks

    def _first_on(self, day: int) -> int | None:
        todays = [b for b in self._blocks if b.day == day]
        return todays[0].appt.id if todays else None

    @property
    def selected(self) -> AppointmentRead | None:
        return next((b.appt for b in self._blocks if b.appt.id == self.selected_id), None)

    # -- movement ------------------------------------------------------------------

    def watch_selected_id(self) -> None:
        block = next((b for b in self._blocks if b.appt.id == self.selected_id), None)
        if block is not None:
            self.selected_day = block.day
            top = self.scroll_offset.y
            visible = max(self.size.height - 1, 1)
            if block.first_row < top or block.last_row >= top + visible:
                self.scroll_to(y=max(block.first_row - 1, 0), animate=False, immediate=True)
        self.refresh()
        self.post_message(
            self.Highlighted(self.selected_id, self.monday + timedelta(days=self.selected_day))
        )

    def action_move_time(self, step: int) -> None:
        todays = [b for b in self._blocks if b.day == self.selected_day]
        ids = [b.appt.id for b in todays]
        if self.selected_id in ids:
            index = ids.index(self.selected_id) + step
            if 0 <= index < len(ids):
                self.selected_id = ids[index]
        elif ids:
            self.selected_id = ids[0]
        else:
            self._select_across_days(step)

    def _select_across_days(self, step: int) -> None:
        """On an empty day (a quiet Saturday) up and down still reach a session: the
        nearest one after it for down, before it for up, else the nearest the other way."""
        later = [b for b in self._blocks if b.day > self.selected_day]
        earlier = [b for b in self._blocks if b.day < self.selected_day]
        ahead, behind = (later[:1], earlier[-1:]) if step > 0 else (earlier[-1:], later[:1])
        chosen = ahead or behind
        if chosen:
            self.selected_id = chosen[0].appt.id

    def action_move_day(self, step: int) -> None:
        current = self.selected
        minutes = current.start.hour * 60 + current.start.minute if current else 9 * 60
        day = self.selected_day + step
        while 0 <= day < 7:
            todays = [b for b in self._blocks if b.day == day]
            if todays:
                nearest = min(
                    todays,
                    key=lambda b: abs(b.appt.start.hour * 60 + b.appt.start.minute - minutes),
                )
                self.selected_id = nearest.appt.id
                return
            day += step
        self.selected_day = max(0, min(6, self.selected_day + step))
        if current is None:
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        width = self._day_width()
        if event.x < GUTTER or event.y < 1 or width <= 0:
            return
        day = min((event.x - GUTTER) // width, 6)
        row = self.scroll_offset.y + event.y - 1
        offset = (event.x - GUTTER) % width
        for block in self._blocks:
            if block.day == day and block.first_row <= row <= block.last_row:
                lanes = shown_lanes(block.lanes, width)
                if offset // max(width // lanes, 1) == block.lane or lanes == 1:
                    self.selected_id = block.appt.id
                    return
        self.selected_day = day

    # -- drawing -------------------------------------------------------------------------

    def _day_width(self) -> int:
        return max((self.size.width - GUTTER) // 7, 4)

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"week-grid--{name}")

    def render_line(self, y: int) -> Strip:
        width = self._day_width()
        base = self.rich_style
        if y == 0:
            return self._header(width, base)
        row = self.scroll_offset.y + y - 1
        if row >= self.slots:
            return Strip.blank(self.size.width, base)
        minute = self.first_hour * 60 + row * SLOT_MINUTES
        label = f"{minute // 60:02d}:00" if minute % 60 == 0 else ""
        segments = [Segment(label.ljust(GUTTER), base + self._style("hour"))]
        for day in range(7):
            segments.extend(self._day_cells(day, row, width, base, minute % 60 == 0))
        return Strip(segments).extend_cell_length(self.size.width, base)

    def _header(self, width: int, base: Style) -> Strip:
        style = base + self._style("header")
        segments = [Segment(" " * GUTTER, style)]
        for day in range(7):
            when = self.monday + timedelta(days=day)
            mark = " •" if when == self.today else ""
            text = f"{when:%a %d %b}{mark}"
            if len(text) >= width:  # narrow columns: the month is in the heading already
                text = f"{when:%a %d}{mark}"
            day_style = style + self._style("selected") if day == self.selected_day else style
            segments.append(Segment(set_cell_size(text, max(width - 1, 0)) + " ", day_style))
        return Strip(segments).extend_cell_length(self.size.width, style)

    def _day_cells(
        self, day: int, row: int, width: int, base: Style, on_hour: bool
    ) -> list[Segment]:
        when = self.monday + timedelta(days=day)
        back = base + self._style("today") if when == self.today else base
        filler = "┈" if on_hour else " "
        cells: list[Segment] = []
        blocks = sorted(
            (b for b in self._blocks if b.day == day and b.first_row <= row <= b.last_row),
            key=lambda b: b.lane,
        )
        # A day with more overlapping sessions than its column holds side by side shows
        # the first lanes that fit; the day view (v) lists them all.
        lanes = shown_lanes(blocks[0].lanes if blocks else 1, width)
        lane_width = max(width // lanes, 1)
        used = 0
        for block in blocks:
            if block.lane >= lanes:
                break
            start = block.lane * lane_width
            if start > used:
                cells.append(Segment(filler * (start - used), back + self._style("hour")))
            text_lines = block_lines(block.appt)
            index = row - block.first_row
            text = text_lines[index] if index < len(text_lines) else ""
            span = min(lane_width, width - start) - 1
            # Cut and padded by terminal cells: a wide character (CJK) takes two.
            cells.append(Segment(set_cell_size(text, max(span, 0)), self._block_style(block, back)))
            cells.append(Segment(" ", back))
            used = start + span + 1
        if used < width:
            cells.append(Segment(filler * (width - used), back + self._style("hour")))
        return cells

    def _block_style(self, block: _Block, back: Style) -> Style:
        appt = block.appt
        if appt.id == self.selected_id and self.has_focus:
            return back + self._style("selected")
        name = "to-invoice" if needs_invoice(appt) else appt.status
        style = back + self._style(name)
        if appt.id == self.selected_id:
            style += Style(reverse=True)
        return style

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.slots + 1)
