"""Pick a live profile by typing part of its name or id; Enter picks, Escape cancels."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from thumper_tui.naming.names import Profile
from thumper_tui.ui.widgets.profiles.profile_table import profile_label


def matches(profile: Profile, query: str) -> bool:
    """Whether ``query`` is in the profile's name (any case) or is its id."""
    wanted = query.strip().casefold()
    return not wanted or wanted in (profile.name or "").casefold() or wanted == str(profile.id)


class ProfilePicker(ModalScreen[int | None]):
    """Dismisses with the picked profile's id, or None."""

    DEFAULT_CSS = """
    ProfilePicker { align: center middle; }
    ProfilePicker > Vertical { width: 70; max-width: 95%; height: 80%; }
    ProfilePicker OptionList { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("down", "move(1)", "Down", show=False, priority=True),
        Binding("up", "move(-1)", "Up", show=False, priority=True),
    ]

    def __init__(self, title: str, profiles: list[Profile]) -> None:
        super().__init__()
        self._title = title
        self._profiles = profiles
        self._shown: list[Profile] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self._title, classes="dialog-title", markup=False)
            yield Input(placeholder="search: name or id", id="search")
            yield OptionList(id="choices")

    def on_mount(self) -> None:
        self._filter("")
        self.query_one(Input).focus()

    def _filter(self, query: str) -> None:
        self._shown = [p for p in self._profiles if matches(p, query)]
        choices = self.query_one(OptionList)
        choices.clear_options()
        choices.add_options([Option(profile_label(p), id=str(p.id)) for p in self._shown])
        if self._shown:
            choices.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._filter(event.value)

    def action_move(self, step: int) -> None:
        """Move the highlight while typing."""
        choices = self.query_one(OptionList)
        if self._shown:
            at = choices.highlighted or 0
            choices.highlighted = max(0, min(len(self._shown) - 1, at + step))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        at = self.query_one(OptionList).highlighted
        self.dismiss(self._shown[at].id if self._shown and at is not None else None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0) or None)
