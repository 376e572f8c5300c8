"""The Batch screen: the Friday week or the month-end, previewed, ticked and committed.

The preview is a fast local read. Committing runs in a thread worker that calls
``BatchService.run`` and posts its progress as messages; the screen moves the
progress bar. The worker never touches a widget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Checkbox, DataTable, Footer, Header, Label, ProgressBar, Static

from cp_tui.money import format_money
from cp_tui.screens.confirm import ConfirmScreen
from cp_tui.services.batch import BatchOutcome, BatchPreview, BatchResult, BatchRow
from cp_tui.services.batch_rows import UnbilledOccurrence
from cp_tui.services.errors import DomainError
from cp_tui.widgets.plain import cells

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services

# The same marks as the item picker (a bare "[x]" would be read as markup and vanish).
TICKED, UNTICKED = "☑", "☐"


@dataclass
class BatchProgress(Message):
    done: int
    total: int
    outcome: BatchOutcome


@dataclass
class BatchFinished(Message):
    result: BatchResult | None
    error: str = ""


class BatchScreen(Screen[None]):
    CSS_PATH = "batch.tcss"
    BINDINGS = [
        Binding(
            "space",
            "tick",
            "Tick",
            id="batch.toggle",
            tooltip="Tick or untick the client under the cursor",
        ),
        Binding(
            "enter",
            "commit",
            "Invoice ticked",
            id="batch.commit",
            tooltip="Create one invoice for each ticked client",
        ),
        Binding(
            "p",
            "period",
            "Week/month",
            id="batch.period",
            tooltip="Switch between this week and last month",
        ),
        Binding(
            "e",
            "earlier",
            "Earlier items",
            id="batch.earlier",
            tooltip="Also bill uninvoiced items dated before the period, or leave them out again",
        ),
        Binding(
            "g",
            "generate",
            "Generate items",
            id="batch.generate",
            tooltip="Bill the listed recurring sessions, once those that did not happen are marked",
        ),
        Binding("s", "send", "Send", id="batch.send", tooltip="E-mail each invoice made"),
        Binding(
            "c", "charge", "Charge", id="batch.charge", tooltip="Charge the saved cards on file"
        ),
        Binding("escape", "close", "Back", id="batch.close", tooltip="Back to the invoices"),
    ]

    def __init__(self, services: Services, period: str = "week") -> None:
        super().__init__()
        self.services = services
        self.period = period
        self.include_earlier = False
        self.preview: BatchPreview | None = None
        self.unticked: set[int] = set()
        self.running = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="batch-bar"):
            yield Static(id="batch-period", markup=False)
            yield Checkbox("Send (s)", id="batch-send")
            yield Checkbox("Charge cards (c)", id="batch-charge")
        yield Static(id="batch-earlier", markup=False)
        yield DataTable(id="batch-table", cursor_type="row", zebra_stripes=True)
        yield Label(
            "Recurring sessions still scheduled, not billed (g bills them; mark any that "
            "did not happen first):",
            id="batch-unbilled-label",
            markup=False,
        )
        yield DataTable(id="batch-unbilled", cursor_type="row")
        yield ProgressBar(id="batch-progress", show_eta=False)
        yield Static(id="batch-summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Batch run"
        self.add_class("-no-earlier")  # until a preview counts some
        table = self.query_one("#batch-table", DataTable)
        for label, key in (
            ("", "tick"),
            ("Client", "client"),
            ("Items", "items"),
            ("Total", "total"),
            ("Credit", "credit"),
            ("Card", "card"),
        ):
            table.add_column(label, key=key)
        unbilled = self.query_one("#batch-unbilled", DataTable)
        for label in ("Appointment", "Start", "Clients", "Services"):
            unbilled.add_column(label)
        self.reload()
        table.focus()

    # -- data ---------------------------------------------------------------------

    def reload(self) -> None:
        try:
            self.preview = self.services.batch.preview(
                self.period, include_earlier=self.include_earlier
            )
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        preview = self.preview
        name = "Week" if preview.period == "week" else "Month"
        span = f"{name} {preview.start:%a %d %b} to {preview.end:%a %d %b %Y}"
        earlier = " and earlier items" if preview.include_earlier else ""
        self.query_one("#batch-period", Static).update(f"{span}{earlier}  (p switches)")
        note = self._earlier_note(preview)
        self.query_one("#batch-earlier", Static).update(note)
        self.set_class(not note, "-no-earlier")
        table = self.query_one("#batch-table", DataTable)
        table.clear()
        for row in preview.rows:
            table.add_row(*cells(*self._cells(row)), key=str(row.client_id))
        unbilled = self.query_one("#batch-unbilled", DataTable)
        unbilled.clear()
        for occ in preview.unbilled:
            unbilled.add_row(
                *cells(
                    str(occ.appointment_id),
                    f"{occ.start:%a %d %b %H:%M}",
                    ", ".join(occ.client_names),
                    ", ".join(occ.service_names),
                )
            )
        self.set_class(not preview.unbilled, "-no-unbilled")
        self._summary()

    @staticmethod
    def _earlier_note(preview: BatchPreview) -> str:
        """Items dated before the period: in this run, or left out of it and counted."""
        items, clients = preview.earlier_items, preview.earlier_clients
        when = f"{preview.start.day} {preview.start:%b}"
        if preview.include_earlier:
            return f"Uninvoiced items dated before {when} are in this run too: e leaves them out"
        if not items:
            return ""
        one = items == 1
        return (
            f"{items} uninvoiced item{'' if one else 's'} of {clients} "
            f"client{'' if clients == 1 else 's'} {'is' if one else 'are'} dated before {when} "
            f"and {'is' if one else 'are'} not in this run: e includes {'it' if one else 'them'}"
        )

    def _money(self, amount: int) -> str:
        return format_money(amount, self.preview.currency if self.preview else "USD")

    def _cells(self, row: BatchRow) -> list[str]:
        return [
            UNTICKED if row.client_id in self.unticked else TICKED,
            row.client_name,
            str(row.items),
            self._money(row.total),
            self._money(row.credit) if row.credit else "–",
            row.card or "no card",
        ]

    def ticked(self) -> list[BatchRow]:
        rows = self.preview.rows if self.preview else []
        return [r for r in rows if r.client_id not in self.unticked]

    def _summary(self) -> None:
        chosen = self.ticked()
        total = sum(r.total for r in chosen)
        if self.preview is not None and not self.preview.rows:
            text = "Nothing to invoice in this period."
        else:
            text = (
                f"{len(chosen)} of {len(self.preview.rows if self.preview else [])} clients "
                f"ticked, {self._money(total)}    enter invoices them"
            )
        self.query_one("#batch-summary", Static).update(text)

    # -- actions ----------------------------------------------------------------------

    def action_tick(self) -> None:
        table = self.query_one("#batch-table", DataTable)
        if self.running or not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        client_id = int(str(key.value))
        self.unticked ^= {client_id}
        mark = UNTICKED if client_id in self.unticked else TICKED
        table.update_cell(key, "tick", mark)
        self._summary()

    def action_period(self) -> None:
        if self.running:
            return
        self.period = "month" if self.period == "week" else "week"
        self.unticked.clear()
        self.reload()

    def action_earlier(self) -> None:
        if self.running:
            return
        preview = self.preview
        if not self.include_earlier and (preview is None or not preview.earlier_items):
            self.notify("No uninvoiced items are dated before this period.", markup=False)
            return
        # Clients left unticked stay unticked: only what the rows hold changes.
        self.include_earlier = not self.include_earlier
        self.reload()

    def action_send(self) -> None:
        box = self.query_one("#batch-send", Checkbox)
        box.value = not box.value

    def action_charge(self) -> None:
        box = self.query_one("#batch-charge", Checkbox)
        box.value = not box.value

    def action_close(self) -> None:
        if self.running:
            self.notify("The batch is still running; it finishes on its own.", markup=False)
            return
        self.dismiss()

    def action_generate(self) -> None:
        if self.running or self.preview is None or not self.preview.unbilled:
            self.notify("No recurring sessions are waiting for their items.", markup=False)
            return
        waiting = self.preview.unbilled
        self.app.push_screen(
            ConfirmScreen(
                f"Bill {len(waiting)} recurring session(s) still marked scheduled? Only "
                "sessions that took place are billed: mark the others cancelled or no-show "
                "on the calendar first.",
                yes="Bill them",
                no="Not yet",
            ),
            lambda yes: self._generate(waiting) if yes else None,
        )

    def _generate(self, waiting: list[UnbilledOccurrence]) -> None:
        made, problems = 0, []
        for occ in waiting:
            try:
                made += len(self.services.calendar.generate_items(occ.appointment_id).created)
            except DomainError as exc:
                problems.append(str(exc))
        self.reload()
        self.notify(f"Created {made} billing item(s).", markup=False)
        for problem in problems:
            self.notify(problem, severity="error", markup=False)

    @on(DataTable.RowSelected, "#batch-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_commit()

    def action_commit(self) -> None:
        rows = self.ticked()
        if self.running:
            return
        if not rows:
            self.notify(
                "Tick at least one client (space) to invoice.", severity="warning", markup=False
            )
            return
        self.running = True
        self.add_class("-running")  # the bar shows only while a run is going
        bar = self.query_one("#batch-progress", ProgressBar)
        bar.update(total=len(rows), progress=0)
        self._run(
            rows,
            send=self.query_one("#batch-send", Checkbox).value,
            charge=self.query_one("#batch-charge", Checkbox).value,
            include_earlier=self.include_earlier,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="batch")
    def _run(
        self, rows: list[BatchRow], *, send: bool, charge: bool, include_earlier: bool
    ) -> None:
        def step(done: int, total: int, outcome: BatchOutcome) -> None:
            self.post_message(BatchProgress(done, total, outcome))

        try:
            result = self.services.batch.run(
                rows,
                include_earlier=include_earlier,
                send=send,
                charge=charge,
                progress=step,
            )
        except DomainError as exc:
            self.post_message(BatchFinished(None, str(exc)))
            return
        except Exception as exc:  # the invoices made so far are whole; say so
            self.post_message(BatchFinished(None, f"the batch stopped: {exc}"))
            return
        self.post_message(BatchFinished(result))

    @on(BatchProgress)
    def _progress(self, message: BatchProgress) -> None:
        self.query_one("#batch-progress", ProgressBar).update(
            total=message.total, progress=message.done
        )
        self.query_one("#batch-summary", Static).update(
            f"{message.done} of {message.total}: {message.outcome.client_name}: "
            f"{message.outcome.message}"
        )

    @on(BatchFinished)
    def _finished(self, message: BatchFinished) -> None:
        self.running = False
        self.remove_class("-running")
        self.unticked.clear()
        self.reload()
        if message.result is None:
            self.notify(
                f"{message.error}. Run the batch again to finish it.",
                severity="error",
                markup=False,
            )
            return
        created = message.result.created
        failed = [o for o in message.result.outcomes if o.status == "failed" or o.undelivered]
        self.notify(f"Created {len(created)} invoice(s).", markup=False)
        for outcome in failed:
            self.notify(f"{outcome.client_name}: {outcome.message}", severity="error", markup=False)
