"""On an 80x24 terminal every dialog opens showing its title and its focused field.

A dialog taller than the screen scrolls; it must still open at its top, so the
person sees which invoice or client it is about before typing.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import pytest
from textual.widget import Widget

from cp_tui.app import CpTuiApp
from cp_tui.bootstrap import build_services
from cp_tui.clock import FrozenClock
from cp_tui.config import resolve_settings
from cp_tui.screens.dialog_screen import DialogScreen
from tests.conftest import FROZEN_NOW
from tests.ui.helpers import ready
from tests.ui.test_form_fuzz import FORMS, practice  # noqa: F401  (the fixture)

MODAL_FORMS = [name for name, form in FORMS.items() if form.modal]


def _visible_in(widget: Widget, container: Widget) -> bool:
    region, view = widget.region, container.content_region
    return view.y <= region.y and region.bottom <= view.bottom


@pytest.mark.parametrize("name", MODAL_FORMS)
def test_dialog_opens_at_its_title(name: str, practice: Path) -> None:  # noqa: F811
    asyncio.run(_open_at_80x24(name, practice))


async def _open_at_80x24(name: str, practice: Path) -> None:  # noqa: F811
    services = build_services(resolve_settings(practice, environ={}), clock=FrozenClock(FROZEN_NOW))
    app = CpTuiApp(lambda: services)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(app, pilot)
            form = FORMS[name].build(services)
            assert isinstance(form, DialogScreen)
            await app.push_screen(form)
            for _ in range(4):
                await pilot.pause()
            dialog = form.query_one(".dialog")
            title = form.query_one(".dialog-title")
            assert dialog.scroll_y == 0, f"{name} opened scrolled down by {dialog.scroll_y}"
            assert _visible_in(title, dialog), f"{name}'s title is out of sight"
            focused = form.focused
            assert focused is not None and _visible_in(focused, dialog), (
                f"{name}'s focused field {focused!r} is out of sight"
            )
    finally:
        services.close()


def test_the_invoice_dialog_shows_every_column_on_80_columns(practice: Path) -> None:  # noqa: F811
    from cp_tui.screens.invoice_dialog import InvoiceDialog
    from cp_tui.widgets.item_picker import ItemPicker

    async def scenario() -> tuple[int, int, int]:
        services = build_services(
            resolve_settings(practice, environ={}), clock=FrozenClock(FROZEN_NOW)
        )
        app = CpTuiApp(lambda: services)
        try:
            async with app.run_test(size=(80, 24)) as pilot:
                await ready(app, pilot)
                client = services.clients.list()[0].id
                service = services.catalogue.list()[0].id
                when = datetime(2026, 11, 23, 9, 0)
                done = services.calendar.add(client_ids=[client], service_ids=[service], start=when)
                services.calendar.complete(done[0].id)
                await app.push_screen(InvoiceDialog(services, client))
                for _ in range(4):
                    await pilot.pause()
                picker = app.screen.query_one(ItemPicker)
                return picker.row_count, picker.virtual_size.width, picker.size.width
        finally:
            services.close()

    rows, needed, shown = asyncio.run(scenario())
    assert rows > 0
    assert needed <= shown, f"the item table needs {needed} columns and has {shown}"
