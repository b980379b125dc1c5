"""Numbers and durations as the dashboard prints them."""

from __future__ import annotations

from thumper_tui.vocabulary.durations import describe_age as age
from thumper_tui.vocabulary.durations import format_duration
from thumper_tui.vocabulary.durations import format_moment as moment

__all__ = ["age", "duration", "gib", "moment", "rate"]


def duration(seconds: float | None) -> str:
    """``1:02:03``, ``4:05`` or ``—`` for unknown."""
    return "—" if seconds is None else format_duration(seconds)


def gib(num_bytes: float) -> str:
    """Bytes as GiB with one decimal."""
    return f"{num_bytes / 2**30:.1f}"


def rate(per_min: float | None) -> str:
    """Images per minute, or ``—``."""
    return "—" if per_min is None else f"{per_min:,.0f}/min"
