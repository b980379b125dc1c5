"""EXIF and file-name timestamps, time zones and the fallbacks between sources."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thumper_tui.ingest import timestamps as ts
from thumper_tui.vocabulary.states import TimestampSource

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def resolve(
    ifd0: dict[int, object] | None = None,
    exif: dict[int, object] | None = None,
    name: str = "x.jpg",
    mtime: float = 1_700_000_000.0,
    zone: ZoneInfo = CHICAGO,
) -> ts.Timestamp:
    return ts.resolve(
        ifd0=ifd0 or {}, exif_ifd=exif or {}, name=name, mtime=mtime, zone=zone, now=NOW
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025:11:02 13:03:19", datetime(2025, 11, 2, 13, 3, 19)),
        ("2025:11:02 13:03:19\x00", datetime(2025, 11, 2, 13, 3, 19)),
        (b"2025:11:02 13:03:19", datetime(2025, 11, 2, 13, 3, 19)),
        ("2025-11-02T13:03:19.25", datetime(2025, 11, 2, 13, 3, 19)),
        ("0000:00:00 00:00:00", None),
        ("2025:13:02 13:03:19", None),
        ("    :  :     :  :  ", None),
        ("", None),
        (12345, None),
    ],
)
def test_parse_exif_datetime(raw: object, expected: datetime | None) -> None:
    assert ts.parse_exif_datetime(raw) == expected


def test_exif_precedence_and_offsets() -> None:
    both = resolve(
        ifd0={ts.TAG_DATETIME: "2025:01:01 00:00:00"},
        exif={
            ts.TAG_DATETIME_ORIGINAL: "2025:11:02 13:03:19",
            ts.TAG_OFFSET_TIME_ORIGINAL: "+01:00",
        },
    )
    assert both == ts.Timestamp(datetime(2025, 11, 2, 12, 3, 19, tzinfo=UTC), TimestampSource.EXIF)
    # Without an offset the camera clock is read in the configured zone (CST, UTC-6).
    only_datetime = resolve(ifd0={ts.TAG_DATETIME: "2025:01:10 06:00:00"})
    assert only_datetime.taken_at == datetime(2025, 1, 10, 12, 0, tzinfo=UTC)
    digitized = resolve(
        exif={ts.TAG_DATETIME_DIGITIZED: "2025:07:10 06:00:00", ts.TAG_OFFSET_TIME_DIGITIZED: "Z"}
    )
    assert digitized.taken_at == datetime(2025, 7, 10, 6, 0, tzinfo=UTC)


def test_implausible_exif_falls_through_to_file_name() -> None:
    for bad in ("1970:01:01 00:00:00", "2030:01:01 00:00:00"):
        stamp = resolve(exif={ts.TAG_DATETIME_ORIGINAL: bad}, name="Cam_20250601_120000.jpg")
        assert stamp.source is TimestampSource.FILENAME
        assert stamp.taken_at == datetime(2025, 6, 1, 17, 0, tzinfo=UTC)  # CDT, UTC-5


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Sanctuary2_20251102_130319_001.jpg", datetime(2025, 11, 2, 13, 3, 19)),
        ("2025-11-02_13-03-19.JPG", datetime(2025, 11, 2, 13, 3, 19)),
        ("2025-11-02 13.03.19.jpeg", datetime(2025, 11, 2, 13, 3, 19)),
        ("IMG_20251102130319.jpg", datetime(2025, 11, 2, 13, 3, 19)),
        ("2025_11_02_13_03_19.jpg", datetime(2025, 11, 2, 13, 3, 19)),
        ("cam 20251302_130319 then 20251102_130319.jpg", datetime(2025, 11, 2, 13, 3, 19)),
        ("HAYFIELD_02548.jpg", None),
        ("20251302_130319.jpg", None),
        ("120251102_130319.jpg", None),
        ("2025-11-02.jpg", None),
    ],
)
def test_parse_filename_datetime(name: str, expected: datetime | None) -> None:
    assert ts.parse_filename_datetime(name) == expected


@given(
    moment=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
    style=st.sampled_from(
        [
            "%Y%m%d_%H%M%S",
            "%Y-%m-%d_%H-%M-%S",
            "%Y-%m-%d %H.%M.%S",
            "%Y%m%d%H%M%S",
            "%Y_%m_%d_%H_%M_%S",
        ]
    ),
    prefix=st.sampled_from(["", "Sanctuary2_", "HAYFIELD-", "IMG_"]),
    suffix=st.sampled_from([".jpg", "_001.JPG", "(2).jpeg"]),
)
def test_filename_round_trip(moment: datetime, style: str, prefix: str, suffix: str) -> None:
    assert ts.parse_filename_datetime(prefix + moment.strftime(style) + suffix) == moment


def test_dst_edges_in_camera_zone() -> None:
    # 01:30 on 2025-11-02 happens twice in Chicago; the first (CDT, UTC-5) is taken.
    ambiguous = resolve(name="c_20251102_013000.jpg")
    assert ambiguous.taken_at == datetime(2025, 11, 2, 6, 30, tzinfo=UTC)
    # 02:30 on 2025-03-09 never happens in Chicago; it is read with the offset before the jump.
    skipped = resolve(name="c_20250309_023000.jpg")
    assert skipped.taken_at == datetime(2025, 3, 9, 8, 30, tzinfo=UTC)


def test_mtime_is_the_last_resort_and_needs_no_zone() -> None:
    stamp = resolve(name="HAYFIELD_02548.jpg", mtime=1_700_000_000.5)
    assert stamp.source is TimestampSource.MTIME
    assert stamp.taken_at == datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC)
    assert resolve(name="x.jpg", zone=ZoneInfo("Asia/Tokyo"), mtime=1_700_000_000.5) == stamp


def test_future_file_name_is_implausible() -> None:
    future = (NOW + timedelta(days=30)).strftime("cam_%Y%m%d_%H%M%S.jpg")
    assert resolve(name=future).source is TimestampSource.MTIME
