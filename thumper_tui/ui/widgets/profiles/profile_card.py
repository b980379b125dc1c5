"""What the detail pane says of one profile above its photo: name, category, notes, cameras."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from thumper_tui.ui.format import moment
from thumper_tui.ui.widgets.profiles.profile_table import UNNAMED
from thumper_tui.vocabulary.counting import counted


def describe(detail: dict[str, Any]) -> Text:
    """The card's text; a user's name and notes are shown literally, never as markup."""
    text = Text()
    text.append(detail["name"] or UNNAMED, style="bold")
    text.append(
        f"  #{detail['id']} · {detail['category']} · {counted(detail['sightings'], 'sighting')}"
    )
    cameras = ", ".join(f"{c} {n}" for c, n in detail["cameras"].items())
    if detail["first_seen"]:
        text.append(
            f"\nseen {moment(detail['first_seen'])} – {moment(detail['last_seen'])}",
            style="dim",
        )
    if cameras:
        text.append(f"\ncameras: {cameras}", style="dim")
    text.append("\nnotes: ", style="dim")
    text.append(detail["notes"] or "—")
    return text


class ProfileCard(Static):
    """One profile's facts; empty when none is highlighted."""

    DEFAULT_CSS = "ProfileCard { height: auto; }"

    def __init__(self) -> None:
        super().__init__("", id="profile-card", markup=False)

    def show(self, detail: dict[str, Any] | None) -> None:
        """Describe ``detail`` (:func:`thumper_tui.naming.profile_view.profile_detail`)."""
        self.update(describe(detail) if detail else "no profile")
