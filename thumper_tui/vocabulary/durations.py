"""Durations as people read them: ``1:02:03``, ``4:05``."""

from __future__ import annotations


def format_duration(seconds: float) -> str:
    """``1:02:03`` or ``2:03`` for a number of seconds (negative counts as none)."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
