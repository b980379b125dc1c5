"""What the readiness and runs screens share: reading the ranch's view on a loop.

A screen built on :class:`RanchViewScreen` reads :func:`thumper_tui.analytics.answers.ranch_view`
when it mounts and every ``interval`` seconds after (or at once on ``g``), shielded, and gets
:class:`~thumper_tui.ui.messages.RanchViewRead` or a notification that the database is away.
"""

from __future__ import annotations

import asyncio
import contextlib

from textual import work
from textual.binding import Binding
from textual.screen import Screen

from thumper_tui.analytics.answers import RanchView, ranch_view
from thumper_tui.store.engine import error_reason, make_engine
from thumper_tui.ui.messages import RanchViewRead
from thumper_tui.ui.services import Services


class RanchViewScreen(Screen[None]):
    """A screen fed by the ranch's view."""

    BINDINGS = [Binding("g", "reload", "Reload")]
    interval = 15.0

    def __init__(self, services: Services, *, id: str) -> None:
        super().__init__(id=id)
        self.services = services
        self.view: RanchView | None = None
        self._wake = asyncio.Event()
        self._stopping = False

    def on_mount(self) -> None:
        self.watch_view()

    def on_unmount(self) -> None:
        self._stopping = True
        self._wake.set()

    def action_reload(self) -> None:
        """Read again now."""
        self._wake.set()

    async def _read(self) -> RanchView:
        services = self.services
        if services.engine is None:
            services.engine = make_engine(services.settings.database_url)
        return await services.shielded(
            ranch_view(services.engine, services.settings, services.clock())
        )

    @work(group="ranch-view", exclusive=True, exit_on_error=False)
    async def watch_view(self) -> None:
        """Read, post, wait; until the screen goes."""
        while not self._stopping:
            try:
                self.post_message(RanchViewRead(await self._read()))
            except Exception as exc:  # whatever the driver raised, the screen says it
                self.notify(f"cannot read the database: {error_reason(exc)}", severity="error")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()
