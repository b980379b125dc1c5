"""Re-identification inside a batch's transaction: every deer detection gets its profile.

For each photo of the batch, in camera and time order: a detection whose place in the photo was
a human-verified assignment before this reprocess keeps that profile (and, unless the run
rebuilds profiles, so does any detection found again at the place of one that had a profile);
one that continues a deer of the previous frame of its burst takes that deer's profile; any
other joins the most similar live profile of a compatible category, or founds one
(:mod:`thumper_tui.reid.gallery`). "Not the same deer" decisions are kept: a detection that
belonged to profile A never joins a profile that holds (or is) a profile the user said differs
from A.

Which profiles the batch is matched against depends on the run's clear mode: every live
profile (``none``, ``detections``), or only those this run has rebuilt (``all``; the old ones
are mapped onto the rebuilt ones when the run completes, see :mod:`thumper_tui.engine.rebuild`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from thumper_tui.detector.evaluate import iou
from thumper_tui.engine.detect import Found
from thumper_tui.engine.embed import from_bytes
from thumper_tui.reid.bursts import BURST_SECONDS, Seen, link
from thumper_tui.reid.gallery import (
    DEER_CATEGORIES,
    FOUNDING_CONFIDENCE,
    Gallery,
    GalleryProfile,
    assign_photo,
)
from thumper_tui.store.models import Deer, Detection, Image, NotSameDeer, ProfileStatus

PRIOR_IOU = 0.5  # a new box this close to an old one is the same animal in the same photo


@dataclass(frozen=True)
class OldDetection:
    """A detection about to be replaced, with the human decisions it carries."""

    id: int
    image_id: int
    box: tuple[float, float, float, float]
    deer_id: int | None
    verified: bool
    corrected_category: str | None


@dataclass
class Placed:
    """What re-ID decided for one new detection."""

    profile: int | None = None  # gallery key: a profile id, or negative for a new profile
    score: float | None = None
    prior: OldDetection | None = None
    burst_id: str | None = None


@dataclass
class BatchIdentities:
    """The outcome for a batch: per image, one :class:`Placed` per found item."""

    placed: dict[int, list[Placed]] = field(default_factory=dict)
    gallery: Gallery | None = None


def bank_to_bytes(bank: np.ndarray[Any, Any]) -> bytes:
    """An exemplar bank as stored: float16 rows, little-endian."""
    return np.asarray(bank, dtype="<f2").tobytes()


def bank_from_bytes(blob: bytes | None, dim: int) -> np.ndarray[Any, Any]:
    """A stored exemplar bank back as float32 rows."""
    if not blob or not dim:
        return np.zeros((0, dim), dtype=np.float32)
    return np.frombuffer(blob, dtype="<f2").astype(np.float32).reshape(-1, dim)


def is_identified(item: Found) -> bool:
    """Whether re-ID places this detection (a deer, not a duplicate box, with an embedding)."""
    return item.category in DEER_CATEGORIES and not item.is_duplicate and item.embedding is not None


async def old_detections(conn: AsyncConnection, image_ids: list[int]) -> list[OldDetection]:
    """The detections of ``image_ids`` as they are before this batch replaces them."""
    rows = await conn.execute(
        select(
            Detection.id,
            Detection.image_id,
            *Detection.box_columns(),
            Detection.deer_id,
            Detection.verified,
            Detection.corrected_category,
        ).where(Detection.image_id.in_(image_ids))
    )
    return [
        OldDetection(
            r.id, r.image_id, (r.x1, r.y1, r.x2, r.y2), r.deer_id, r.verified, r.corrected_category
        )
        for r in rows
    ]


async def _not_same(conn: AsyncConnection) -> dict[int, set[int]]:
    pairs: dict[int, set[int]] = defaultdict(set)
    for a, b in await conn.execute(select(NotSameDeer.deer_a, NotSameDeer.deer_b)):
        pairs[a].add(b)
        pairs[b].add(a)
    return pairs


async def load_gallery(
    conn: AsyncConnection, run_id: int, clear_mode: str, threshold: float, version: str, dim: int
) -> tuple[Gallery, dict[int, set[int]]]:
    """The profiles this batch is matched against, and for each its prior profiles (the
    profiles its detections belonged to before a rebuild; itself otherwise)."""
    query = select(Deer.id, Deer.category, Deer.exemplars, Deer.bank_version).where(
        Deer.status == ProfileStatus.ACTIVE.value
    )
    if clear_mode == "all":
        query = query.where(Deer.built_by_run == run_id)
    gallery = Gallery(threshold)
    priors: dict[int, set[int]] = {}
    for row in await conn.execute(query):
        blob = row.exemplars if row.bank_version == version else None
        gallery.profiles[row.id] = GalleryProfile(row.id, row.category, bank_from_bytes(blob, dim))
        priors[row.id] = {row.id}
    if clear_mode == "all" and gallery.profiles:
        held = await conn.execute(
            select(Detection.deer_id, Detection.prior_deer_id)
            .where(
                Detection.deer_id.in_(list(gallery.profiles)), Detection.prior_deer_id.is_not(None)
            )
            .distinct()
        )
        for deer_id, prior in held:
            if deer_id is not None and prior is not None:
                priors[deer_id].add(prior)
    return gallery, priors


async def _previous_frame(
    conn: AsyncConnection, camera_id: int, taken_at: datetime, batch: set[int]
) -> tuple[datetime, list[Seen], str | None] | None:
    """The latest other photo of this camera within a burst gap before ``taken_at``."""
    image = (
        await conn.execute(
            select(Image.id, Image.taken_at)
            .where(
                Image.camera_id == camera_id,
                Image.taken_at < taken_at,
                Image.taken_at >= taken_at - timedelta(seconds=BURST_SECONDS),
                Image.id.not_in(batch),
            )
            .order_by(Image.taken_at.desc(), Image.id.desc())
            .limit(1)
        )
    ).first()
    if image is None:
        return None
    rows = await conn.execute(
        select(
            *Detection.box_columns(),
            Detection.category,
            Detection.deer_id,
            Detection.burst_id,
        ).where(Detection.image_id == image.id, Detection.deer_id.is_not(None))
    )
    seen, burst = [], None
    for r in rows:
        seen.append(Seen((r.x1, r.y1, r.x2, r.y2), r.category, r.deer_id))
        burst = burst or r.burst_id
    return image.taken_at, seen, burst


def _prior(item: Found, old: list[OldDetection]) -> OldDetection | None:
    best, best_iou = None, PRIOR_IOU
    for candidate in old:
        overlap = iou(item.box, candidate.box)
        if overlap >= best_iou:
            best, best_iou = candidate, overlap
    return best


async def identify_batch(
    conn: AsyncConnection,
    *,
    run_id: int,
    clear_mode: str,
    threshold: float,
    version: str,
    found: Mapping[int, list[Found]],
    old: list[OldDetection],
) -> BatchIdentities:
    """Decide the profile of every identified detection in ``found`` (image id -> items)."""
    outcome = BatchIdentities({i: [Placed() for _ in items] for i, items in found.items()})
    if not found:
        return outcome
    dim = next((len(f.embedding) // 2 for items in found.values() for f in items if f.embedding), 0)
    gallery, priors = await load_gallery(conn, run_id, clear_mode, threshold, version, dim)
    outcome.gallery = gallery
    not_same = await _not_same(conn)
    live = set(await conn.scalars(select(Deer.id).where(Deer.status == ProfileStatus.ACTIVE.value)))
    meta = {
        row.id: row
        for row in await conn.execute(
            select(Image.id, Image.camera_id, Image.taken_at).where(Image.id.in_(list(found)))
        )
    }
    old_by_image: dict[int, list[OldDetection]] = defaultdict(list)
    for detection in old:
        old_by_image[detection.image_id].append(detection)
    batch = set(found)
    last: dict[int, tuple[datetime, list[Seen], str | None]] = {}
    for image_id in sorted(found, key=lambda i: (meta[i].camera_id, meta[i].taken_at, i)):
        camera, taken_at = meta[image_id].camera_id, meta[image_id].taken_at
        previous = last.get(camera)
        if previous is None or (taken_at - previous[0]).total_seconds() > BURST_SECONDS:
            previous = await _previous_frame(conn, camera, taken_at, batch)
        in_burst = (
            previous is not None and (taken_at - previous[0]).total_seconds() <= BURST_SECONDS
        )
        burst_id = (previous[2] if in_burst and previous and previous[2] else None) or (
            f"{camera}:{image_id}"
        )
        items = found[image_id]
        placed = outcome.placed[image_id]
        picks = [i for i, item in enumerate(items) if is_identified(item)]
        for i in range(len(items)):
            placed[i].prior = _prior(items[i], old_by_image[image_id])
            placed[i].burst_id = burst_id
        boxes = [items[i].box for i in picks]
        categories = [items[i].category for i in picks]
        linked: list[int | None] = (
            link(previous[1], boxes, categories) if in_burst and previous else [None] * len(picks)
        )
        blocked: list[set[int]] = []
        kept_places: set[int] = set()
        for slot, i in enumerate(picks):
            prior = placed[i].prior
            banned = not_same.get(prior.deer_id, set()) if prior and prior.deer_id else set()
            blocked.append({k for k, held in priors.items() if held & banned} | banned)
            if (
                clear_mode != "all"
                and prior is not None
                and prior.deer_id in gallery.profiles
                and prior.id not in kept_places
            ):
                # Profiles are kept: a deer found again where it was stays in its profile.
                linked[slot] = prior.deer_id
                kept_places.add(prior.id)
            verified_to = prior.deer_id if prior and prior.verified else None
            if verified_to is not None and verified_to in live:
                if verified_to not in gallery.profiles:  # a rebuild starts from the human's word
                    gallery.profiles[verified_to] = GalleryProfile(
                        verified_to,
                        categories[slot],
                        np.zeros((0, dim), dtype=np.float32),
                        changed=True,
                    )
                priors.setdefault(verified_to, {verified_to})
                linked[slot] = verified_to
                blocked[slot].discard(verified_to)
        vectors = [from_bytes(items[i].embedding or b"") for i in picks]
        founders = [
            items[i].confidence >= FOUNDING_CONFIDENCE or linked[slot] is not None
            for slot, i in enumerate(picks)
        ]
        decisions = assign_photo(gallery, vectors, categories, linked, blocked, founders)
        seen = []
        for slot, (key, score) in zip(picks, decisions, strict=True):
            placed[slot].profile, placed[slot].score = key, score
            if key is None:
                continue
            prior = placed[slot].prior
            if prior and prior.deer_id:
                priors.setdefault(key, set()).add(prior.deer_id)
            seen.append(Seen(items[slot].box, items[slot].category, key))
        last[camera] = (taken_at, seen, burst_id)
    return outcome


def with_identity(item: Found, placed: Placed, profile: int | None) -> dict[str, Any]:
    """The human fields a new detection inherits from the one it replaces (``profile`` is the
    profile id it was given)."""
    prior = placed.prior
    keeps = prior is not None and prior.deer_id is not None and prior.deer_id == profile
    return {
        "verified": bool(keeps and prior is not None and prior.verified),
        "corrected_category": prior.corrected_category if prior is not None else None,
        "prior_deer_id": prior.deer_id if prior is not None else None,
    }
