"""The history charts draw the same picture in every process (plotext resolves colliding tick
labels in an order that depends on the hash seed, so the chart never gives it colliding ones)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys

from thumper_tui.ui.widgets.readiness.history_chart import spaced_ticks

DRAW = """
from thumper_tui.ui.widgets.readiness.history_chart import render_series
labels = [f"{d:02d} Oct" for d in range(1, 29)]
print(render_series(labels, [float(i % 5) for i in range(28)], 56, 12, bars=True, limit=10))
"""


def test_the_same_chart_in_processes_with_other_hash_seeds() -> None:
    drawn = {
        subprocess.run(
            [sys.executable, "-c", DRAW],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(drawn) == 1
    assert "01 Oct" in drawn.pop()


def test_ticks_are_spread_and_never_touch() -> None:
    ticks = spaced_ticks(28, 56, 6)
    assert ticks[0] == 0 and ticks[-1] == 27 and len(ticks) == 4
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert min(gaps) * (56 - 10) / 27 >= 6 + 2  # columns between label starts
    assert spaced_ticks(1, 56, 6) == [0] and spaced_ticks(0, 56, 6) == []
    assert spaced_ticks(3, 200, 6) == [0, 1, 2]
