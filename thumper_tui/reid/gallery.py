"""Online re-identification: each deer detection joins a profile or founds one.

The gallery holds every live profile's category and a small bank of exemplar embeddings. A
detection is compared with each compatible profile (buck with buck, doe with doe, fawn with
fawn; unknown with any) by its best similarity to the bank; it joins the most similar one when
that clears the threshold, else it founds a new profile. Two deer in one photo are never one
profile. The bank keeps the exemplars that differ most from each other, so a profile remembers
a deer seen from both sides, by day and by night, not only its first crop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from thumper_tui.vocabulary.categories import compatible

# Chosen on a validation ranch (seed 4500, see docs/reid.md); recorded in every run.
DEFAULT_THRESHOLD = 0.8
DEFAULT_MERGE_THRESHOLD = 0.4  # average linkage at a run's end (thumper_tui.reid.agglomerate)
FOUNDING_CONFIDENCE = 0.5  # detector confidence a detection needs to found a profile
BANK_SIZE = 8
REDUNDANT = 0.97  # an exemplar this similar to one already banked adds nothing


@dataclass
class GalleryProfile:
    """A profile as the gallery sees it: ``key`` is its database id, or a negative number for
    one founded in this pass (the writer swaps it for the id the insert returns)."""

    key: int
    category: str
    bank: np.ndarray[Any, Any]  # exemplars, one float32 row each
    joined: int = 0  # detections that joined in this pass
    changed: bool = False


@dataclass
class Gallery:
    """The live profiles one batch is matched against."""

    threshold: float
    profiles: dict[int, GalleryProfile] = field(default_factory=dict)
    bank_size: int = BANK_SIZE
    _next_new: int = -1

    def best(
        self, vector: np.ndarray[Any, Any], category: str, exclude: set[int]
    ) -> tuple[int | None, float]:
        """The most similar compatible profile not in ``exclude`` and its similarity."""
        best_key, best_score = None, -1.0
        for key, profile in self.profiles.items():
            if key in exclude or not compatible(category, profile.category):
                continue
            if not len(profile.bank):
                continue
            score = float((profile.bank @ vector).max())
            if score > best_score:
                best_key, best_score = key, score
        return best_key, best_score

    def similarity(self, key: int, vector: np.ndarray[Any, Any]) -> float:
        """Best similarity of ``vector`` to profile ``key``'s bank (-1 for an empty bank)."""
        bank = self.profiles[key].bank
        return float((bank @ vector).max()) if len(bank) else -1.0

    def found(self, category: str, vector: np.ndarray[Any, Any]) -> int:
        """A new profile holding ``vector``; returns its (negative) key."""
        key = self._next_new
        self._next_new -= 1
        self.profiles[key] = GalleryProfile(
            key, category, vector[None, :].astype(np.float32), joined=1, changed=True
        )
        return key

    def join(self, key: int, category: str, vector: np.ndarray[Any, Any]) -> None:
        """Record that a detection of ``category`` with ``vector`` joined profile ``key``."""
        profile = self.profiles[key]
        profile.joined += 1
        if profile.category == "unknown" and category != "unknown":
            profile.category = category
            profile.changed = True
        bank = profile.bank
        if not len(bank):
            profile.bank, profile.changed = vector[None, :].astype(np.float32), True
            return
        nearest = float((bank @ vector).max())
        if nearest >= REDUNDANT:
            return
        if len(bank) < self.bank_size:
            profile.bank = np.vstack([bank, vector[None, :]]).astype(np.float32)
            profile.changed = True
            return
        # Full: the new exemplar replaces the most redundant one, if it is less redundant.
        sims = bank @ bank.T
        np.fill_diagonal(sims, -1.0)
        redundancy = sims.max(axis=1)
        worst = int(redundancy.argmax())
        if nearest < redundancy[worst]:
            bank = bank.copy()
            bank[worst] = vector
            profile.bank, profile.changed = bank, True


def assign_photo(
    gallery: Gallery,
    vectors: list[np.ndarray[Any, Any]],
    categories: list[str],
    linked: list[int | None],
    blocked: list[set[int]] | None = None,
    may_found: list[bool] | None = None,
) -> list[tuple[int | None, float | None]]:
    """Profiles for the deer of one photo, in order.

    ``linked[i]`` is the profile detection i must join (it continues a deer of the previous
    frame, or a human verified it), or ``None``; ``blocked[i]`` the profiles it may not join
    ("not the same deer"); ``may_found[i]`` whether it may found a profile (a detection the
    detector is unsure of may join one, but a false alarm must not become a deer). Returns
    (profile key or ``None``, similarity to it: ``None`` for a founder).
    """
    may_found = may_found or [True] * len(vectors)
    blocked = blocked or [set() for _ in vectors]
    linked = [
        k if k is not None and k not in b else None for k, b in zip(linked, blocked, strict=True)
    ]
    taken: set[int] = {k for k in linked if k is not None}
    result: list[tuple[int | None, float | None]] = [(None, None)] * len(vectors)
    order = sorted(range(len(vectors)), key=lambda i: linked[i] is None)
    for i in order:
        vector, category = vectors[i], categories[i]
        key = linked[i]
        if key is not None and key in gallery.profiles:
            result[i] = (key, gallery.similarity(key, vector))
            gallery.join(key, category, vector)
            continue
        key, score = gallery.best(vector, category, taken | blocked[i])
        if key is not None and score >= gallery.threshold:
            result[i] = (key, score)
            gallery.join(key, category, vector)
        elif may_found[i]:
            key = gallery.found(category, vector)
            result[i] = (key, None)
        else:
            continue
        taken.add(key)
    return result
