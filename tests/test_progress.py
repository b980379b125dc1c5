"""The CLI progress bar."""

from __future__ import annotations

import io

from thumper_tui.cli.progress import ProgressBar
from thumper_tui.vocabulary.durations import format_duration


def test_bar_shows_counts_rate_and_eta() -> None:
    stream = io.StringIO()
    bar = ProgressBar("Importing", stream, width=10)
    bar.start(200)
    bar.advance(100)
    text = bar.render(now=bar._started + 2.0)
    assert "[#####.....] 100/200  50%" in text
    assert "50 files/s" in text
    assert "ETA 0:02" in text
    bar.advance(100)
    bar.finish()
    final = stream.getvalue().rsplit("\r\x1b[2K", 1)[1]
    assert "200/200 100%" in final and "ETA done" in final and final.endswith("\n")


def test_disabled_bar_writes_nothing() -> None:
    stream = io.StringIO()
    bar = ProgressBar("Importing", stream, enabled=False)
    bar.start(3)
    bar.advance(3)
    bar.finish()
    assert stream.getvalue() == ""


def test_format_duration() -> None:
    assert format_duration(0) == "0:00"
    assert format_duration(75) == "1:15"
    assert format_duration(3723) == "1:02:03"
