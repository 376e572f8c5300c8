"""Alembic environment: runs on the connection cp-tui hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import cp_tui.models  # noqa: F401  (registers every table)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
