"""Progress of long CLI operations: a rich bar that fits the terminal, or plain lines in a log.

On a terminal the bar is drawn by ``rich.progress`` and measured against the terminal's width
at every redraw; where the whole line does not fit, the rate, then the percentage, then the ETA
are dropped before anything is cut. Where the stream is not a terminal (a log, cron, a pipe)
it writes a plain line now and then instead. Rate and ETA count only this invocation's work: a
resumed run's earlier images are the starting point, not speed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TextIO

from rich.progress import BarColumn, Progress, ProgressColumn, Task, TaskID, TextColumn
from rich.table import Column, Table
from rich.text import Text

from thumper_tui.cli.tables import console_for
from thumper_tui.vocabulary.durations import format_duration

BAR_MIN = 10
TEN_PERCENT = 10


def rate_text(per_second: float | None, unit: str, per_minute: bool) -> str:
    """``2,609 images/min`` (or ``/s``); empty before there is a rate."""
    if not per_second:
        return ""
    if per_minute:
        return f"{per_second * 60:,.0f} {unit}/min"
    return f"{per_second:,.0f} {unit}/s"


class _Count(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{int(task.completed):,}/{int(task.total or 0):,}")


class _Percent(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.percentage:3.0f}%")


class _Rate(ProgressColumn):
    def __init__(self, unit: str, per_minute: bool) -> None:
        super().__init__()
        self.unit, self.per_minute = unit, per_minute

    def render(self, task: Task) -> Text:
        return Text(rate_text(task.speed, self.unit, self.per_minute))


class _Eta(ProgressColumn):
    max_refresh = 0.5

    def render(self, task: Task) -> Text:
        if task.finished:
            return Text(f"in {format_duration(task.finished_time or task.elapsed or 0)}")
        left = task.time_remaining
        return Text(f"ETA {format_duration(left)}" if left is not None else "ETA -")


class FittingProgress(Progress):
    """A ``Progress`` whose row drops its least useful columns to fit the console's width."""

    def __init__(self, *columns: ProgressColumn, drop_order: Iterable[int], **kwargs: object):
        super().__init__(*columns, **kwargs)  # type: ignore[arg-type]
        self.drop_order = list(drop_order)

    def fitting(self, task: Task) -> list[ProgressColumn]:
        """The columns shown for ``task`` at the console's current width."""
        shown = list(range(len(self.columns)))
        width = self.console.width
        texts = {
            i: self.console.measure(column(task)).maximum  # type: ignore[operator]
            for i, column in enumerate(self.columns)
            if not isinstance(column, BarColumn)
        }

        def needed() -> int:
            return sum(texts.get(i, BAR_MIN) for i in shown) + len(shown) - 1

        for index in self.drop_order:
            if needed() <= width:
                break
            shown.remove(index)
        return [self.columns[i] for i in shown]  # type: ignore[misc]

    def make_tasks_table(self, tasks: Iterable[Task]) -> Table:
        tasks = list(tasks)
        columns = self.fitting(tasks[0]) if tasks else []
        table = Table.grid(
            *(c.get_table_column().copy() for c in columns), padding=(0, 1), expand=self.expand
        )
        for task in tasks:
            if task.visible:
                table.add_row(*(column(task) for column in columns))
        return table


class ProgressBar:
    """``label ━━━━━━━━━ done/total pct rate ETA`` on a terminal; a plain line now and then
    (at each tenth of the way, or every ``line_every`` seconds) anywhere else."""

    def __init__(
        self,
        label: str,
        stream: TextIO,
        *,
        unit: str = "files",
        per_minute: bool = False,
        live: bool | None = None,
        width: int | None = None,
        line_every: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label, self.stream, self.unit, self.per_minute = label, stream, unit, per_minute
        self.live = stream.isatty() if live is None else live
        self.width = width
        self.line_every = line_every
        self.clock = clock
        self.total = 0
        self.done = 0
        self.baseline: int | None = None
        self._started = clock()
        self._last_line = -1.0
        self._last_tenth = -1
        self._progress: FittingProgress | None = None
        self._task = TaskID(0)
        self._begun = False
        self._written: tuple[int, bool] | None = None

    @property
    def done_here(self) -> int:
        """Items done by this invocation (after the counts first read)."""
        return self.done - (self.baseline or 0)

    @property
    def elapsed(self) -> float:
        """Seconds since :meth:`start`."""
        return self.clock() - self._started

    def per_second(self) -> float | None:
        """This invocation's rate, or None before it has done anything."""
        seconds = self.elapsed
        return self.done_here / seconds if self.done_here and seconds > 0 else None

    def start(self, total: int) -> None:
        """Set the total and show the bar from the counts so far."""
        self.total = total
        self._started = self.clock()
        self._begun = True
        if self.live and self._progress is None:
            console = console_for(self.stream, self.width)
            self._progress = FittingProgress(
                TextColumn(self.label),
                BarColumn(bar_width=None),
                _Count(),
                _Percent(),
                _Rate(self.unit, self.per_minute),
                _Eta(table_column=Column(no_wrap=True)),
                drop_order=(4, 3, 5, 2),
                console=console,
                expand=True,
                refresh_per_second=8,
            )
            self._task = self._progress.add_task(self.label, total=total, completed=self.done)
            self._progress.start()
        self._show()

    def update(self, done: int, total: int | None = None) -> None:
        """Set the counts outright (progress read back from the database). Unless
        :attr:`baseline` was set, the first counts are where this invocation started."""
        if total is not None:
            self.total = total
        if self.baseline is None:
            self.baseline = done
        if not self._begun:
            self.done = self.baseline
            self.start(self.total)
        self.done = done
        self._show()

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more items done."""
        if self.baseline is None:
            self.baseline = self.done
        self.done += count
        self._show()

    def finish(self) -> None:
        """Show the final state and end the bar (or write the last line); nothing when the
        bar never began."""
        if not self._begun:
            return
        if self._progress is not None:
            self._progress.update(self._task, total=self.total, completed=self.done)
            self._progress.stop()
            self._progress = None
        elif not self.live:
            self._line(final=True)

    def line(self, final: bool = False) -> str:
        """The plain line for the current counts."""
        parts = [f"{self.label} {self.done:,}/{self.total:,}"]
        if self.total:
            parts[0] += f" ({min(self.done / self.total, 1.0):.0%})"
        rate = rate_text(self.per_second(), self.unit, self.per_minute)
        if rate:
            parts.append(rate)
        if final or self.done >= self.total:
            parts.append(f"in {format_duration(self.elapsed)}")
        elif rate:
            left = (self.total - self.done) / (self.per_second() or 1)
            parts.append(f"ETA {format_duration(left)}")
        return ", ".join(parts)

    def _show(self) -> None:
        if self._progress is not None:
            self._progress.update(self._task, total=self.total, completed=self.done)
        elif not self.live:
            self._line()

    def _line(self, final: bool = False) -> None:
        now = self.clock()
        finished = final or (self.total > 0 and self.done >= self.total)
        if finished and self._written == (self.done, True):
            return  # the last line already said it
        tenth = self.done * TEN_PERCENT // self.total if self.total else 0
        due = self._last_line < 0 or now - self._last_line >= self.line_every
        if not (finished or due or tenth > self._last_tenth):
            return
        self._last_line, self._last_tenth, self._written = now, tenth, (self.done, finished)
        self.stream.write(self.line(final) + "\n")
        self.stream.flush()
