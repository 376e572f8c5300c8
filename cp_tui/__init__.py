"""cp-tui: keyboard-first billing for solo practitioners."""

__version__ = "0.1.0"
