"""Every dashboard action and every theme, for the command palette."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App, SystemCommand
from textual.screen import Screen

from thumper_tui.ui.screens.dashboard import DashboardScreen
from thumper_tui.ui.screens.runs import RunsScreen


def dashboard_commands(app: App[None], screen: Screen[object]) -> Iterable[SystemCommand]:
    """The run controls (where the dashboard is showing), screens, help and themes."""
    if isinstance(screen, DashboardScreen):
        yield SystemCommand(
            "Start a run", "Incremental or full, with a clear mode", screen.action_start_run
        )
        yield SystemCommand("Pause or resume the run", "The active run", screen.action_toggle_pause)
        yield SystemCommand("Cancel the run", "Asks first", screen.action_cancel_run)
        yield SystemCommand(
            "Start a worker",
            "thumper worker --detach, if none is running",
            screen.action_start_worker,
        )
    if isinstance(screen, RunsScreen):
        yield SystemCommand(
            "Act on the advice",
            "Start the advised run, after a confirmation",
            screen.action_act_on_advice,
        )
        yield SystemCommand(
            "Weekly report", "This week, in Markdown (e)", screen.action_weekly_report
        )
    yield SystemCommand("Dashboard", "Screen 1", app.action_show_dashboard)  # type: ignore[attr-defined]
    yield SystemCommand(
        "Readiness",
        "Screen 2: is the herd ready to name?",
        app.action_show_readiness,  # type: ignore[attr-defined]
    )
    yield SystemCommand(
        "Runs and reports",
        "Screen 3: runs, the advisor, the weekly report",
        app.action_show_runs,  # type: ignore[attr-defined]
    )
    yield SystemCommand(
        "Profiles",
        "Screen 4: name the herd, notes, photos, merge, split, undo",
        app.action_show_profiles,  # type: ignore[attr-defined]
    )
    yield SystemCommand(
        "Duplicates",
        "Screen 5: profiles that may be one deer (y merge, n not the same, s skip)",
        app.action_show_duplicates,  # type: ignore[attr-defined]
    )
    yield SystemCommand(
        "Unplaced",
        "Screen 6: deer detections in no profile, beside their nearest profiles",
        app.action_show_unplaced,  # type: ignore[attr-defined]
    )
    yield SystemCommand("Help", "Keys and what they do (F1, ?)", app.action_help)  # type: ignore[attr-defined]
    for name in sorted(app.available_themes):
        if name.startswith("thumper"):
            yield SystemCommand(
                f"Theme: {name}",
                "Remembered for the next start",
                lambda n=name: setattr(app, "theme", n),
            )
