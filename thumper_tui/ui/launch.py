"""Open the dashboard; the CLI calls :func:`run_dashboard` by name, so it stays headless."""

from __future__ import annotations

import importlib

from thumper_tui.config import Settings
from thumper_tui.ui.app import ThumperApp
from thumper_tui.ui.services import Services


def run_dashboard(settings: Settings) -> None:
    """Run the app in this terminal until the user quits."""
    # textual-image asks the terminal for its graphics and cell size when first imported, and
    # must do so before the app takes the terminal over (screens 4 to 6 draw photos).
    importlib.import_module("thumper_tui.ui.widgets.photos.photo_view")
    ThumperApp(Services(settings)).run()
