"""Images per minute over the active run, drawn by plotext in the terminal's own colours."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


def render_chart(points: list[tuple[float, float]], width: int, height: int) -> str:
    """The chart as plain text (``plotext`` without colour: the stylesheet colours it)."""
    import plotext  # loaded with the first points to draw, after the first paint

    plotext.clear_figure()
    plotext.plotsize(max(width, 20), max(height, 5))
    plotext.theme("clear")
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    plotext.plot(xs, ys, marker="braille")
    plotext.xlabel("minutes into the run")
    plotext.ylim(0, max(ys) * 1.15 if max(ys) > 0 else 1)
    return str(plotext.build())


class ThroughputChart(Static):
    """Redraws when the series or its size changes."""

    DEFAULT_CSS = """
    ThroughputChart { height: 1fr; min-height: 5; }
    """

    def __init__(self) -> None:
        super().__init__("", id="throughput", classes="panel")
        self.border_title = "Throughput · images/min"
        self._points: list[tuple[float, float]] = []
        self._has_run = False

    def show(self, points: list[tuple[float, float]], has_run: bool) -> None:
        """Plot ``points`` ((minutes, images/min) pairs) of the run shown, if there is one."""
        if points != self._points or has_run != self._has_run:
            self._points = list(points)
            self._has_run = has_run
            self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        width, height = self.content_size
        if len(self._points) < 2 or width < 10 or height < 3:
            self.update(
                "waiting for the workers' samples (every 5 s)" if self._has_run else "no run yet"
            )
            return
        self.update(Text.from_ansi(render_chart(self._points, width, height)))
