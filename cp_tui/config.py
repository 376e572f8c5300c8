"""Where the practice's data lives: resolved once, from flags and environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "cp-tui"
DB_FILENAME = "practice.db"


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str
    demo: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resolve_settings(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    demo: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """--data-dir beats CP_TUI_DATA_DIR beats the platform's user data folder.

    CP_TUI_DATABASE_URL names any SQLAlchemy URL instead of the SQLite file. The
    demo practice always lives in SQLite in a folder of its own, so a real
    practice is never touched by it.
    """
    env = os.environ if environ is None else environ
    if data_dir is not None:
        folder = Path(data_dir)
    elif env.get("CP_TUI_DATA_DIR"):
        folder = Path(env["CP_TUI_DATA_DIR"])
    else:
        folder = default_data_dir()
        if demo:
            folder = folder / "demo"
    folder = folder.expanduser().resolve()
    url = env.get("CP_TUI_DATABASE_URL", "")
    if demo or not url:
        url = f"sqlite:///{folder / DB_FILENAME}"
    return Settings(data_dir=folder, database_url=url, demo=demo)
