"""Time as a dependency: services ask a clock, tests hand them a frozen one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...

    def local_now(self) -> datetime:
        """Wall-clock time at the practice, naive, as appointments are stored."""
        ...

    def today(self) -> date: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def local_now(self) -> datetime:
        return datetime.now().replace(microsecond=0)

    def today(self) -> date:
        return date.today()


class FrozenClock:
    """A clock that stands still at a local wall time until moved on."""

    def __init__(self, local: datetime) -> None:
        self._local = local

    def now(self) -> datetime:
        return self._local.replace(tzinfo=UTC)

    def local_now(self) -> datetime:
        return self._local

    def today(self) -> date:
        return self._local.date()

    def advance(self, delta: timedelta) -> None:
        self._local += delta

    def set(self, local: datetime) -> None:
        self._local = local
