"""Text that people typed, shown exactly as typed: never read as markup.

Textual reads a ``str`` given to a DataTable cell (and to a Select, OptionList or
SelectionList prompt) as markup, so a client called ``Jo [Jr] Smith`` would lose
its brackets and ``Lou [/b]`` would raise MarkupError. A ``rich.text.Text`` is
drawn as it is.
"""

from __future__ import annotations

from rich.text import Text


def cell(value: str | Text) -> Text:
    """One DataTable cell, drawn the way DataTable draws a one-line str, minus the markup."""
    return value if isinstance(value, Text) else Text(value, no_wrap=True, end="")


def cells(*values: str | Text) -> list[Text]:
    return [cell(value) for value in values]
