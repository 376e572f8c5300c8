"""Domain errors: each message tells a person what went wrong and what to do."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a use case raises on purpose."""


class NotFound(DomainError):
    pass


class InvalidInput(DomainError):
    pass


class NotAllowed(DomainError):
    """The thing exists, but its state does not allow the action."""
