"""A plain-text progress bar for long CLI operations (the dashboard draws its own)."""

from __future__ import annotations

import time
from typing import TextIO

from thumper_tui.vocabulary.durations import format_duration


class ProgressBar:
    """``label [#####.....] done/total pct rate/s ETA`` redrawn in place on ``stream``.

    Redraws at most ``fps`` times a second so that thousands of tiny updates cost nothing.
    When ``enabled`` is false (output is not a terminal) it draws nothing.
    """

    def __init__(
        self,
        label: str,
        stream: TextIO,
        *,
        unit: str = "files",
        enabled: bool = True,
        width: int = 30,
        fps: float = 10.0,
        per_minute: bool = False,
    ) -> None:
        self.label = label
        self.stream = stream
        self.unit = unit
        self.enabled = enabled
        self.width = width
        self.per_minute = per_minute
        self.total = 0
        self.done = 0
        self._interval = 1.0 / fps
        self._started = time.monotonic()
        self._last_draw = 0.0

    def start(self, total: int) -> None:
        """Set the total and draw the empty bar."""
        self.total = total
        self._started = time.monotonic()
        self._draw(force=True)

    def update(self, done: int, total: int | None = None) -> None:
        """Set the counts outright (for progress read back from the database)."""
        if total is not None:
            self.total = total
        self.done = done
        self._draw(force=self.done >= self.total)

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more items done."""
        self.done += count
        self._draw(force=self.done >= self.total)

    def finish(self) -> None:
        """Draw the final state and end the line."""
        if self.enabled:
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()

    def render(self, now: float | None = None) -> str:
        """The bar as text, for the current counts."""
        elapsed = max((now or time.monotonic()) - self._started, 1e-9)
        fraction = min(self.done / self.total, 1.0) if self.total else 1.0
        filled = int(fraction * self.width)
        rate = self.done / elapsed
        remaining = (self.total - self.done) / rate if rate > 0 else 0.0
        eta = format_duration(remaining) if self.done < self.total else "done"
        bar = "#" * filled + "." * (self.width - filled)
        shown = (
            f"{rate * 60:,.0f} {self.unit}/min" if self.per_minute else f"{rate:,.0f} {self.unit}/s"
        )
        return f"{self.label} [{bar}] {self.done}/{self.total} {fraction:4.0%} {shown}  ETA {eta}"

    def _draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last_draw < self._interval:
            return
        self._last_draw = now
        self.stream.write("\r\x1b[2K" + self.render(now))
        self.stream.flush()
