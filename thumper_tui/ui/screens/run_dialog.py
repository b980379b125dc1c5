"""Start a run: choose what to redo, then confirm what that means. ``r``, Enter, Enter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from thumper_tui.store.queries import StatusSummary


@dataclass(frozen=True)
class RunChoice:
    """What the user asked for."""

    kind: str
    clear_mode: str


CHOICES = {
    "incremental": (RunChoice("incremental", "none"), "Incremental: new and failed images"),
    "detections": (
        RunChoice("full", "detections"),
        "Full, clear detections: redo every image, keep profiles",
    ),
    "all": (RunChoice("full", "all"), "Full, clear all: redo every image, rebuild profiles"),
}


def nothing_to_do(choice: RunChoice, summary: StatusSummary | None) -> bool:
    """Whether ``choice`` would queue a run with no image in it (by the last reading)."""
    by = summary.images_by_status if summary else {}
    if choice.kind == "incremental":
        return summary is not None and by.get("pending", 0) + by.get("failed", 0) == 0
    return summary is not None and sum(by.values()) == 0


def consequence(choice: RunChoice, summary: StatusSummary | None) -> str:
    """What the run will redo, in words, with the numbers the dashboard last read."""
    by = summary.images_by_status if summary else {}
    total = sum(by.values())
    if nothing_to_do(choice, summary):
        if total:
            return (
                "Nothing to process: every image is done. Import new photos "
                "(`thumper import`), or go back and choose a full run to redo them."
            )
        return "Nothing to process: no photo is imported yet (`thumper import PATH`)."
    if choice.kind == "incremental":
        todo = by.get("pending", 0) + by.get("failed", 0)
        return (
            f"Process {todo:,} new or failed images. Done images, detections, profiles and "
            "names stay as they are."
        )
    if choice.clear_mode == "detections":
        return (
            f"Redo detection and re-identification on all {total:,} images. Their detections "
            "are replaced; profiles, names, notes and verified assignments are kept."
        )
    return (
        f"Redo all {total:,} images and rebuild the profiles from scratch. The new profiles are "
        "mapped onto the old ones, so names, notes and human decisions survive."
    )


class RunDialog(ModalScreen[RunChoice | None]):
    """Step one picks the kind (incremental first); step two says what it will redo."""

    DEFAULT_CSS = """
    RunDialog { align: center middle; }
    RunDialog > Vertical { width: 72; max-width: 95%; height: auto; }
    RunDialog OptionList { height: auto; }
    RunDialog #confirm { height: auto; display: none; }
    RunDialog.-confirming #confirm { display: block; }
    RunDialog.-confirming OptionList { display: none; }
    RunDialog #confirm Horizontal { height: auto; align-horizontal: right; }
    RunDialog #consequence { width: 1fr; margin-bottom: 1; }
    """
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, summary: StatusSummary | None) -> None:
        super().__init__()
        self._summary = summary
        self._choice: RunChoice | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Start a run", classes="dialog-title")
            yield OptionList(*(Option(text, id=key) for key, (_, text) in CHOICES.items()))
            with Vertical(id="confirm"):
                yield Label("", id="consequence")
                with Horizontal():
                    yield Button("Back", id="back")
                    yield Button("Start", id="start", variant="primary")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choice = CHOICES[str(event.option.id)][0]
        self.query_one("#consequence", Label).update(consequence(self._choice, self._summary))
        self.add_class("-confirming")
        start = self.query_one("#start", Button)
        start.disabled = nothing_to_do(self._choice, self._summary)
        (self.query_one("#back", Button) if start.disabled else start).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start" and not event.button.disabled:
            self.dismiss(self._choice)
        else:
            self.action_back()

    def action_back(self) -> None:
        if self.has_class("-confirming"):
            self.remove_class("-confirming")
            self.query_one(OptionList).focus()
        else:
            self.dismiss(None)
