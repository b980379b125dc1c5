"""The CLI progress bar: a rich bar that fits the terminal, plain lines elsewhere."""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len
from rich.console import Console

from thumper_tui.cli.progress import ProgressBar
from thumper_tui.vocabulary.counting import counted
from thumper_tui.vocabulary.durations import format_duration


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _bar_row(width: int, done: int, total: int) -> str:
    bar = ProgressBar("Processing", io.StringIO(), unit="images", per_minute=True, live=True)
    bar.width = width
    bar.baseline = 0
    bar.start(total)
    assert bar._progress is not None
    bar._progress.stop()  # render by hand, not from the refresh thread
    bar.update(done, total)
    console = Console(width=width, file=io.StringIO(), color_system=None, record=True)
    console.print(bar._progress.make_tasks_table(bar._progress.tasks))
    return console.export_text().rstrip("\n")


@pytest.mark.parametrize("width", [120, 80, 50, 30, 20])
def test_the_bar_fits_every_width_on_one_line(width: int) -> None:
    row = _bar_row(width, 128, 157)
    assert "\n" not in row and cell_len(row) <= width
    assert row.startswith("Processing ") and "━" in row
    if width >= 80:
        assert "128/157" in row and "82%" in row and "ETA" in row


def test_the_bar_drops_the_rate_before_the_count() -> None:
    wide, narrow = _bar_row(200, 128, 157), _bar_row(40, 128, 157)
    assert "128/157" in narrow and "images/min" not in narrow
    assert "128/157" in wide


def test_plain_lines_come_at_each_tenth_and_count_only_this_invocation() -> None:
    clock = Clock()
    stream = io.StringIO()
    bar = ProgressBar("Processing", stream, unit="images", per_minute=True, clock=clock)
    assert not bar.live  # a StringIO is no terminal
    bar.update(120, 157)  # a resumed run: 120 were done before this invocation
    for done in range(121, 158):
        clock.now += 0.5
        bar.update(done, 157)
    bar.finish()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "Processing 120/157 (76%)"
    assert lines[-1].startswith("Processing 157/157 (100%), ")
    assert lines[-1].endswith(f"in {format_duration(37 * 0.5)}")
    assert "120 images/min" in lines[-1]  # 37 images in 18.5 s, not 157
    assert len(lines) == len(set(lines)) == 4  # 76%, 80%, 90%, 100%: no repeat at finish
    assert bar.done_here == 37


def test_plain_lines_also_come_after_a_while_without_a_new_tenth() -> None:
    clock = Clock()
    stream = io.StringIO()
    bar = ProgressBar("Importing", stream, clock=clock, line_every=30)
    bar.start(10_000)
    for _ in range(50):
        clock.now += 1
        bar.advance(1)
    lines = stream.getvalue().splitlines()
    assert lines == ["Importing 0/10,000 (0%)", "Importing 30/10,000 (0%), 1 files/s, ETA 2:46:10"]


def test_counted_says_one_and_many() -> None:
    assert counted(1, "image") == "1 image"
    assert counted(0, "file") == "0 files"
    assert counted(1234, "sighting") == "1,234 sightings"
    assert counted(2, "deer") == "2 deer"
    assert counted(3, "battery") == "3 batteries"


def test_format_duration() -> None:
    assert format_duration(0) == "0:00"
    assert format_duration(75) == "1:15"
    assert format_duration(3723) == "1:02:03"
