"""Secrets: the Stripe key from the environment or the OS keyring, never from a file.

The key is never written to the database, the config file, a log, a backup or a
document. On machines without a keyring backend (headless servers), the
environment variable is the way, and the message says so.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from cp_tui.services.errors import NotAllowed

SERVICE = "cp-tui"
STRIPE_ENTRY = "stripe-api-key"
STRIPE_ENV = "STRIPE_API_KEY"
CONNECT_STRIPE = (
    "Stripe is not connected: set STRIPE_API_KEY (a restricted key is best) or run "
    "`cp-tui stripe login`"
)
NOT_CONNECTED = f"{CONNECT_STRIPE}; until then record payments by hand (m)"


@dataclass(frozen=True, slots=True)
class KeyStatus:
    source: str  # "environment", "keyring" or "none"
    mode: str  # "test", "live" or ""
    warning: str = ""


def describe_key(key: str | None, source: str) -> KeyStatus:
    if not key:
        return KeyStatus("none", "")
    mode = "live" if "_live_" in key else "test"
    warning = ""
    if key.startswith("sk_live_"):
        warning = (
            "this is an unrestricted live key: create a restricted key in the Stripe "
            "dashboard (customers, payment intents, invoices, checkout, refunds) and use that"
        )
    return KeyStatus(source, mode, warning)


class SecretStore:
    """Reads and writes the Stripe key; the keyring is imported only when asked."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def stripe_key(self) -> tuple[str | None, str]:
        key = self._environ.get(STRIPE_ENV, "").strip()
        if key:
            return key, "environment"
        try:
            import keyring
            from keyring.errors import KeyringError

            try:
                stored = keyring.get_password(SERVICE, STRIPE_ENTRY)
            except KeyringError:
                return None, "none"
        except ImportError:
            return None, "none"
        return (stored, "keyring") if stored else (None, "none")

    def save_stripe_key(self, key: str) -> KeyStatus:
        key = key.strip()
        if not (key.startswith("sk_") or key.startswith("rk_")) or len(key) < 8:
            raise NotAllowed("that is not a Stripe secret key (it starts with sk_ or rk_)")
        try:
            import keyring
            from keyring.errors import KeyringError, NoKeyringError
        except ImportError:  # pragma: no cover - keyring is a dependency
            raise NotAllowed(f"no keyring is installed; set {STRIPE_ENV} instead") from None
        try:
            keyring.set_password(SERVICE, STRIPE_ENTRY, key)
        except NoKeyringError:
            raise NotAllowed(
                f"this machine has no keyring to keep the key in; set {STRIPE_ENV} "
                "in the environment cp-tui runs in instead"
            ) from None
        except KeyringError as exc:
            raise NotAllowed(f"the keyring refused the key ({exc}); set {STRIPE_ENV}") from None
        return describe_key(key, "keyring")

    def status(self) -> KeyStatus:
        key, source = self.stripe_key()
        return describe_key(key, source)
