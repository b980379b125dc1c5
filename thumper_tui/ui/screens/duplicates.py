"""Duplicates (screen 5): pairs of live profiles that may be one deer, most alike first.

Each pair side by side with its photos: ``y`` merges them (into the named one, else the one
seen more), ``n`` records that they are different deer (re-ID and consolidation respect it),
``s`` skips to the next pair.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header

from thumper_tui.engine.alike import Candidate, duplicate_candidates
from thumper_tui.naming.decisions import mark_not_same
from thumper_tui.naming.names import Profile, list_profiles
from thumper_tui.naming.profile_view import shown_photos
from thumper_tui.naming.regroup import merge_profiles
from thumper_tui.store.engine import error_reason
from thumper_tui.ui.run_actions import attempt, succeeded
from thumper_tui.ui.screens.herd_screen import HerdScreen
from thumper_tui.ui.services import Services
from thumper_tui.ui.widgets.photos.photo_view import PhotoView
from thumper_tui.ui.widgets.profiles.profile_table import profile_label as label
from thumper_tui.vocabulary.counting import counted

PAIRS = 50


def survivor(a: Profile, b: Profile) -> tuple[Profile, Profile]:
    """(the profile merged away, the one kept): the named one stays, else the one seen more
    (the older on a tie)."""
    if (a.name is None) != (b.name is None):
        return (a, b) if a.name is None else (b, a)
    if a.sightings != b.sightings:
        return (a, b) if a.sightings < b.sightings else (b, a)
    return (a, b) if a.id > b.id else (b, a)


class DuplicatesScreen(HerdScreen):
    """Candidate duplicates, to merge or keep apart."""

    BINDINGS = [
        Binding("y", "merge", "Merge"),
        Binding("n", "not_same", "Not the same"),
        Binding("s", "skip", "Skip"),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__(services, id="duplicates")
        self.pairs: list[Candidate] = []
        self.profiles: dict[int, Profile] = {}

    def compose(self) -> ComposeResult:
        renderer = self.services.settings.photos
        yield Header(show_clock=False, icon="≡")
        yield DataTable(id="pair-table", classes="panel", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="pair-photos"):
            yield PhotoView(renderer, id="photo-a", classes="panel")
            yield PhotoView(renderer, id="photo-b", classes="panel")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.border_title = "Profiles that may be one deer"
        table.add_columns("likeness", "profile", "profile")
        table.focus()
        self.reload()

    def kept(self) -> int | None:
        """The row the cursor is on."""
        return self.query_one(DataTable).cursor_row

    @work(group="duplicates-read", exclusive=True, exit_on_error=False)
    async def reload(self, keep: int | None = None) -> None:
        """Read the candidate pairs (the cursor stays on row ``keep``)."""
        try:
            self.profiles = {
                p.id: p for p in await self.services.shielded(list_profiles(self.engine))
            }
            async with self.engine.connect() as conn:
                self.pairs = await self.services.shielded(duplicate_candidates(conn, PAIRS))
        except Exception as exc:
            self.notify(f"cannot read the profiles: {error_reason(exc)}", severity="error")
            return
        table = self.query_one(DataTable)
        table.clear()
        for pair in self.pairs:
            table.add_row(
                f"{pair.similarity:.3f}",
                label(self.profiles[pair.a]),
                label(self.profiles[pair.b]),
            )
        if not self.pairs:
            self.query_one("#photo-a", PhotoView).show(None, "no candidate pairs")
            self.query_one("#photo-b", PhotoView).show(None, "")
            return
        table.move_cursor(row=min(keep or 0, len(self.pairs) - 1))
        self.describe()

    def _pair(self) -> Candidate | None:
        row = self.query_one(DataTable).cursor_row
        return self.pairs[row] if self.pairs and 0 <= row < len(self.pairs) else None

    @work(group="duplicates-photos", exclusive=True, exit_on_error=False)
    async def describe(self) -> None:
        """Draw the highlighted pair's photos."""
        pair = self._pair()
        if pair is None:
            return
        photos = await self.services.shielded(shown_photos(self.engine, [pair.a, pair.b]))
        for side, profile_id in (("#photo-a", pair.a), ("#photo-b", pair.b)):
            view = self.query_one(side, PhotoView)
            photo: dict[str, Any] | None = photos.get(profile_id)
            if photo is None:
                view.show(None, Text("no photo"))
                continue
            picture = await self.picture(photo["path"], photo["box"], "crop")
            caption = Text(self.unreadable(photo["path"], picture))
            caption.append(label(self.profiles[profile_id]))
            view.show(picture, caption)

    def action_skip(self) -> None:
        """The next pair, deciding nothing."""
        self.action_move(1)

    async def action_merge(self) -> None:
        """One deer: merge the pair."""
        pair = self._pair()
        if pair is None:
            return
        gone, kept = survivor(self.profiles[pair.a], self.profiles[pair.b])
        moved = await attempt(self, "merge", merge_profiles(self.engine, gone.id, kept.id, "ui"))
        if moved is not None:
            self.notify(
                f"profile {gone.id} merged into {kept.id} ({counted(moved, 'detection')}; u undoes)"
            )
        self.reload(self.kept())

    async def action_not_same(self) -> None:
        """Two deer: never join them."""
        pair = self._pair()
        if pair is None:
            return
        if await succeeded(self, "record it", mark_not_same(self.engine, pair.a, pair.b)):
            self.notify(f"profiles {pair.a} and {pair.b} are different deer (u undoes)")
        self.reload(self.kept())
