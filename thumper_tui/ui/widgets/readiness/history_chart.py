"""A chart of one series of the history, drawn by plotext in the terminal's own colours."""

from __future__ import annotations

import plotext
from rich.text import Text
from textual.widgets import Static


def spaced_ticks(count: int, width: int, label_width: int) -> list[int]:
    """Evenly spaced indices of ``count`` points whose labels never touch on a chart ``width``
    columns wide: plotext drops colliding labels in an order that changes between processes."""
    room = max(width - 10, label_width)  # the y axis and its numbers take about ten columns
    fit = max(2, room // (label_width + 4))
    if count <= 1:
        return list(range(count))
    shown = min(count, fit)
    return sorted({round(i * (count - 1) / (shown - 1)) for i in range(shown)})


def render_series(
    labels: list[str],
    values: list[float],
    width: int,
    height: int,
    *,
    bars: bool,
    limit: float | None = None,
    top: float | None = None,
) -> str:
    """The series as plain text: bars or a line over ``labels``, with a dashed ``limit``."""
    plotext.clear_figure()
    plotext.plotsize(max(width, 20), max(height, 5))
    plotext.theme("clear")
    xs = list(range(len(values)))
    if bars:
        plotext.bar(xs, values, width=0.6, marker="sd")
    else:
        plotext.plot(xs, values, marker="braille")
    if limit is not None:
        plotext.hline(limit)
    ticks = spaced_ticks(len(labels), width, max((len(label) for label in labels), default=1))
    plotext.xticks(ticks, [labels[i] for i in ticks])
    highest = max([*values, limit or 0.0, 0.0])
    plotext.ylim(0, top if top is not None else (highest * 1.15 or 1))
    return str(plotext.build())


class HistoryChart(Static):
    """Redraws when its series or its size changes."""

    DEFAULT_CSS = """
    HistoryChart { height: 1fr; min-height: 5; }
    """

    def __init__(self, title: str, *, bars: bool, id: str, top: float | None = None) -> None:
        super().__init__("", id=id, classes="panel")
        self.border_title = title
        self.bars = bars
        self.top = top
        self._series: tuple[list[str], list[float], float | None] = ([], [], None)

    def show(self, labels: list[str], values: list[float], limit: float | None = None) -> None:
        """Plot ``values`` over ``labels`` (and a ``limit`` line)."""
        series = (list(labels), list(values), limit)
        if series != self._series:
            self._series = series
            self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        labels, values, limit = self._series
        width, height = self.content_size
        if not values or width < 10 or height < 3:
            self.update("no photos processed yet" if not values else "")
            return
        chart = render_series(
            labels, values, width, height, bars=self.bars, limit=limit, top=self.top
        )
        self.update(Text.from_ansi(chart))
