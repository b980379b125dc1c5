"""The live profiles: name, category, sightings, first and last seen, cameras; j/k move.

Narrower than :data:`WIDE` cells, the table keeps the first four columns (the detail pane
beside it says the rest)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text
from textual.binding import Binding
from textual.events import Resize
from textual.widgets import DataTable

from thumper_tui.naming.names import Profile
from thumper_tui.vocabulary.counting import counted

COLUMNS = ("id", "name", "category", "seen", "first", "last", "cameras")
NARROW_COLUMNS = 4
WIDE = 66
UNNAMED = "(unnamed)"


def profile_label(profile: Profile) -> Text:
    """``#12 Bambi · buck · 40 sightings``, the name literal."""
    text = Text(f"#{profile.id} ")
    text.append(profile.name or UNNAMED, style="bold" if profile.name else "italic")
    text.append(f" · {profile.category} · {counted(profile.sightings, 'sighting')}")
    return text


def _day(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d") if moment else "—"


class ProfileTable(DataTable[str | Text]):
    """The profiles a filter and a search let through; names are shown literally."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="profile-table", classes="panel", cursor_type="row", zebra_stripes=True)
        self.border_title = "Profiles"
        self.profiles: list[Profile] = []
        self._zone: tzinfo | None = None
        self._wide: bool | None = None

    def on_resize(self, event: Resize) -> None:
        wide = event.size.width >= WIDE
        if wide != self._wide and self._zone is not None:
            self.show(self.profiles, self._zone)

    def show(self, profiles: list[Profile], zone: tzinfo, keep: int | None = None) -> None:
        """Fill the table; the cursor stays on profile ``keep`` (else the one it was on)."""
        wanted = keep if keep is not None else (self.selected.id if self.selected else None)
        self.profiles, self._zone = profiles, zone
        wide = self.size.width >= WIDE
        if wide != self._wide:
            self.clear(columns=True)
            self.add_columns(*(COLUMNS if wide else COLUMNS[:NARROW_COLUMNS]))
            self._wide = wide
        self.clear()
        for p in profiles:
            cells = (
                str(p.id),
                Text(p.name) if p.name else Text(UNNAMED, style="italic"),
                p.category,
                f"{p.sightings:,}",
                _day(p.first_seen, zone),
                _day(p.last_seen, zone),
                Text(", ".join(p.cameras)),
            )
            self.add_row(*(cells if wide else cells[:NARROW_COLUMNS]), key=str(p.id))
        ids = [p.id for p in profiles]
        if wanted in ids:
            self.move_cursor(row=ids.index(wanted))

    @property
    def selected(self) -> Profile | None:
        """The highlighted profile."""
        if not self.profiles or not 0 <= self.cursor_row < len(self.profiles):
            return None
        return self.profiles[self.cursor_row]
