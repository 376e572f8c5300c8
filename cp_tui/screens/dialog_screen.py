"""The base of every cp-tui dialog: it opens showing its title.

Textual centres a newly focused widget in its scrolling container. On a short
terminal (80x24) a dialog taller than the screen would then open scrolled
down, its title (the invoice number, the client) out of sight. A dialog never
centres: once laid out, it scrolls only as far as the focused field needs, so
the title stays in view whenever it can.

Both a dialog's own `focus()` in `on_mount` and the first layout are queued;
which runs first depends on the machine's load, so each of them scrolls the
least it can and neither depends on the other's order.
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen
from textual.widget import Widget

ResultT = TypeVar("ResultT")


class DialogScreen(ModalScreen[ResultT]):
    def on_mount(self) -> None:
        self.call_after_refresh(self._show_focused)

    def set_focus(
        self,
        widget: Widget | None,
        scroll_visible: bool = True,
        from_app_focus: bool = False,
    ) -> None:
        super().set_focus(widget, False, from_app_focus)
        if scroll_visible and widget is not None:
            self.call_after_refresh(self._show_focused)

    def _show_focused(self) -> None:
        focused = self.focused
        if focused is not None:
            focused.scroll_visible(animate=False, immediate=True)
