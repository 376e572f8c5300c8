"""The base of every cp-tui dialog: it opens showing its title.

Textual centres a newly focused widget in its scrolling container. On a short
terminal (80x24) a dialog taller than the screen would then open scrolled
down, its title (the invoice number, the client) out of sight. Until its first
layout is done a dialog focuses without that centring; then it scrolls only as
far as the focused field needs, so the title stays in view when it can.
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen
from textual.widget import Widget

ResultT = TypeVar("ResultT")


class DialogScreen(ModalScreen[ResultT]):
    _laid_out = False

    def on_mount(self) -> None:
        self.call_after_refresh(self._show_focused)

    def set_focus(
        self,
        widget: Widget | None,
        scroll_visible: bool = True,
        from_app_focus: bool = False,
    ) -> None:
        super().set_focus(widget, scroll_visible and self._laid_out, from_app_focus)

    def _show_focused(self) -> None:
        self._laid_out = True
        focused = self.focused
        if focused is not None:
            focused.scroll_visible(animate=False, immediate=True)
