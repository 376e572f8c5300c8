"""``cp-tui encrypt`` and ``cp-tui decrypt``: encryption at rest with SQLCipher.

The key is read from ``CP_TUI_DB_KEY`` or the keyring (``cp_tui.cipher``); it is
never taken as an argument, which would leave it in the shell's history.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from cp_tui import cli_output as out

if TYPE_CHECKING:
    from cp_tui.config import Settings

KEY_EPILOG = (
    "The key comes from CP_TUI_DB_KEY or, failing that, from the keyring "
    "(`keyring set cp-tui database-key`); cp-tui never writes it down. Without the key "
    "the practice cannot be opened by anyone, you included: keep it somewhere safe. "
    "Refused while cp-tui has the practice open in another terminal. Needs the encryption extra "
    "(pip install 'cp-tui[encryption]')."
)


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    for name, helptext in (
        ("encrypt", "encrypt the practice file with SQLCipher (backups made from now on too)"),
        ("decrypt", "turn an encrypted practice file back into a plain SQLite file"),
    ):
        parser = subparsers.add_parser(
            name, help=helptext, description=helptext, epilog=KEY_EPILOG, parents=[common]
        )
        parser.set_defaults(runner=run_encrypt if name == "encrypt" else run_decrypt)


def run_encrypt(settings: Settings, args: argparse.Namespace) -> int:
    return _convert(settings, args, encrypt=True)


def run_decrypt(settings: Settings, args: argparse.Namespace) -> int:
    return _convert(settings, args, encrypt=False)


def _convert(settings: Settings, args: argparse.Namespace, *, encrypt: bool) -> int:
    from cp_tui import cipher
    from cp_tui.backup import BackupError
    from cp_tui.cipher_convert import convert
    from cp_tui.store import StoreError, sqlite_path

    path = sqlite_path(settings.database_url)
    if path is None:
        raise StoreError(
            "the practice is on a database server; encrypt the server's storage instead"
        )
    key = cipher.database_key()
    if key is None:
        raise StoreError(f"no key was given: {cipher.NEEDS_KEY}")
    try:
        done = convert(path, encrypt=encrypt, key=key)
    except (BackupError, cipher.KeyProblem) as exc:
        raise StoreError(str(exc)) from exc
    if getattr(args, "json", False) or getattr(args, "json_global", False):
        out.emit_json(done)
        return 0
    state = "encrypted" if encrypt else "decrypted"
    sys.stdout.write(f"{done.database} is {state} ({done.tables} tables, {done.rows} rows).\n")
    if done.plain_backups:
        sys.stdout.write(
            f"{done.plain_backups} older backup(s) in the backups folder are not encrypted; "
            "delete them once the encrypted practice has its own.\n"
        )
    return 0
