"""Tables on stdout, measured in terminal cells and fitted to the terminal's width.

An emoji or a CJK name is two cells wide; colour is used only where it means something and
only on a terminal (``NO_COLOR`` is honoured). Off a terminal (a pipe, a file) nothing is
cut: rows are as wide as their cells. Text is never read as markup, so a name like
``[red]Bambi`` prints as typed."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TextIO

if TYPE_CHECKING:  # rich is loaded when a table is printed, not when a command is listed
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

UNLIMITED = 100_000
GAP = 2
MIN_CUT = 6
STATUS_STYLES = {"failed": "red", "done": "green", "running": "cyan", "cancelled": "yellow"}


@dataclass(frozen=True)
class Column:
    """One column: its header, alignment, and whether it may be cut to fit (paths, notes)."""

    header: str
    justify: Literal["left", "right"] = "left"
    cut: bool = False
    keep_end: bool = False  # cut at the start (a path keeps its file name)


def measured_environ() -> dict[str, str]:
    """The environment for a console that measures its terminal: an inherited ``COLUMNS`` or
    ``LINES`` (stale after a resize, or a parent's) does not overrule the terminal itself."""
    return {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}


def console_for(stream: TextIO, width: int | None = None) -> Console:
    """A console on ``stream``: ``width``, else the terminal's on a terminal and unlimited off
    one; text is printed as given (no markup, emoji codes or highlighting)."""
    from rich.console import Console

    return Console(
        file=stream,
        width=width or (None if stream.isatty() else UNLIMITED),
        _environ=measured_environ(),
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )


def stdout_console() -> Console:
    """The console for command output."""
    return console_for(sys.stdout)


def cell(value: object, style: str | None = None) -> Text:
    """A table cell: ``value`` as plain text (``-`` for none), in ``style`` on a terminal."""
    from rich.text import Text

    if value is None:
        return Text("-")
    return Text(str(value), style=style or "")


def status_cell(status: str) -> Text:
    """A run's or an image's state, coloured by what it means."""
    return cell(status, STATUS_STYLES.get(status))


def cut_start(text: Text, width: int) -> Text:
    """``text`` cut at its start to ``width`` cells, ``…`` marking the cut."""
    from rich.cells import cell_len
    from rich.text import Text

    if text.cell_len <= width:
        return text
    kept, cells = "", 1
    for char in reversed(text.plain):
        if cells + cell_len(char) > width:
            break
        kept, cells = char + kept, cells + cell_len(char)
    return Text("…" + kept, style=text.style)


def fitted_widths(natural: Sequence[int], cut: Sequence[bool], width: int, gap: int) -> list[int]:
    """Column widths within ``width`` (0: not shown). Columns that may not be cut keep their
    natural width; the others share what is left, none wider than it needs, and the rightmost
    of them are left out while each would get fewer than :data:`MIN_CUT` cells."""
    widths = list(natural)
    shown = list(range(len(widths)))

    def room() -> int:
        return width - gap * (len(shown) - 1) - sum(widths[i] for i in shown if not cut[i])

    cuttable = [i for i in shown if cut[i]]
    while cuttable and room() < MIN_CUT * len(cuttable):
        left_out = cuttable.pop()
        shown.remove(left_out)
        widths[left_out] = 0
    space = room()
    for position, (need, index) in enumerate(sorted((widths[i], i) for i in cuttable)):
        widths[index] = min(need, max(space // (len(cuttable) - position), 1))
        space -= widths[index]
    return widths


def print_table(
    columns: Sequence[Column], rows: Iterable[Sequence[Text | str | int | None]]
) -> None:
    """Print ``rows`` under a header row, each column as wide as its widest cell; on a narrow
    terminal the columns that may be cut shrink (with an ellipsis), the others stay whole."""
    from rich.table import Table
    from rich.text import Text

    cells = [[v if isinstance(v, Text) else cell(v) for v in row] for row in rows]
    headers = [Text(c.header) for c in columns]
    natural = [max(t.cell_len for t in col) for col in zip(headers, *cells, strict=True)]
    console = stdout_console()
    widths = fitted_widths(natural, [c.cut for c in columns], console.width, GAP)
    for i, column in enumerate(columns):
        if column.cut and not any(row[i].plain for row in cells):
            widths[i] = 0  # a column with nothing in it (no errors, no notes) is left out
    shown = [i for i, width in enumerate(widths) if width]
    table = Table(
        box=None, pad_edge=False, show_edge=False, header_style="bold", padding=(0, GAP // 2)
    )
    for i in shown:
        table.add_column(
            columns[i].header,
            justify=columns[i].justify,
            no_wrap=True,
            overflow="ellipsis",
            width=widths[i],
        )
    for row in cells:
        table.add_row(
            *(cut_start(row[i], widths[i]) if columns[i].keep_end else row[i] for i in shown)
        )
    _print_stripped(console, table)


def _print_stripped(console: Console, renderable: Table) -> None:
    with console.capture() as captured:
        console.print(renderable)
    sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
    sys.stdout.flush()


def print_fields(fields: Iterable[tuple[str, str]]) -> None:
    """``label  value`` lines, the values wrapped at word boundaries to the terminal's width
    under one another."""
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, GAP))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in fields:
        grid.add_row(label, Text(value))
    _print_stripped(stdout_console(), grid)


def print_line(line: str, *, err: bool = False) -> None:
    """One message, wrapped at word boundaries to the terminal's width (whole off one)."""
    from rich.text import Text

    console_for(sys.stderr if err else sys.stdout).print(Text(line))


def print_markdown(text: str) -> None:
    """Markdown as it reads on a terminal (fitted to its width), or as written off one (a file,
    a pipe: the document itself)."""
    if not sys.stdout.isatty():
        sys.stdout.write(text)
        return
    from rich.markdown import Markdown

    stdout_console().print(Markdown(text))
