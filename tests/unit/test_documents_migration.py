"""Revision 0004 upgrades a database with rows in it: the new columns get their defaults."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from cp_tui.migrations import HEAD, SCRIPT_LOCATION
from cp_tui.store import create_db_engine, open_engine


def test_upgrade_from_0003_keeps_rows_and_fills_the_new_columns(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'practice.db'}"
    engine = create_db_engine(url)
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0003")
        conn.execute(
            text(
                "INSERT INTO practice_settings (id, name, address, tax_id, email, phone, "
                "currency, default_tax_rate, payment_terms_days, invoice_prefix, "
                "credit_note_prefix) VALUES (1, 'P', '', '', '', '', 'USD', 0, 14, 'INV-', 'CN-')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO client (name, email, phone, address, created_at, lock_version) "
                "VALUES ('Alex', '', '', '', '2026-01-01 00:00:00', 0)"
            )
        )
    engine.dispose()

    upgraded = open_engine(url)
    with upgraded.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        row = conn.execute(
            text(
                "SELECT npi, locale, smtp_host, smtp_port, smtp_security, mail_templates "
                "FROM practice_settings"
            )
        ).one()
        assert tuple(row) == ("", "en_US", "", 587, "starttls", "")
        assert conn.execute(text("SELECT date_of_birth, diagnosis_codes FROM client")).one() == (
            None,
            "",
        )
        assert conn.execute(text("SELECT count(*) FROM document_send")).scalar() == 0
    upgraded.dispose()
