"""Use cases of cp-tui: plain Python, no Textual, Stripe or ReportLab.

Each public method opens its own session, commits or rolls back as one unit,
and returns read models from ``readmodels``; failures are ``errors.DomainError``.
"""

from cp_tui.services.errors import DomainError, InvalidInput, NotAllowed, NotFound

__all__ = ["DomainError", "InvalidInput", "NotAllowed", "NotFound"]
