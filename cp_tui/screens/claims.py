"""The Claims screen: the insurers' portions by payer, submitted, paid or denied.

Each payer has a heading row (its count and what is still to come from it) with
its claims under it. On a heading, ``s`` submits all of that payer's claims still
to submit under one reference; on a claim, the keys act on that claim. Reading
the claims is a fast local read; the superbill PDF is drawn in a thread worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from cp_tui.money import format_money, from_minor
from cp_tui.screens.claim_forms import ClaimPaymentForm, ReferenceForm
from cp_tui.screens.confirm import ConfirmScreen
from cp_tui.services.claim_status import STATUS_WORDS, STATUSES
from cp_tui.services.errors import DomainError
from cp_tui.services.insurance import ClaimRead
from cp_tui.widgets.plain import cells

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services

FILTERS: tuple[str | None, ...] = (None, *STATUSES)
PAYER_KEY = "payer:"


@dataclass
class SuperbillSaved(Message):
    path: str | None
    error: str = ""


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _key(key: str, action: str, name: str, description: str, tooltip: str) -> Binding:
    return Binding(key, action, description, id=f"claims.{name}", tooltip=tooltip)


class ClaimsScreen(Screen[None]):
    CSS_PATH = "claims.tcss"
    BINDINGS = [
        _key(
            "f", "step_filter", "filter", "Filter", "Show all, to submit, submitted, paid, denied"
        ),
        _key(
            "s",
            "submit",
            "submit",
            "Submit",
            "Mark the claim (or, on a payer, all its claims to submit) as submitted",
        ),
        _key("p", "pay", "pay", "Insurer paid", "Record what the insurer paid on the claim"),
        _key("d", "deny", "deny", "Denied", "Record the insurer's denial of the claim"),
        _key("e", "export", "export", "Export CSV", "Write the listed claims as CMS-1500 CSV"),
        _key(
            "b",
            "superbill",
            "superbill",
            "Superbill",
            "Save the superbill PDF of the claim's client for the dates of their claims",
        ),
        _key("r", "reload", "reload", "Reload", "Read the claims again"),
        _key("escape", "back", "back", "Back", "Back to where you came from"),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.currency = services.practice.get().currency
        self.status: str | None = None
        self.claims: list[ClaimRead] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="claims-filter", markup=False)
        yield DataTable(id="claims-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="claims-summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Claims: the insurers' portions"
        table = self.query_one("#claims-table", DataTable)
        # Fits 120 columns: the charge is insurer + co-pay (the CSV has it), a paid
        # claim's amount sits in its status.
        for label in ("Claim", "Client", "Date", "Service", "Insurer", "Co-pay"):
            table.add_column(label, key=label.lower())
        for label in ("Status", "Reference"):
            table.add_column(label, key=label.lower())
        self.reload()
        table.focus()

    # -- reading --------------------------------------------------------------------

    def reload(self) -> None:
        try:
            self.claims = self.services.insurance.claims(status=self.status)
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self._show()

    def _money(self, amount: int) -> str:
        return format_money(amount, self.currency)

    def _show(self) -> None:
        shown: list[str | tuple[str, str]] = ["Showing (f): "]
        for index, f in enumerate(FILTERS):
            if index:
                shown.append(" · ")
            shown.append(
                (f" {self._word(f)} ", "bold reverse") if f == self.status else self._word(f)
            )
        self.query_one("#claims-filter", Static).update(Content.assemble(*shown))
        table = self.query_one("#claims-table", DataTable)
        row_before = table.cursor_row
        table.clear()
        for payer, group in groupby(self.claims, key=lambda c: c.payer):
            claims = list(group)
            due = sum(c.amount for c in claims if c.status in ("to_submit", "submitted"))
            # The payer heads its claims: name under Client, what is to come under Insurer.
            table.add_row(
                "",
                Text(_cut(payer, 22), style="bold"),
                "",
                Text(f"{len(claims)} claim(s)", style="italic"),
                Text(self._money(due), style="italic"),
                "",
                Text("to come", style="italic"),
                "",
                key=f"{PAYER_KEY}{payer}",
            )
            for c in claims:
                status = STATUS_WORDS[c.status]
                if c.status == "paid":
                    status = f"paid {self._money(c.paid_amount)}"
                table.add_row(
                    *cells(
                        str(c.id),
                        _cut(c.client_name, 22),
                        c.date_of_service.isoformat(),
                        _cut(c.description, 22),
                        self._money(c.amount),
                        self._money(c.client_portion),
                        status,
                        c.reference,
                    ),
                    key=str(c.id),
                )
        if table.row_count:
            table.move_cursor(row=min(max(row_before, 0), table.row_count - 1))
        summary = self.query_one("#claims-summary", Static)
        if not self.claims:
            summary.update(
                "No claims here. A session completed for a client with an insurance policy "
                "makes one (`cp-tui insurance set CLIENT_ID ...`)."
            )
            return
        counts = {s: sum(1 for c in self.claims if c.status == s) for s in STATUSES}
        summary.update(
            "   ".join(f"{STATUS_WORDS[s]}: {n}" for s, n in counts.items() if n)
            + f"   insurers' portions {self._money(sum(c.amount for c in self.claims))}"
        )

    @staticmethod
    def _word(status: str | None) -> str:
        return "all" if status is None else STATUS_WORDS[status]

    def _cursor_key(self) -> str | None:
        table = self.query_one("#claims-table", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _cursor_claim(self, what: str) -> ClaimRead | None:
        key = self._cursor_key()
        found = next((c for c in self.claims if str(c.id) == key), None)
        if found is None:
            self.notify(f"Move to a claim (not a payer's heading) to {what} it.", markup=False)
        return found

    def _run(self, call: Callable[[], object]) -> bool:
        try:
            call()
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return False
        finally:
            self.reload()
        return True

    # -- actions ----------------------------------------------------------------------

    def action_step_filter(self) -> None:
        self.status = FILTERS[(FILTERS.index(self.status) + 1) % len(FILTERS)]
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        key = self._cursor_key()
        if key is None:
            self.notify("There is no claim to submit.", markup=False)
            return
        if key.startswith(PAYER_KEY):
            payer = key[len(PAYER_KEY) :]
            ids = [c.id for c in self.claims if c.payer == payer and c.status == "to_submit"]
            what = f"{len(ids)} claim(s) to {payer}"
        else:
            claim = next(c for c in self.claims if str(c.id) == key)
            ids = [claim.id] if claim.status == "to_submit" else []
            what = f"claim {claim.id} to {claim.payer}"
        if not ids:
            self.notify(
                "Nothing here is still to submit: f shows the claims to submit.", markup=False
            )
            return

        def submitted(reference: str | None) -> None:
            if reference and self._run(lambda: self.services.insurance.submit(ids, reference)):
                self.notify(f"Submitted {what}, reference {reference}.", markup=False)

        self.app.push_screen(ReferenceForm(what), submitted)

    def action_pay(self) -> None:
        claim = self._cursor_claim("record a payment on")
        if claim is None:
            return
        if claim.status in ("paid", "denied"):
            self.notify(
                f"Claim {claim.id} is already {claim.status}.", severity="warning", markup=False
            )
            return

        def paid(amount: int | None) -> None:
            if amount is None:
                return
            rest = claim.amount - amount
            if rest <= 0:
                self._decide(claim, amount, move_rest=False)
                return
            self._ask_rest(claim, rest, lambda move: self._decide(claim, amount, move_rest=move))

        self.app.push_screen(
            ClaimPaymentForm(claim.id, claim.payer, claim.amount, self.currency), paid
        )

    def action_deny(self) -> None:
        claim = self._cursor_claim("record a denial of")
        if claim is None:
            return
        if claim.status in ("paid", "denied"):
            self.notify(
                f"Claim {claim.id} is already {claim.status}.", severity="warning", markup=False
            )
            return

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            if claim.amount <= 0:
                self._decide(claim, None, move_rest=False)
                return
            self._ask_rest(claim, claim.amount, lambda move: self._decide(claim, None, move))

        self.app.push_screen(
            ConfirmScreen(
                f"Record that {claim.payer} denied claim {claim.id} "
                f"({claim.client_name}, {claim.date_of_service}, {self._money(claim.amount)})?",
                yes="Denied",
                no="Cancel",
            ),
            confirmed,
        )

    def _ask_rest(self, claim: ClaimRead, rest: int, then: Callable[[bool], None]) -> None:
        def answered(move: bool | None) -> None:
            then(bool(move))

        self.app.push_screen(
            ConfirmScreen(
                f"{claim.payer} leaves {self._money(rest)} of claim {claim.id} unpaid. "
                f"Bill it to {claim.client_name} as a new item?",
                yes="Bill the client",
                no="Write it off",
            ),
            answered,
        )

    def _decide(self, claim: ClaimRead, paid: int | None, move_rest: bool) -> None:
        insurance = self.services.insurance
        result: list[ClaimRead] = []

        def call() -> None:
            if paid is None:
                result.append(insurance.deny(claim.id, move_rest=move_rest))
            else:
                amount = from_minor(paid, self.currency)
                result.append(insurance.record_payment(claim.id, amount, move_rest=move_rest))

        if not self._run(call):
            return
        done = result[0]
        moved = (
            f"; {claim.client_name} is billed the rest (item {done.rest_item_id})"
            if done.rest_item_id is not None
            else ""
        )
        self.notify(f"Claim {done.id} is {done.status}{moved}.", markup=False)

    def action_export(self) -> None:
        day = self.services.clock.today().isoformat()
        target = self.services.documents.documents_dir / f"claims-{day}.csv"
        count: list[int] = []
        if self._run(lambda: count.append(self.services.insurance.export_csv(target))):
            self.notify(
                f"Wrote {count[0]} claim(s) with the CMS-1500 fields to {target}.", markup=False
            )

    def action_superbill(self) -> None:
        claim = self._cursor_claim("make the superbill of")
        if claim is not None:
            # The dates of this client's claims to the same payer that are listed,
            # so one superbill goes with one submission.
            days = [
                c.date_of_service
                for c in self.claims
                if c.client_id == claim.client_id
                and c.payer == claim.payer
                and (c.reference == claim.reference or not claim.reference)
            ]
            self.notify(f"Drawing the superbill of {claim.client_name}…", markup=False)
            self._save_superbill(claim.client_id, min(days), max(days))

    @work(thread=True, exclusive=True, exit_on_error=False, group="superbill")
    def _save_superbill(self, client_id: int, start: date, end: date) -> None:
        documents = self.services.documents
        try:
            superbill = documents.superbill(client_id, start, end)
            if not superbill.lines:
                # A superbill lists invoiced sessions only: the co-pay is not invoiced yet.
                self.post_message(
                    SuperbillSaved(
                        None,
                        f"nothing of {superbill.patient.name} from {start} to {end} is "
                        "invoiced yet; "
                        "invoice the co-pay first (a superbill lists invoiced sessions)",
                    )
                )
                return
            saved = documents.save(superbill)
        except DomainError as exc:
            self.post_message(SuperbillSaved(None, str(exc)))
            return
        self.post_message(SuperbillSaved(saved.path))

    @on(SuperbillSaved)
    def _superbill_saved(self, message: SuperbillSaved) -> None:
        if message.path is None:
            self.notify(
                f"The superbill was not saved: {message.error}", severity="error", markup=False
            )
        else:
            self.notify(f"Saved the superbill to {message.path}.", markup=False)
