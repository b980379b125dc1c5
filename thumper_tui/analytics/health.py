"""Daily health: new profiles per photo day for the last seven days.

More than ``health_max_new_per_day`` (10) new profiles a day on several days (three or more)
says the re-ID threshold is too strict: one deer is being split into many profiles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from thumper_tui.engine.history import Day

SEVERAL_DAYS = 3


@dataclass(frozen=True)
class Health:
    """New profiles on each of the seven days to ``as_of``, and the days over the limit."""

    as_of: date
    days: list[tuple[date, int]]
    limit: int

    @property
    def flagged(self) -> list[date]:
        """Days with more new profiles than the limit."""
        return [day for day, new in self.days if new > self.limit]

    @property
    def too_strict(self) -> bool:
        """Several days over the limit."""
        return len(self.flagged) >= SEVERAL_DAYS

    @property
    def message(self) -> str:
        """What the figures mean, in a sentence."""
        if self.too_strict:
            days = ", ".join(d.isoformat() for d in self.flagged)
            return (
                f"re-ID threshold too strict: more than {self.limit} new profiles a day on "
                f"{days}; one deer is probably being split (lower reid_threshold)"
            )
        if self.flagged:
            return f"{len(self.flagged)} busy day(s), not a pattern"
        return f"no day with more than {self.limit} new profiles"

    def to_json(self) -> dict[str, Any]:
        """The ``thumper health --json`` shape."""
        return {
            "as_of": self.as_of.isoformat(),
            "days": [{"day": d.isoformat(), "new_profiles": n} for d, n in self.days],
            "limit": self.limit,
            "flagged_days": [d.isoformat() for d in self.flagged],
            "too_strict": self.too_strict,
            "message": self.message,
        }


def daily_health(history: list[Day], as_of: date, limit: int) -> Health:
    """The seven days ending ``as_of``."""
    new = {d.day: d.new_profiles for d in history}
    days = [as_of - timedelta(days=k) for k in range(6, -1, -1)]
    return Health(as_of, [(d, new.get(d, 0)) for d in days], limit)
