"""One run's recipe, and what changed in it since the run before."""

from __future__ import annotations

from textual.markup import escape
from textual.widgets import Static

from thumper_tui.analytics.facts import RecordedRun


class RunDetail(Static):
    """The highlighted run: when, its recipe in brief, and its changes from the one before."""

    def __init__(self) -> None:
        super().__init__("no run yet", id="run-detail", classes="panel")
        self.border_title = "Recipe"

    def show(self, run: RecordedRun | None, before: RecordedRun | None) -> None:
        """Describe ``run`` against ``before`` (the run before it, if any)."""
        if run is None:
            self.update("no run yet")
            return
        self.border_title = f"Run {run.id}: recipe"
        r = run.recipe
        when = run.finished_at or run.started_at or run.requested_at
        lines = [
            f"{run.kind}, clear mode {run.clear_mode}, {run.trigger}: {run.status} "
            f"({when:%Y-%m-%d %H:%M} UTC)",
            f"model {escape(r.model_path or 'not recorded')}",
            f"  sha256 {(r.model_sha256 or '—')[:16]}  classes {len(r.model_classes)}",
            f"embedder {r.embedder or '—'}  threshold {r.reid_threshold:g}  "
            f"pipeline {r.pipeline_version or '—'}",
        ]
        if before is None:
            lines.append("the first run")
        else:
            changes = before.recipe.diff(r) if r.model_sha256 and before.recipe.model_sha256 else []
            lines.append(f"changed since run {before.id}: " + ("nothing" if not changes else ""))
            lines += [
                f"  {escape(c.field)}: {escape(str(c.before))} → {escape(str(c.after))}"
                for c in changes
            ]
        self.update("\n".join(lines))
