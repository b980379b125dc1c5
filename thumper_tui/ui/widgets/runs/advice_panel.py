"""The advisor's verdict, why, how long its run would take, and the next scheduled run."""

from __future__ import annotations

from textual.markup import escape
from textual.widgets import Static

from thumper_tui.analytics.advisor import Action, Advice
from thumper_tui.ui.format import moment
from thumper_tui.vocabulary.counting import counted
from thumper_tui.vocabulary.durations import format_duration


def estimate_text(advice: Advice) -> str:
    """How long the advised run would take, as the confirmation and the panel say it."""
    if advice.estimate_s is None:
        return "no pace measured on this ranch yet"
    return f"about {format_duration(advice.estimate_s)} at this ranch's pace"


class AdvicePanel(Static):
    """``thumper advise``, on screen; ``a`` acts on it."""

    def __init__(self) -> None:
        super().__init__("asking the advisor…", id="advice", classes="panel")
        self.border_title = "Advisor"

    def show(self, advice: Advice) -> None:
        """Draw ``advice``."""
        lines = [f"[b]{advice.action.value}[/b]"]
        lines += [f"• {escape(reason)}" for reason in advice.reasons]
        plan = advice.plan
        if plan is not None and advice.action in (Action.FULL, Action.INCREMENTAL):
            lines.append(
                f"run: {plan.kind.value}, clear mode {plan.clear_mode.value}, "
                f"{counted(plan.images, 'photo')}, {estimate_text(advice)}; [b]a[/b] starts it"
            )
        if advice.next_scheduled:
            lines.append(f"next scheduled run: {moment(advice.next_scheduled)}")
        self.update("\n".join(lines))
        self.set_class(advice.action == Action.FULL, "-full")
