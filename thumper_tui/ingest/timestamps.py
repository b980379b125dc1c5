"""When a photo was taken: EXIF first, then the file name, then the file's mtime.

Camera clocks keep local time without a zone, so a naive time is read in the configured zone and
stored as UTC. An EXIF ``OffsetTime*`` tag, when present, wins over the configured zone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from thumper_tui.vocabulary.states import TimestampSource

# EXIF tag numbers (Exif IFD unless noted).
TAG_DATETIME = 0x0132  # IFD0
TAG_DATETIME_ORIGINAL = 0x9003
TAG_DATETIME_DIGITIZED = 0x9004
TAG_OFFSET_TIME = 0x9010
TAG_OFFSET_TIME_ORIGINAL = 0x9011
TAG_OFFSET_TIME_DIGITIZED = 0x9012
EXIF_IFD = 0x8769

# Trail cameras reset to years like 2000 or 1970 when their battery dies; such a year, or a
# date in the future, is a wrong clock, and the next source is more trustworthy.
EARLIEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=2)

_EXIF_TIME = re.compile(
    r"^\s*(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?\s*$"
)
_OFFSET = re.compile(r"^\s*([+-])(\d{2}):?(\d{2})\s*$")
_FILENAME_TIME = re.compile(
    r"(?<!\d)((?:19|20)\d{2})([-_.]?)(\d{2})\2(\d{2})"
    r"[ _T\-.]?"
    r"(\d{2})([-_.:]?)(\d{2})\6(\d{2})(?!\d)"
)


@dataclass(frozen=True)
class Timestamp:
    """A UTC instant and the source it was read from."""

    taken_at: datetime
    source: TimestampSource


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    return value.replace("\x00", "").strip() or None


def _offset(value: object) -> tzinfo | None:
    text = _text(value)
    if text is None:
        return None
    if text.upper() == "Z":
        return UTC
    match = _OFFSET.match(text)
    if not match:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > timedelta(hours=14):
        return None
    return timezone(-delta if sign == "-" else delta)


def _plausible(instant: datetime, now: datetime) -> bool:
    return EARLIEST_PLAUSIBLE <= instant <= now + FUTURE_SLACK


def _localise(naive: datetime, zone: tzinfo) -> datetime:
    return naive.replace(tzinfo=zone).astimezone(UTC)


def parse_exif_datetime(value: object) -> datetime | None:
    """A naive datetime from an EXIF ``YYYY:MM:DD HH:MM:SS`` value, or ``None`` if invalid."""
    text = _text(value)
    if text is None:
        return None
    match = _EXIF_TIME.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def from_exif(
    ifd0: Mapping[int, object], exif_ifd: Mapping[int, object], zone: tzinfo, now: datetime
) -> datetime | None:
    """The first valid and plausible of DateTimeOriginal, DateTime, DateTimeDigitized, in UTC."""
    candidates = (
        (exif_ifd.get(TAG_DATETIME_ORIGINAL), exif_ifd.get(TAG_OFFSET_TIME_ORIGINAL)),
        (ifd0.get(TAG_DATETIME), exif_ifd.get(TAG_OFFSET_TIME)),
        (exif_ifd.get(TAG_DATETIME_DIGITIZED), exif_ifd.get(TAG_OFFSET_TIME_DIGITIZED)),
    )
    for raw, raw_offset in candidates:
        naive = parse_exif_datetime(raw)
        if naive is None:
            continue
        instant = _localise(naive, _offset(raw_offset) or zone)
        if _plausible(instant, now):
            return instant
    return None


def parse_filename_datetime(name: str) -> datetime | None:
    """A naive datetime from names like ``Cam_20251102_130319_001.jpg`` or
    ``2025-11-02 13.03.19.jpg``; ``None`` when the name holds no valid date and time."""
    for match in _FILENAME_TIME.finditer(name):
        y, _, mo, d, h, _, mi, s = match.groups()
        try:
            return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s))
        except ValueError:
            continue
    return None


def from_filename(name: str, zone: tzinfo, now: datetime) -> datetime | None:
    """The time in the file name, read in ``zone``, as UTC; ``None`` if absent or implausible."""
    naive = parse_filename_datetime(name)
    if naive is None:
        return None
    instant = _localise(naive, zone)
    return instant if _plausible(instant, now) else None


def resolve(
    *,
    ifd0: Mapping[int, object],
    exif_ifd: Mapping[int, object],
    name: str,
    mtime: float,
    zone: tzinfo,
    now: datetime | None = None,
) -> Timestamp:
    """The photo's time from the best source available: EXIF, file name, else mtime."""
    now = now or datetime.now(UTC)
    instant = from_exif(ifd0, exif_ifd, zone, now)
    if instant is not None:
        return Timestamp(instant, TimestampSource.EXIF)
    instant = from_filename(name, zone, now)
    if instant is not None:
        return Timestamp(instant, TimestampSource.FILENAME)
    return Timestamp(datetime.fromtimestamp(mtime, UTC), TimestampSource.MTIME)
