"""Starting the App under Pilot on a practice the test built."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

from cp_tui.app import CpTuiApp
from cp_tui.bootstrap import Services
from cp_tui.screens.splash import SplashScreen

SIZE = (120, 40)


def make_app(services: Services) -> CpTuiApp:
    return CpTuiApp(lambda: services)


async def ready(app: CpTuiApp, pilot: Pilot[object], mode: str = "calendar") -> None:
    """Wait until the practice is open and the start screen is up."""
    for _ in range(200):
        await pilot.pause()
        screen = app.screen
        if (
            app.services is not None
            and app.current_mode == mode
            and not isinstance(screen, SplashScreen)
            and screen.is_mounted
        ):
            break
    else:
        raise AssertionError("the app did not open the practice")
    await pilot.pause()


async def until(pilot: Pilot[str | None], condition: Callable[[], bool]) -> None:
    for _ in range(100):
        await pilot.pause()
        if condition():
            return
    raise AssertionError("the app never got there")


async def type_text(pilot: Pilot[str | None], text: str) -> None:
    await pilot.press(*[{" ": "space", ".": "full_stop", "@": "at"}.get(ch, ch) for ch in text])
