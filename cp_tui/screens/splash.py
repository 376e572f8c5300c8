"""What the terminal shows for the moment the practice takes to open."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import LoadingIndicator, Static


class SplashScreen(Screen[None]):
    CSS_PATH = "splash.tcss"

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static("cp-tui · opening the practice…", id="splash-title", markup=False)
            yield LoadingIndicator()
