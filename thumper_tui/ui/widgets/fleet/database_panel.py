"""The database in numbers: images by status, detections, profiles, named, assignment rate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

from thumper_tui.ui.widgets.text import show_text
from thumper_tui.vocabulary.counting import counted

if TYPE_CHECKING:  # the database layer loads after the first paint
    from thumper_tui.monitor.overview import Overview


class DatabasePanel(Static):
    """Counts from the latest :class:`Overview`."""

    DEFAULT_CSS = """
    DatabasePanel { height: auto; }
    """

    def __init__(self) -> None:
        super().__init__("reading the database…", id="database", classes="panel")
        self.border_title = "Database"

    def show(self, overview: Overview) -> None:
        """Draw the counts of ``overview``."""
        s = overview.summary
        by = s.images_by_status
        total = sum(by.values())
        rate = overview.assignment_rate
        assigned = "—" if rate is None else f"{100 * rate:.0f}%"
        self.border_title = f"Database · {s.database}"
        show_text(
            self,
            f"images {total:,}: {by.get('done', 0):,} done · {by.get('pending', 0):,} pending · "
            f"{by.get('processing', 0):,} in work · {by.get('failed', 0):,} failed\n"
            f"{counted(s.detections, 'detection')} · {counted(s.profiles_total, 'profile')} "
            f"({s.profiles_named:,} named) · {assigned} assigned",
        )
