"""The Thumper dashboard app: themes, global keys, the command palette and the screens."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import sys
from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SuspendNotSupported, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import WorkerCancelled, WorkerFailed

from thumper_tui import paths
from thumper_tui.config import DEFAULT_THEME
from thumper_tui.ui.screens.dashboard import DashboardScreen
from thumper_tui.ui.services import Services
from thumper_tui.ui.themes import chosen_theme, load_themes, remember_theme

PHOTOS = "thumper_tui.ui.widgets.photos.photo_view"
PHOTO_SCREENS = ("profiles", "duplicates", "unplaced")
# The numbered screens, loaded when first shown: the dashboard paints without their libraries.
NUMBERED = {
    "readiness": ("readiness", "ReadinessScreen"),
    "runs": ("runs", "RunsScreen"),
    "profiles": ("profiles", "ProfilesScreen"),
    "duplicates": ("duplicates", "DuplicatesScreen"),
    "unplaced": ("unplaced", "UnplacedScreen"),
}


class ThumperApp(App[None]):
    """``thumper`` with no command. Quitting never stops a run: workers live on their own."""

    TITLE = "Thumper"
    CSS_PATH = "thumper.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (34, "-tall")]
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("f1,question_mark", "help", "Help"),
        Binding("ctrl+p", "command_palette", "Palette", show=False, priority=True),
        Binding("colon", "command_palette", "Palette", show=False),
        Binding("1", "show_dashboard", "Dashboard", show=False),
        Binding("2", "show_readiness", "Readiness", show=False),
        Binding("3", "show_runs", "Runs", show=False),
        Binding("4", "show_profiles", "Profiles", show=False),
        Binding("5", "show_duplicates", "Duplicates", show=False),
        Binding("6", "show_unplaced", "Unplaced", show=False),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self._dashboard: DashboardScreen | None = None

    def on_mount(self) -> None:
        for theme in load_themes():
            self.register_theme(theme)
        configured = self.services.settings.theme
        wanted = chosen_theme(configured)
        self.theme = wanted if wanted in self.available_themes else DEFAULT_THEME
        if wanted not in self.available_themes:
            self.notify(
                f"unknown theme {wanted!r} in the config; using {DEFAULT_THEME} "
                "(`thumper config show` lists the themes)",
                severity="warning",
                timeout=15,
            )
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self._dashboard = DashboardScreen(self.services)
        self.push_screen(self._dashboard)

    def _remember_theme(self, theme: Theme) -> None:
        remember_theme(theme.name, self.services.settings.theme)

    async def on_unmount(self) -> None:
        # Polls first, then the engine: a query cut off by dispose() would never return.
        if self._dashboard is not None:
            await self._dashboard.stop_polling()
        self.workers.cancel_all()
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await self.workers.wait_for_complete()
        if self.services.in_flight:
            await asyncio.wait(list(self.services.in_flight), timeout=10)
        if self.services.engine is not None:
            await self.services.engine.dispose()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        from thumper_tui.ui.commands import dashboard_commands

        yield from super().get_system_commands(screen)
        yield from dashboard_commands(self, screen)

    def deliver_screenshot(
        self,
        filename: str | None = None,
        path: str | None = None,
        time_format: str | None = None,
    ) -> str | None:
        """Save an SVG of the screen in the state folder (a server has no Downloads folder, and
        Textual's default there fails without a word) and say where it went."""
        folder = Path(path) if path else paths.state_dir() / "screenshots"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            saved = self.save_screenshot(filename, str(folder), time_format)
        except OSError as exc:
            self.notify(f"screenshot not saved in {folder}: {exc}", severity="error")
            return None
        self.notify(f"screenshot saved: {saved}", timeout=15)
        return saved

    def action_help(self) -> None:
        """Show the keys."""
        from thumper_tui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_show_dashboard(self) -> None:
        """Screen 1."""
        while len(self.screen_stack) > 2 and not isinstance(self.screen, DashboardScreen):
            self.pop_screen()

    def action_show_readiness(self) -> None:
        """Screen 2: is the herd ready to name?"""
        self._show("readiness")

    def action_show_runs(self) -> None:
        """Screen 3: runs, the advisor and the weekly report."""
        self._show("runs")

    def action_show_profiles(self) -> None:
        """Screen 4: name the herd."""
        self._show("profiles")

    def action_show_duplicates(self) -> None:
        """Screen 5: review profiles that may be one deer."""
        self._show("duplicates")

    def action_show_unplaced(self) -> None:
        """Screen 6: place the deer detections in no profile."""
        self._show("unplaced")

    def _lend_terminal_to_photos(self) -> None:
        """textual-image asks the terminal what it can draw (Kitty, Sixel, cell size) when it
        is first imported, and the answers would reach the app as keys: the app lends it the
        terminal for that moment, the first time a screen with photos opens. Asked at start
        instead, it would hold the dashboard's first paint back by its timeouts."""
        if PHOTOS in sys.modules:
            return
        try:
            with self.suspend():
                importlib.import_module(PHOTOS)
        except SuspendNotSupported:  # no terminal to ask (a headless test)
            importlib.import_module(PHOTOS)

    def _show(self, name: str) -> None:
        if name in PHOTO_SCREENS:
            self._lend_terminal_to_photos()
        module, attribute = NUMBERED[name]
        kind = getattr(importlib.import_module(f"thumper_tui.ui.screens.{module}"), attribute)
        if isinstance(self.screen, kind):
            return
        self.action_show_dashboard()
        self.push_screen(kind(self.services))
