"""Starting the TUI: open the practice, then hand the services to the App."""

from __future__ import annotations

from cp_tui.config import Settings


def run_tui(settings: Settings) -> int:
    from cp_tui import cli_output as out
    from cp_tui.app import CpTuiApp
    from cp_tui.bootstrap import build_services
    from cp_tui.services.errors import DomainError
    from cp_tui.store import StoreError

    try:
        services = build_services(settings)
        if settings.demo and services.demo.is_empty():
            from cp_tui.services.demo import demo_marker

            services.demo.load()
            demo_marker(settings.data_dir).write_text(
                "This folder holds the cp-tui demo practice; it may be reset.\n"
            )
    except (StoreError, DomainError) as exc:
        out.fail(str(exc))
        return 2
    try:
        CpTuiApp(services).run()
    finally:
        services.close()
    return 0
