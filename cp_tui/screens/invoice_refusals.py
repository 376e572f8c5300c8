"""What the invoice screen refuses, and why: one sentence for each refused action.

Plain Python over an ``InvoiceRead``, so the footer (a refused key is dimmed),
the key itself (it says why instead of doing nothing) and the command palette
(the reason under the command) all say the same thing. Refusals that need a
service (no Stripe, no saved card, no e-mail address, no credit balance) stay
in the actions, which ask when the key is pressed.
"""

from __future__ import annotations

from cp_tui.services.readmodels import InvoiceRead

# Actions that only a draft has, and those only an issued document has.
DRAFT_ONLY = frozenset({"issue", "discard"})
ISSUED_ONLY = frozenset(
    {"manual_payment", "pay_now", "send", "link", "credit", "apply_credit", "void", "receipt"}
)
# Actions that take money in (or use credit) against the amount due.
PAYING = frozenset({"manual_payment", "pay_now", "link", "apply_credit"})


def not_its_kind(inv: InvoiceRead, action: str) -> bool:
    """A draft's actions on an issued document, or an issued one's on a draft.

    The footer leaves them out (a draft's own keys, i and x, stay in sight);
    pressed anyway, they still say why.
    """
    draft = inv.status == "draft"
    return (action in DRAFT_ONLY and not draft) or (action in ISSUED_ONLY and draft)


def why_not(inv: InvoiceRead, action: str, *, sending: bool = False) -> str | None:
    """Why ``action`` is refused on ``inv`` as it is now, or None when it may run."""
    if inv.status == "draft":
        return _on_draft(inv.number, action)
    if action in DRAFT_ONLY:
        return _not_a_draft(inv, action)
    if inv.kind == "credit_note":
        return _on_credit_note(inv.number, action)
    if inv.status == "void":
        return _on_void(inv.number, action)
    return _on_invoice(inv, action, sending=sending)


def _on_draft(number: str, action: str) -> str | None:
    if action in PAYING:
        return f"{number} is a draft: nothing is due on it until it is issued (press i)."
    return {
        "send": f"{number} is a draft: press i to issue it, then s sends it.",
        "credit": f"{number} is a draft: press e to change it or x to delete it.",
        "void": f"{number} is a draft: press x to delete it (it has no number to void).",
        "receipt": f"{number} is a draft; it has no payments to give a receipt for.",
    }.get(action)


def _not_a_draft(inv: InvoiceRead, action: str) -> str:
    what = "a credit note" if inv.kind == "credit_note" else "issued"
    if action == "issue":
        return f"{inv.number} is {what}, not a draft: it is issued already."
    if inv.kind == "credit_note" or inv.status == "void":
        return f"{inv.number} is {what}, not a draft: an issued document is never deleted."
    return (
        f"{inv.number} is issued, not a draft, so it is never deleted: v voids an invoice "
        "with no payment, r corrects one with a credit note."
    )


def _on_credit_note(number: str, action: str) -> str | None:
    if action == "apply_credit":
        return (
            f"{number} is a credit note: its credit is used on the client's invoices "
            "(c on an invoice)."
        )
    if action in PAYING:
        return f"{number} is a credit note; nothing is paid on it."
    return {
        "edit": f"{number} is a credit note; credit notes are not edited.",
        "credit": f"{number} is a credit note: r corrects an invoice, not a credit note.",
        "void": f"{number} is a credit note; it is not voided, its credit may be spent already.",
        "receipt": f"{number} is a credit note; it has no payments to give a receipt for.",
    }.get(action)


def _on_void(number: str, action: str) -> str | None:
    if action in PAYING:
        return f"{number} is void; nothing is due on it."
    return {
        "send": f"{number} is void; a void invoice is not sent.",
        "edit": f"{number} is void; it is not edited.",
        "credit": f"{number} is void; there is nothing to correct.",
        "void": f"{number} is void already.",
        "receipt": f"{number} is void; it has no payments to give a receipt for.",
    }.get(action)


def _on_invoice(inv: InvoiceRead, action: str, *, sending: bool) -> str | None:
    number = inv.number
    if action in PAYING and inv.amount_due <= 0:
        return f"{number} is paid in full; nothing is due on it."
    if action == "edit" and (inv.amount_paid > 0 or inv.sent):
        why = "has a payment" if inv.amount_paid > 0 else "was sent"
        return f"{number} {why}, so it is never edited: press r for a credit note."
    if action == "void" and inv.amount_paid > 0:
        return f"{number} has payments: press r for a credit note instead."
    if action == "receipt" and not inv.payments:
        return f"{number} has no payments yet: m records one."
    if action == "send" and sending:
        return f"{number} is being sent; wait for the result."
    return None
