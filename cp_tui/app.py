"""The Textual App: modes, global bindings, the command palette.

The App paints first and opens the practice right after, in a thread worker,
so the terminal is never blank while SQLAlchemy loads and the database opens.
When the week can be read with plain sqlite3 (``week_preview``), it is shown,
read-only, before that worker starts; the Calendar replaces it once it is up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING

from textual import on, work
from textual.actions import ActionParseResult
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import Screen

from cp_tui import palette
from cp_tui.screens.splash import SplashScreen
from cp_tui.userconfig import UserConfig

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services
    from cp_tui.services.readmodels import AppointmentRead

# (monday, that week's appointments, today), or None when it cannot be read early.
WeekPreview = Callable[[], "tuple[date, list[AppointmentRead], date] | None"]

SYNC_MINUTES = 5
MODES = ["calendar", "clients", "invoices", "settings"]


class CpTuiApp(App[str | None]):
    """Returns "demo" when the first-run setup asked to look at the demo practice."""

    TITLE = "cp-tui"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("1", "open_mode('calendar')", "Calendar", id="app.calendar"),
        Binding("2", "open_mode('clients')", "Clients", id="app.clients"),
        Binding("3", "open_mode('invoices')", "Invoices", id="app.invoices"),
        Binding("4", "open_mode('settings')", "Settings", id="app.settings"),
        Binding("question_mark", "toggle_keys", "Keys", id="app.keys"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    class Opened(Message):
        def __init__(
            self,
            services: Services | None,
            error: str | None,
            name: str = "",
            needs_setup: bool = False,
        ) -> None:
            super().__init__()
            self.services = services
            self.error = error
            self.name = name
            self.needs_setup = needs_setup

    class BackupFailed(Message):
        """Today's backup could not be taken (its full check found damage, or no space)."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    class StripeConnected(Message):
        """A Stripe key is configured: link payments are looked for every few minutes."""

    def __init__(
        self,
        open_services: Callable[[], Services],
        *,
        config: UserConfig | None = None,
        week_preview: WeekPreview | None = None,
    ) -> None:
        super().__init__()
        self._open_services = open_services
        self._week_preview = week_preview
        self.services: Services | None = None
        self.startup_error: str | None = None
        # A screen key (2, 3, 4) pressed while the practice opens: shown once it is open.
        self._mode_asked: str | None = None
        config = config or UserConfig()
        if config.keymap:
            self.set_keymap(config.keymap)
        if config.theme:
            self.theme = config.theme
        self._config_problem = config.problem

    def get_default_screen(self) -> Screen[None]:
        return SplashScreen()

    def on_mount(self) -> None:
        if self._config_problem:
            self.notify(self._config_problem, severity="warning", timeout=10, markup=False)
        # After the first frame: the worker's imports would hold the GIL while it paints.
        self.call_after_refresh(self._preview_then_open)

    def _preview_then_open(self) -> None:
        """The week from plain sqlite3 (milliseconds) before the services' imports start."""
        week = self._week_preview() if self._week_preview else None
        if week is not None:
            from cp_tui.screens.week_preview import WeekPreviewScreen

            self.push_screen(WeekPreviewScreen(*week))  # its Shown message starts _open
        else:
            self._open()

    def on_week_preview_screen_shown(self) -> None:
        self._open()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _open(self) -> None:
        try:
            services = self._open_services()
            # Asked here, off the event loop, so the calendar paints without waiting.
            name = services.practice.get().name
            needs_setup = services.demo.is_empty() and not services.catalogue.list()
        except Exception as exc:  # shown to the user, then the app exits cleanly
            self.post_message(self.Opened(None, str(exc)))
            return
        self.post_message(self.Opened(services, None, name, needs_setup))

    @on(Opened)
    def _opened(self, message: Opened) -> None:
        if message.services is None:
            self.startup_error = message.error
            self.exit(None, return_code=2)
            return
        services = self.services = message.services
        from cp_tui.screens.calendar import CalendarScreen
        from cp_tui.screens.clients import ClientsScreen
        from cp_tui.screens.invoices import InvoicesScreen
        from cp_tui.screens.settings import SettingsScreen

        self.add_mode("calendar", lambda: CalendarScreen(services))
        self.add_mode("clients", lambda: ClientsScreen(services))
        self.add_mode("invoices", lambda: InvoicesScreen(services))
        self.add_mode("settings", lambda: SettingsScreen(services))
        self.sub_title = message.name
        self.switch_mode("calendar")
        if self._mode_asked is not None and not message.needs_setup:
            self.switch_mode(self._mode_asked)
        self._mode_asked = None
        if message.needs_setup:
            from cp_tui.screens.setup import SetupScreen

            self.push_screen(SetupScreen(services), self._after_setup)
        # The daily backup (seconds on a big practice) and asking the keyring for a
        # Stripe key (a few hundred milliseconds) wait until the calendar is on screen.
        self.call_after_refresh(self._back_up_and_look_for_stripe)

    @work(thread=True, exclusive=True, exit_on_error=False, group="after-open")
    def _back_up_and_look_for_stripe(self) -> None:
        services = self.services
        if services is None:
            return
        from cp_tui.store import StoreError

        try:
            services.daily_backup()
        except StoreError as exc:  # a damaged page that only a full check finds
            self.post_message(self.BackupFailed(str(exc)))
        if services.charges.available():
            self.post_message(self.StripeConnected())

    @on(BackupFailed)
    def _backup_failed(self, message: BackupFailed) -> None:
        self.notify(message.error, title="Daily backup", severity="error", timeout=60, markup=False)

    @on(StripeConnected)
    def _stripe_connected(self) -> None:
        # No webhooks reach a terminal: look for link payments every few minutes.
        self.set_interval(SYNC_MINUTES * 60, self._sync_with_stripe)

    def _after_setup(self, result: str | None) -> None:
        if result == "demo":
            self.exit("demo")
        elif self.services is not None:
            self.sub_title = self.services.practice.get().name
            self.screen.refresh_bindings()
            refresh = getattr(self.screen, "reload", None)
            if callable(refresh):
                refresh()

    class Synced(Message):
        def __init__(self, recorded: list[str]) -> None:
            super().__init__()
            self.recorded = recorded

    @work(thread=True, exclusive=True, exit_on_error=False, group="stripe-sync")
    def _sync_with_stripe(self) -> None:
        if self.services is None:
            return
        from cp_tui.services.errors import DomainError

        try:
            report = self.services.stripe_sync.sync()
        except DomainError:
            return  # offline, or Stripe unhappy: the next round tries again
        if report.recorded:
            self.post_message(self.Synced(report.recorded))

    @on(Synced)
    def _synced(self, message: Synced) -> None:
        self.notify("\n".join(message.recorded), title="Payments from Stripe", markup=False)
        refresh = getattr(self.screen, "reload", None)
        if callable(refresh):
            refresh()

    def action_open_mode(self, mode: str) -> None:
        if self.services is None:
            self._mode_asked = mode
            self.notify(
                f"Opening the practice… {mode.title()} comes next.", timeout=3, markup=False
            )
            return
        if self.current_mode == mode:
            return
        self.switch_mode(mode)

    def action_open_reports(self) -> None:
        from cp_tui.screens.reports import ReportsScreen

        if self.services is not None and not isinstance(self.screen, ReportsScreen):
            self.push_screen(ReportsScreen(self.services))

    def action_open_batch(self) -> None:
        from cp_tui.screens.batch import BatchScreen

        if self.services is not None and not isinstance(self.screen, BatchScreen):
            self.push_screen(BatchScreen(self.services))

    def action_open_claims(self) -> None:
        from cp_tui.screens.claims import ClaimsScreen

        if self.services is not None and not isinstance(self.screen, ClaimsScreen):
            self.push_screen(ClaimsScreen(self.services))

    def action_mail_statements(self) -> None:
        from cp_tui.screens.statement_run import StatementRunScreen

        if self.services is not None and not isinstance(self.screen, StatementRunScreen):
            self.push_screen(StatementRunScreen(self.services))

    def action_toggle_keys(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        titles: set[str] = set()
        for command in self._palette_commands(screen):
            if command.title not in titles:  # the first of a title wins: super's first
                titles.add(command.title)
                yield command

    def _palette_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.services is None:
            return
        if screen.is_modal:
            # A dialog keeps the keyboard until it is answered: the app's keys (1, 2, 3)
            # do not reach past it, so the palette offers only the dialog's own actions.
            yield from palette.bound_commands(self, screen)
            return
        for mode in MODES:
            yield SystemCommand(
                f"Go to {mode.title()}",
                f"Switch to the {mode} screen ({palette.app_keys(self, f'open_mode({mode!r})')})",
                lambda mode=mode: self.action_open_mode(mode),
            )
        yield SystemCommand(
            "Reports: what is owed",
            "Balances in aging buckets, billed versus received by month (a on Invoices)",
            self.action_open_reports,
        )
        yield SystemCommand(
            "Batch run: invoice the week or last month",
            "One invoice per client for the period's items (b on Invoices)",
            self.action_open_batch,
        )
        yield SystemCommand(
            "Claims: the insurers' portions",
            "Submit claims, record insurers' payments and denials, CMS-1500 CSV (c on Reports)",
            self.action_open_claims,
        )
        yield SystemCommand(
            "Statements: e-mail a period's statements",
            "Every client with activity or a balance, with progress (m on Reports)",
            self.action_mail_statements,
        )
        yield from palette.other_mode_commands(self, screen, self._run_in_mode)
        yield from palette.bound_commands(self, screen)

    def _run_in_mode(self, mode: str, action: str) -> None:
        self.action_open_mode(mode)

        async def run() -> None:
            await self.run_action(action, self.screen)

        self.call_after_refresh(run)

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """Run ``action``; one its screen refuses now says why instead of doing nothing.

        Textual drops a key whose action ``check_action`` disables (dimmed in the footer
        or hidden). A screen with ``why_not(action)`` is asked first: its reason is shown
        and the key counts as handled.
        """
        target, name, parameters = self._parse_action(
            action, self if default_namespace is None else default_namespace, namespaces
        )
        why_not = getattr(target, "why_not", None)
        if callable(why_not) and target.check_action(name, parameters) is not True:
            reason = why_not(name)
            if reason:
                self.notify(reason, severity="warning", markup=False)
                return True
        return await super().run_action(action, default_namespace, namespaces)
