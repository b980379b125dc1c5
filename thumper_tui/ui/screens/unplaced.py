"""Unplaced (screen 6): deer detections in no profile, each beside its nearest profiles.

Held back by a run's consolidation, matched to no profile, or taken out by a human: ``p``
places the highlighted one in its nearest profile, ``o`` in another (a picker with search),
``f`` founds a new profile with it. Each is a verified assignment every reprocess keeps.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header

from thumper_tui.naming.decisions import verify_detection
from thumper_tui.naming.names import list_profiles
from thumper_tui.naming.profile_view import shown_photos
from thumper_tui.naming.unplaced import (
    Nearby,
    Unplaced,
    found_profile,
    list_unplaced,
    nearest_profiles,
)
from thumper_tui.store.engine import error_reason
from thumper_tui.ui.run_actions import attempt, succeeded
from thumper_tui.ui.screens.herd_screen import HerdScreen
from thumper_tui.ui.screens.profile_picker import ProfilePicker
from thumper_tui.ui.services import Services
from thumper_tui.ui.widgets.photos.photo_view import PhotoView
from thumper_tui.ui.widgets.profiles.profile_table import UNNAMED

NEAREST = 3


def why(detection: Unplaced) -> str:
    """Why a detection is in no profile."""
    if detection.taken_out:
        return "taken out"
    if detection.held_by_run is not None:
        return f"held by run {detection.held_by_run}"
    return "unmatched"


class UnplacedScreen(HerdScreen):
    """Deer detections to place."""

    BINDINGS = [
        Binding("p", "place", "Place in nearest"),
        Binding("o", "place_other", "Place in…"),
        Binding("f", "found", "New profile"),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__(services, id="unplaced")
        self.detections: list[Unplaced] = []
        self.nearest: list[Nearby] = []

    def compose(self) -> ComposeResult:
        renderer = self.services.settings.photos
        yield Header(show_clock=False, icon="≡")
        with Horizontal(id="unplaced-body"):
            yield DataTable(
                id="unplaced-table", classes="panel", cursor_type="row", zebra_stripes=True
            )
            with Vertical(id="unplaced-detail"):
                yield PhotoView(renderer, id="unplaced-photo", classes="panel")
                with Horizontal(id="nearest"):
                    for slot in range(NEAREST):
                        yield PhotoView(renderer, id=f"near-{slot}", classes="panel")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.border_title = "Deer in no profile"
        table.add_columns("detection", "camera", "taken", "category", "conf", "why")
        table.focus()
        self.reload()

    def kept(self) -> int | None:
        """The row the cursor is on."""
        return self.query_one(DataTable).cursor_row

    @work(group="unplaced-read", exclusive=True, exit_on_error=False)
    async def reload(self, keep: int | None = None) -> None:
        """Read the unplaced detections (the cursor stays on row ``keep``)."""
        try:
            self.detections = await self.services.shielded(list_unplaced(self.engine))
        except Exception as exc:
            self.notify(f"cannot read the detections: {error_reason(exc)}", severity="error")
            return
        zone = self.services.settings.zone()
        table = self.query_one(DataTable)
        table.clear()
        for d in self.detections:
            taken = d.taken_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            table.add_row(
                f"#{d.id}", Text(d.camera), taken, d.category, f"{d.confidence:.2f}", why(d)
            )
        table.border_subtitle = f"{len(self.detections):,}"
        if not self.detections:
            self.nearest = []
            self.query_one("#unplaced-photo", PhotoView).show(None, "every deer has a profile")
            for slot in range(NEAREST):
                self.query_one(f"#near-{slot}", PhotoView).show(None, "")
            return
        table.move_cursor(row=min(keep or 0, len(self.detections) - 1))
        self.describe()

    def _detection(self) -> Unplaced | None:
        row = self.query_one(DataTable).cursor_row
        return self.detections[row] if self.detections and 0 <= row < len(self.detections) else None

    @work(group="unplaced-photos", exclusive=True, exit_on_error=False)
    async def describe(self) -> None:
        """Draw the highlighted detection and its nearest profiles."""
        detection = self._detection()
        if detection is None:
            return
        picture = await self.picture(detection.path, detection.box)
        self.query_one("#unplaced-photo", PhotoView).show(
            picture,
            Text(self.unreadable(detection.path, picture))
            + Text(
                f"#{detection.id} · {detection.camera} · {detection.category} · {why(detection)}"
            ),
        )
        self.nearest = await self.services.shielded(
            nearest_profiles(self.engine, detection.id, NEAREST)
        )
        photos = await self.services.shielded(
            shown_photos(self.engine, [n.profile for n in self.nearest])
        )
        for slot in range(NEAREST):
            view = self.query_one(f"#near-{slot}", PhotoView)
            if slot >= len(self.nearest):
                view.show(None, "no nearer profile" if slot == 0 else "")
                continue
            near = self.nearest[slot]
            photo = photos.get(near.profile)
            crop = (
                None if photo is None else await self.picture(photo["path"], photo["box"], "crop")
            )
            caption = Text("p: " if slot == 0 else "")
            caption.append(near.name or UNNAMED, style="bold" if near.name else "italic")
            caption.append(f" #{near.profile} · {near.category} · likeness {near.likeness:.2f}")
            view.show(crop, caption)

    async def _place(self, detection: Unplaced, profile_id: int) -> None:
        step = verify_detection(self.engine, detection.id, profile_id)
        if await succeeded(self, "place it", step):
            self.notify(f"detection #{detection.id} placed in profile {profile_id} (u undoes)")
        self.reload(self.kept())

    async def action_place(self) -> None:
        """Place the detection in its nearest profile."""
        detection = self._detection()
        if detection is None:
            return
        if not self.nearest:
            self.notify("no profile is near it: o picks one, f founds one", severity="warning")
            return
        await self._place(detection, self.nearest[0].profile)

    async def action_place_other(self) -> None:
        """Place the detection in a profile picked with a search."""
        detection = self._detection()
        if detection is None:
            return
        profiles = await attempt(self, "read the profiles", list_profiles(self.engine))

        async def picked(profile_id: int | None) -> None:
            if profile_id is not None:
                await self._place(detection, profile_id)

        self.app.push_screen(
            ProfilePicker(f"Place detection #{detection.id} in…", profiles or []), picked
        )

    async def action_found(self) -> None:
        """Found a new profile with the detection."""
        detection = self._detection()
        if detection is None:
            return
        new_id = await attempt(
            self, "found a profile", found_profile(self.engine, detection.id, "ui")
        )
        if new_id is not None:
            self.notify(f"new profile {new_id} founded with detection #{detection.id} (u undoes)")
        self.reload(self.kept())
