"""The profiles screen's decisions: name, notes, primary photo, category, merge, split, take out.

Each key calls the core function the CLI calls, through :func:`thumper_tui.ui.run_actions.attempt`
(a refusal is a notification, shown literally), then reads the screen again with the profile
kept under the cursor. :class:`thumper_tui.ui.screens.profiles.ProfilesScreen` is a
:class:`ProfileDecisions` and provides what it reads.
"""

from __future__ import annotations

import asyncio
from typing import Any

from thumper_tui.naming.corrections import correct_profile
from thumper_tui.naming.decisions import set_notes, set_primary, take_out
from thumper_tui.naming.names import Profile, set_name
from thumper_tui.naming.pools import load_pools
from thumper_tui.naming.regroup import merge_profiles, split_profile
from thumper_tui.naming.suggestions import name_suggestions
from thumper_tui.store.engine import error_reason
from thumper_tui.ui.run_actions import attempt, succeeded
from thumper_tui.ui.screens.ask import AskScreen
from thumper_tui.ui.screens.choose import ChooseScreen
from thumper_tui.ui.screens.herd_screen import HerdScreen
from thumper_tui.ui.screens.profile_picker import ProfilePicker
from thumper_tui.vocabulary.counting import counted


class ProfileDecisions(HerdScreen):
    """The deciding keys of the profiles screen (which sets what is read here)."""

    profiles: list[Profile]
    detail: dict[str, Any] | None
    photos: list[dict[str, Any]]
    shown: int
    chosen: set[int]
    _pools: dict[str, list[str]] | None

    def _profile(self) -> dict[str, Any] | None:
        if self.detail is None:
            self.notify("no profile highlighted", severity="warning")
        return self.detail

    def _photo(self) -> dict[str, Any] | None:
        if self._profile() is None or not self.photos:
            return None
        return self.photos[self.shown]

    async def action_name(self) -> None:
        """Name (or rename) the profile: a suggestion filled in, Tab for the next."""
        detail = self._profile()
        if detail is None:
            return
        try:
            if self._pools is None:
                self._pools = await asyncio.to_thread(load_pools)
            suggestions = await self.services.shielded(
                name_suggestions(self.engine, self._pools, profile=detail["id"], count=8)
            )
        except Exception as exc:
            self.notify(f"no suggestions: {error_reason(exc)}", severity="warning")
            suggestions = []
        names = suggestions[0].names if suggestions else []
        profile_id = detail["id"]

        async def answered(name: str | None) -> None:
            if name is not None:
                result = await attempt(
                    self, "name the profile", set_name(self.engine, profile_id, name, actor="ui")
                )
                if result is not None:
                    self.notify(f"profile {profile_id} is {result[1]}", markup=False)
                self.reload(profile_id)

        self.app.push_screen(
            AskScreen(
                f"Name profile {profile_id} ({detail['category']})", detail["name"] or "", names
            ),
            answered,
        )

    def action_notes(self) -> None:
        """Write the profile's notes (how to tell this deer apart)."""
        detail = self._profile()
        if detail is None:
            return
        profile_id = detail["id"]

        async def answered(notes: str | None) -> None:
            if notes is not None:
                step = set_notes(self.engine, profile_id, notes)
                if await succeeded(self, "save the notes", step):
                    self.notify(f"notes on profile {profile_id} saved")
                self.reload(profile_id)

        self.app.push_screen(
            AskScreen(f"Notes on profile {profile_id}", detail["notes"] or ""), answered
        )

    async def action_primary(self) -> None:
        """Make the shown crop the profile's photo."""
        photo = self._photo()
        if photo is None or self.detail is None:
            return
        profile_id = self.detail["id"]
        step = set_primary(self.engine, profile_id, photo["detection"])
        if await succeeded(self, "choose the photo", step):
            self.notify(f"detection #{photo['detection']} is profile {profile_id}'s photo")
        self.shown = 0
        self.reload(profile_id)

    def action_correct(self) -> None:
        """Correct the profile's category (every detection in it; outranks the detector)."""
        detail = self._profile()
        if detail is None:
            return
        profile_id = detail["id"]

        async def answered(category: str | None) -> None:
            if category is not None:
                step = correct_profile(self.engine, profile_id, category, actor="ui")
                changed = await attempt(self, "correct the category", step)
                if changed is not None:
                    self.notify(
                        f"profile {profile_id} is a {category} ({counted(changed, 'detection')})"
                    )
                self.reload(profile_id)

        self.app.push_screen(
            ChooseScreen(
                f"Profile {profile_id} is a…",
                [("b", "buck"), ("d", "doe"), ("f", "fawn"), ("u", "unknown")],
            ),
            answered,
        )

    def action_merge(self) -> None:
        """Merge this profile into another (picked with a search)."""
        detail = self._profile()
        if detail is None:
            return
        source = detail["id"]
        others = [p for p in self.profiles if p.id != source]

        async def picked(target: int | None) -> None:
            if target is not None:
                moved = await attempt(
                    self, "merge", merge_profiles(self.engine, source, target, actor="ui")
                )
                if moved is not None:
                    self.notify(
                        f"profile {source} merged into {target} "
                        f"({counted(moved, 'detection')}; u undoes)"
                    )
                self.reload(target)

        self.app.push_screen(ProfilePicker(f"Merge profile {source} into…", others), picked)

    async def action_split(self) -> None:
        """Split the chosen crops (space; else the shown one) into a new profile."""
        photo = self._photo()
        if photo is None or self.detail is None:
            return
        profile_id = self.detail["id"]
        wanted = sorted(self.chosen) or [photo["detection"]]
        new_id = await attempt(
            self, "split", split_profile(self.engine, profile_id, wanted, actor="ui")
        )
        if new_id is not None:
            self.notify(
                f"{counted(len(wanted), 'detection')} split into new profile {new_id} (u undoes)"
            )
            self.chosen = set()
        self.reload(profile_id)

    async def action_take_out(self) -> None:
        """Take the shown detection out of the profile (it waits among the unplaced)."""
        photo = self._photo()
        if photo is None or self.detail is None:
            return
        left = await attempt(self, "take it out", take_out(self.engine, photo["detection"], "ui"))
        if left is not None:
            self.notify(f"detection #{photo['detection']} taken out of profile {left} (u undoes)")
        self.reload(self.detail["id"])
