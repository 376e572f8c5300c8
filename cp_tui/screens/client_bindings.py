"""The client screen's keys, each with an id a user can remap and a palette description."""

from __future__ import annotations

from textual.binding import Binding

TABS = ["details", "billing", "invoices", "payments"]


def _key(
    key: str, action: str, name: str, description: str, tooltip: str, *, show: bool = True
) -> Binding:
    return Binding(key, action, description, show=show, id=f"client.{name}", tooltip=tooltip)


CLIENT_BINDINGS: list[Binding | tuple[str, str] | tuple[str, str, str]] = [
    _key("escape", "back", "back", "Back", "Back to the client list"),
    _key("e", "edit", "edit", "Edit client", "Change name, e-mail, phone or address"),
    _key(
        "c",
        "create_invoice",
        "create_invoice",
        "Create invoice",
        "Invoice the ticked items of the Billing tab",
    ),
    _key(
        "u",
        "toggle_credit",
        "use_credit",
        "Use credit",
        "Apply the credit balance to the new invoice",
        show=False,
    ),
    _key(
        "t",
        "bill_to",
        "bill_to",
        "Bill to",
        "Choose who pays: this client, or another (group and couples sessions)",
        show=False,
    ),
    _key(
        "delete",
        "remove_item",
        "remove_item",
        "Remove item",
        "Delete the uninvoiced item under the cursor: added by mistake, a fee waived",
        show=False,
    ),
    _key(
        "r",
        "credit_note",
        "credit_note",
        "Credit note",
        "Issue a credit note (an amount in the client's favour, with a reason)",
    ),
    _key(
        "x",
        "archive",
        "archive",
        "Archive/restore",
        "Archive the client, or restore an archived one",
        show=False,
    ),
    _key(
        "k",
        "save_card",
        "save_card",
        "Save a card",
        "Show Stripe's card page as a QR code for the client to save a card",
        show=False,
    ),
    _key(
        "f",
        "period_documents",
        "period_documents",
        "Statement/superbill",
        "Save or e-mail a statement of account or a superbill for a period",
    ),
    _key(
        "y",
        "insurance",
        "insurance",
        "Insurer",
        "Set the client's insurance policy: payer, member id and co-pay",
    ),
    _key("s", "sell_package", "sell_package", "Sell package", "Sessions paid up front"),
    _key("d", "tab('details')", "details", "Details tab", "Name and contact", show=False),
    _key("b", "tab('billing')", "billing", "Billing tab", "Uninvoiced amounts", show=False),
    _key(
        "i",
        "tab('invoices')",
        "invoices",
        "Invoices tab",
        "Invoices and credit notes",
        show=False,
    ),
    _key(
        "p",
        "tab('payments')",
        "payments",
        "Payments tab",
        "Payments and the credit ledger",
        show=False,
    ),
]
