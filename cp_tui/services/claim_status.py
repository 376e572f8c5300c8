"""The states of an insurer claim, on their own so that the command line can offer
them as choices without loading the database layer before the TUI's first paint."""

STATUSES = ("to_submit", "submitted", "paid", "denied")
# How a status reads on screen.
STATUS_WORDS = {
    "to_submit": "to submit",
    "submitted": "submitted",
    "paid": "paid",
    "denied": "denied",
}
