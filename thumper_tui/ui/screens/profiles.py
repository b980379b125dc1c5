"""Profiles (screen 4): name the herd from the keyboard.

The live profiles in a table (filters, ``/`` search, j/k); beside it the highlighted profile:
its facts, the shown photo drawn in the terminal with the deer's box, and a strip of its best
crops (←/→). Keys name (``n``, suggestions on Tab), note, choose the primary photo, correct the
category, merge, split, take a detection out and undo; each is an audit row the engine keeps
through every reprocess. A banner says when the herd is not ready to name (naming still works).
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Input, Static

from thumper_tui.analytics.answers import current_readiness
from thumper_tui.naming.names import Profile, list_profiles
from thumper_tui.naming.profile_view import profile_detail
from thumper_tui.store.engine import error_reason
from thumper_tui.ui.profile_actions import ProfileDecisions
from thumper_tui.ui.screens.profile_picker import matches
from thumper_tui.ui.services import Services
from thumper_tui.ui.widgets.photos.crop_strip import SLOTS, CropStrip
from thumper_tui.ui.widgets.photos.photo_view import PhotoView
from thumper_tui.ui.widgets.profiles.profile_card import ProfileCard
from thumper_tui.ui.widgets.profiles.profile_table import ProfileTable
from thumper_tui.vocabulary.categories import DEER_CATEGORIES

FILTERS = ("all", "unnamed", *DEER_CATEGORIES)
BEST = 30  # crops ←/→ walks through


def best_photos(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """The profile's photos to show: the primary first, then verified ones, then by match
    score and confidence."""
    primary = (detail["primary_photo"] or {}).get("detection")
    return sorted(
        detail["photos"],
        key=lambda p: (
            p["detection"] != primary,
            not p["verified"],
            -(p["match_score"] or 0.0),
            -p["confidence"],
            p["detection"],
        ),
    )[:BEST]


class ProfilesScreen(ProfileDecisions):
    """The herd, to name."""

    BINDINGS = [
        Binding("n", "name", "Name"),
        Binding("N", "next_unnamed", "Next unnamed"),
        Binding("e", "notes", "Notes"),
        Binding("p", "primary", "Primary photo"),
        Binding("c", "correct", "Category"),
        Binding("m", "merge", "Merge"),
        Binding("space", "choose", "Choose crop", show=False),
        Binding("s", "split", "Split"),
        Binding("x", "take_out", "Take out"),
        # Above the table's own left and right (which do nothing on a row cursor).
        Binding("left", "crop(-1)", "Crop ←", show=False, priority=True),
        Binding("right", "crop(1)", "Crop →", show=False, priority=True),
        Binding("slash", "search", "Search"),
        Binding("f", "filter", "Filter"),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__(services, id="profiles")
        self.profiles: list[Profile] = []
        self.detail: dict[str, Any] | None = None
        self.photos: list[dict[str, Any]] = []
        self.shown = 0
        self.chosen: set[int] = set()
        self.filter = "all"
        self.query_text = ""
        self.ready_verdict: str | None = None
        self._pools: dict[str, list[str]] | None = None

    def compose(self) -> ComposeResult:
        renderer = self.services.settings.photos
        yield Header(show_clock=False, icon="≡")
        yield Static("", id="not-ready", markup=False)
        with Horizontal(id="profiles-body"):
            with Vertical(id="profiles-left"):
                yield Input(placeholder="search: name, id, notes or camera", id="profile-search")
                yield Static("", id="profile-filter", markup=False)
                yield ProfileTable()
            with Vertical(id="profile-detail", classes="panel"):
                yield ProfileCard()
                yield PhotoView(renderer, id="profile-photo")
                yield CropStrip(renderer)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#profile-detail").border_title = "Profile"
        self.query_one(ProfileTable).focus()
        self.reload()

    # Reading -----------------------------------------------------------------------------

    @work(group="profiles-read", exclusive=True, exit_on_error=False)
    async def reload(self, keep: int | None = None) -> None:
        """Read the profiles and the readiness verdict, then describe the highlighted one."""
        services = self.services
        try:
            self.profiles = await services.shielded(list_profiles(self.engine, sort="sightings"))
            readiness, _ = await services.shielded(
                current_readiness(self.engine, services.settings, services.clock())
            )
        except Exception as exc:  # whatever the driver raised, the screen says it
            self.notify(f"cannot read the profiles: {error_reason(exc)}", severity="error")
            return
        self.ready_verdict = (
            None if readiness.ready and not readiness.cautions else readiness.verdict
        )
        banner = self.query_one("#not-ready", Static)
        banner.update(self.ready_verdict or "")
        banner.display = self.ready_verdict is not None
        self._show_table(keep)
        self.describe()

    def _visible(self) -> list[Profile]:
        wanted = self.filter
        return [
            p
            for p in self.profiles
            if (wanted == "all" or (wanted == "unnamed" and p.name is None) or p.category == wanted)
            and (
                matches(p, self.query_text)
                or self.query_text.casefold() in (p.notes or "").casefold()
                or any(self.query_text.casefold() in c.casefold() for c in p.cameras)
            )
        ]

    def _show_table(self, keep: int | None = None) -> None:
        visible = self._visible()
        self.query_one(ProfileTable).show(visible, self.services.settings.zone(), keep)
        named = sum(1 for p in self.profiles if p.name)
        self.query_one("#profile-filter", Static).update(
            f"filter: {self.filter} (f) · {len(visible)} shown · "
            f"{named} of {len(self.profiles)} named"
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        selected = self.query_one(ProfileTable).selected
        if self.detail is None or selected is None or selected.id != self.detail["id"]:
            self.describe()

    @work(group="profile-detail", exclusive=True, exit_on_error=False)
    async def describe(self) -> None:
        """Read the highlighted profile and draw its photos."""
        selected = self.query_one(ProfileTable).selected
        if selected is None:
            self.detail, self.photos = None, []
            self.query_one(ProfileCard).show(None)
            self.query_one(PhotoView).show(None, "")
            self.query_one(CropStrip).show([], 0, set())
            return
        try:
            detail = await self.services.shielded(
                profile_detail(self.engine, selected.id, self.services.settings.zone())
            )
        except Exception as exc:
            self.notify(f"cannot read profile {selected.id}: {error_reason(exc)}", severity="error")
            return
        if self.detail is None or self.detail["id"] != detail["id"]:
            self.shown, self.chosen = 0, set()
        self.detail, self.photos = detail, best_photos(detail)
        self.shown = min(self.shown, max(0, len(self.photos) - 1))
        self.query_one(ProfileCard).show(detail)
        await self._draw()

    async def _draw(self) -> None:
        view, strip = self.query_one(PhotoView), self.query_one(CropStrip)
        if not self.photos:
            view.show(None, "no photo")
            strip.show([], 0, set())
            return
        photo = self.photos[self.shown]
        picture = await self.picture(photo["path"], photo["box"])
        primary = (
            self.detail is not None
            and (self.detail["primary_photo"] or {}).get("detection") == photo["detection"]
        )
        score = "—" if photo["match_score"] is None else f"{photo['match_score']:.2f}"
        view.show(
            picture,
            self.unreadable(photo["path"], picture)
            + f"{self.shown + 1}/{len(self.photos)} · detection #{photo['detection']} · "
            f"{photo['camera']} {photo['taken_at'][:16].replace('T', ' ')} · {photo['category']}"
            f" · match {score}"
            + (" · primary" if primary else "")
            + (" · verified" if photo["verified"] else ""),
        )
        start = max(0, min(self.shown - SLOTS // 2, len(self.photos) - SLOTS))
        window = self.photos[start : start + SLOTS]
        drawn = await self.pictures([(p["path"], p["box"]) for p in window])
        near = {p["detection"]: crop for p, crop in zip(window, drawn, strict=True)}
        strip.show(
            [(p["detection"], near.get(p["detection"])) for p in self.photos],
            self.shown,
            self.chosen,
        )

    # Moving ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While typing a search, ← and → move in the text."""
        return not (action == "crop" and self.query_one("#profile-search", Input).has_focus)

    async def action_crop(self, step: int) -> None:
        """Show the next (or previous) of the profile's best crops."""
        if self.photos:
            self.shown = (self.shown + step) % len(self.photos)
            await self._draw()

    async def action_choose(self) -> None:
        """Choose (or unchoose) the shown crop for a split."""
        if self.photos:
            detection = self.photos[self.shown]["detection"]
            self.chosen ^= {detection}
            await self._draw()

    def action_next_unnamed(self) -> None:
        """Move to the next profile without a name."""
        table = self.query_one(ProfileTable)
        rows = table.profiles
        for step in range(1, len(rows) + 1):
            at = (table.cursor_row + step) % len(rows)
            if rows[at].name is None:
                table.move_cursor(row=at)
                return
        self.notify("every profile shown has a name")

    def action_filter(self) -> None:
        """All, unnamed, then each category."""
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]
        self._show_table()
        self.describe()

    def action_search(self) -> None:
        """Type to search; Enter or Escape goes back to the table."""
        search = self.query_one("#profile-search", Input)
        search.display = True
        search.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "profile-search":
            self.query_text = event.value
            self._show_table()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "profile-search":
            self.query_one(ProfileTable).focus()
            self.describe()

    def key_escape(self) -> None:
        search = self.query_one("#profile-search", Input)
        if search.has_focus:
            search.value = ""
            search.display = False
            self.query_one(ProfileTable).focus()

    def kept(self) -> int | None:
        """The profile shown."""
        return self.detail["id"] if self.detail else None
