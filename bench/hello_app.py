"""The reference for cold start: a bare Textual app that paints one line.

.venv/bin/python -m bench.hello_app
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static


class HelloApp(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static("Hello, world")


if __name__ == "__main__":
    HelloApp().run()
