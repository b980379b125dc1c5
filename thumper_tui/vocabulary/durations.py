"""Durations and moments as people read them: ``1:02:03``, ``4:05``, ``Sun 06 Dec 02:00 CST``."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo


def format_duration(seconds: float) -> str:
    """``1:02:03`` or ``2:03`` for a number of seconds (negative counts as none)."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_moment(moment: datetime | str) -> str:
    """A moment (or its ISO text) as ``Sun 06 Dec 02:00 CST``, in its own zone."""
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return f"{when:%a %d %b %H:%M} {when.tzname() or ''}".rstrip()


def format_local(moment: datetime | None, zone: tzinfo) -> str:
    """A stored UTC moment in the ranch's zone with the zone's name: ``2025-11-02 13:03 CST``
    (``-`` for none). Naive moments are UTC, as the database keeps them."""
    if moment is None:
        return "-"
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    local = aware.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".rstrip()


def describe_age(seconds: float) -> str:
    """An age in words a person reads at a glance: ``3 s``, ``4 min``, ``2 h``."""
    if seconds < 120:
        return f"{max(0.0, seconds):.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.0f} h"


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)
