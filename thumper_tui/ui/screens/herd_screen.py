"""What the naming screens share: the engine, photos read off the event loop, and undo.

Profiles, duplicates and unplaced are each a :class:`HerdScreen`; a subclass reads in
:meth:`HerdScreen.reload` (a worker) and keeps the cursor on ``keep`` where it can.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from PIL import Image as PILImage
from sqlalchemy.ext.asyncio import AsyncEngine
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable

from thumper_tui.naming.audit import undo
from thumper_tui.naming.pictures import cropped, framed
from thumper_tui.store.engine import make_engine
from thumper_tui.ui.run_actions import attempt
from thumper_tui.ui.services import Services


class HerdScreen(Screen[None]):
    """A screen that reads profiles and photos and records human decisions."""

    BINDINGS = [
        Binding("u", "undo", "Undo"),
        Binding("g", "reload", "Reload", show=False),
        Binding("j", "move(1)", "Down", show=False),
        Binding("k", "move(-1)", "Up", show=False),
    ]

    def __init__(self, services: Services, *, id: str) -> None:
        super().__init__(id=id)
        self.services = services
        self._pictures: dict[tuple[str, tuple[float, ...], str], PILImage.Image | None] = {}

    @property
    def engine(self) -> AsyncEngine:
        """The app's engine, made on first use on the app's loop."""
        services = self.services
        if services.engine is None:
            services.engine = make_engine(services.settings.database_url)
        return services.engine

    def reload(self, keep: int | None = None) -> object:
        """Read again (a subclass's worker), the cursor on ``keep`` where it can be."""
        raise NotImplementedError

    def describe(self) -> object:
        """Draw what the cursor is on (a subclass's worker)."""
        raise NotImplementedError

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.describe()

    def action_move(self, step: int) -> None:
        """Down or up the screen's table."""
        table = self.query_one(DataTable)
        table.move_cursor(row=max(0, table.cursor_row + step))

    def kept(self) -> int | None:
        """What the cursor is on, to keep it there after an undo."""
        return None

    def action_reload(self) -> None:
        """Read again now."""
        self._pictures.clear()
        self.reload()

    async def picture(
        self, path: str, box: Sequence[float], kind: str = "framed"
    ) -> PILImage.Image | None:
        """The photo with its box drawn (``framed``) or the deer's crop (``crop``); None when
        the file cannot be read. Remembered for the screen's life."""
        key = (path, tuple(box), kind)
        if key not in self._pictures:
            make = framed if kind == "framed" else cropped
            try:
                self._pictures[key] = await asyncio.to_thread(make, path, box)
            except OSError:
                self._pictures[key] = None
        return self._pictures[key]

    async def pictures(
        self, wanted: Sequence[tuple[str, Sequence[float]]], kind: str = "crop"
    ) -> list[PILImage.Image | None]:
        """:meth:`picture` for several photos at once, decoded in parallel threads (the
        decoder lets go of the interpreter lock)."""
        return list(await asyncio.gather(*(self.picture(path, box, kind) for path, box in wanted)))

    async def action_undo(self) -> None:
        """Undo the latest human decision, whichever screen made it."""
        row = await attempt(self, "undo", undo(self.engine, actor="ui"))
        if row is not None:
            self.notify(f"undone: {row.action} (audit row {row.id})")
        self.reload(self.kept())

    def unreadable(self, path: str, picture: Any) -> str:
        """A caption's first line when the photo could not be drawn."""
        return "" if picture is not None else f"cannot read {path}\n"
