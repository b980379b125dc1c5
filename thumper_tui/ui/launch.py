"""Open the dashboard; the CLI calls :func:`run_dashboard` by name, so it stays headless."""

from __future__ import annotations

from thumper_tui.config import Settings
from thumper_tui.ui.app import ThumperApp
from thumper_tui.ui.services import Services


def run_dashboard(settings: Settings) -> None:
    """Run the app in this terminal until the user quits."""
    ThumperApp(Services(settings)).run()
