"""The user's config file: key remapping by binding id, and the theme.

```toml
theme = "textual-dark"

[keymap]
"calendar.invoice" = "f5"
"app.quit" = "ctrl+q"
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

APP_NAME = "cp-tui"


@dataclass(frozen=True, slots=True)
class UserConfig:
    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    problem: str | None = None


def config_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def load_user_config(path: Path | None = None) -> UserConfig:
    """Read the config; a broken file is reported, never fatal."""
    path = path or config_path()
    if not path.exists():
        return UserConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return UserConfig(problem=f"{path} was not read ({exc}); fix it or delete it")
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in keymap.items()
    ):
        return UserConfig(problem=f"[keymap] in {path} maps binding ids to keys, as text")
    theme = data.get("theme")
    return UserConfig(theme=theme if isinstance(theme, str) else None, keymap=dict(keymap))
