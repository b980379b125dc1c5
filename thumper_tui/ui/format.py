"""Numbers and durations as the dashboard prints them."""

from __future__ import annotations

from thumper_tui.monitor.alerts import describe_age as age

__all__ = ["age", "duration", "gib", "rate"]


def duration(seconds: float | None) -> str:
    """``1:02:03``, ``4:05`` or ``—`` for unknown."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def gib(num_bytes: float) -> str:
    """Bytes as GiB with one decimal."""
    return f"{num_bytes / 2**30:.1f}"


def rate(per_min: float | None) -> str:
    """Images per minute, or ``—``."""
    return "—" if per_min is None else f"{per_min:,.0f}/min"
