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
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from thumper_tui.detector.inference import Found
from thumper_tui.reid.bursts import BURST_SECONDS, Seen, link
from thumper_tui.reid.gallery import (
    FOUNDING_CONFIDENCE,
    Gallery,
    GalleryProfile,
    assign_photo,
)
from thumper_tui.store.models import Deer, Detection, Image, NotSameDeer
from thumper_tui.vocabulary.boxes import iou
from thumper_tui.vocabulary.categories import DEER_CATEGORIES
from thumper_tui.vocabulary.codec import bank_from_bytes, dimension_of, vector_from_bytes
from thumper_tui.vocabulary.states import ClearMode, ProfileStatus

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
    if clear_mode == ClearMode.ALL:
        query = query.where(Deer.built_by_run == run_id)
    gallery = Gallery(threshold)
    priors: dict[int, set[int]] = {}
    for row in await conn.execute(query):
        blob = row.exemplars if row.bank_version == version else None
        gallery.profiles[row.id] = GalleryProfile(row.id, row.category, bank_from_bytes(blob, dim))
        priors[row.id] = {row.id}
    if clear_mode == ClearMode.ALL and gallery.profiles:
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


class Frame(NamedTuple):
    """A camera's latest photo as the next one of its burst sees it."""

    taken_at: datetime
    seen: list[Seen]
    burst_id: str | None


@dataclass
class BatchContext:
    """What every photo of a batch is matched against: the gallery, each profile's prior
    profiles, "not the same deer" pairs, and the live profile ids."""

    clear_mode: str
    dim: int
    gallery: Gallery
    priors: dict[int, set[int]]
    not_same: dict[int, set[int]]
    live: set[int]


async def _previous_frame(
    conn: AsyncConnection, camera_id: int, taken_at: datetime, batch: set[int]
) -> Frame | None:
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
    return Frame(image.taken_at, seen, burst)


def _prior(item: Found, old: list[OldDetection]) -> OldDetection | None:
    best, best_iou = None, PRIOR_IOU
    for candidate in old:
        overlap = iou(item.box, candidate.box)
        if overlap >= best_iou:
            best, best_iou = candidate, overlap
    return best


def _within_burst(frame: Frame | None, taken_at: datetime) -> bool:
    return frame is not None and (taken_at - frame.taken_at).total_seconds() <= BURST_SECONDS


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
    dim = next(
        (dimension_of(f.embedding) for items in found.values() for f in items if f.embedding), 0
    )
    gallery, priors = await load_gallery(conn, run_id, clear_mode, threshold, version, dim)
    outcome.gallery = gallery
    live = set(await conn.scalars(select(Deer.id).where(Deer.status == ProfileStatus.ACTIVE.value)))
    context = BatchContext(clear_mode, dim, gallery, priors, await _not_same(conn), live)
    meta = {
        row.id: row
        for row in await conn.execute(
            select(Image.id, Image.camera_id, Image.taken_at).where(Image.id.in_(list(found)))
        )
    }
    old_by_image: dict[int, list[OldDetection]] = defaultdict(list)
    for detection in old:
        old_by_image[detection.image_id].append(detection)
    last: dict[int, Frame] = {}
    for image_id in sorted(found, key=lambda i: (meta[i].camera_id, meta[i].taken_at, i)):
        camera, taken_at = meta[image_id].camera_id, meta[image_id].taken_at
        previous = last.get(camera)
        if not _within_burst(previous, taken_at):
            previous = await _previous_frame(conn, camera, taken_at, set(found))
        if not _within_burst(previous, taken_at):
            previous = None
        burst_id = (previous.burst_id if previous else None) or f"{camera}:{image_id}"
        placed = outcome.placed[image_id]
        for item, place in zip(found[image_id], placed, strict=True):
            place.prior = _prior(item, old_by_image[image_id])
            place.burst_id = burst_id
        seen = _identify_photo(context, found[image_id], placed, previous)
        last[camera] = Frame(taken_at, seen, burst_id)
    return outcome


def _identify_photo(
    context: BatchContext, items: list[Found], placed: list[Placed], previous: Frame | None
) -> list[Seen]:
    """Place the identified deer of one photo (``previous``: the frame before it in its
    burst); returns the deer this photo shows the next frame."""
    picks = [
        i for i, item in enumerate(items) if is_identified(item) and not taken_out(placed[i].prior)
    ]
    categories = [items[i].category for i in picks]
    linked: list[int | None] = (
        link(previous.seen, [items[i].box for i in picks], categories)
        if previous
        else [None] * len(picks)
    )
    kept_places: set[int] = set()  # old detections whose place a new one already keeps
    blocked = [
        _constrain(context, placed[i].prior, categories[slot], linked, slot, kept_places)
        for slot, i in enumerate(picks)
    ]
    vectors = [vector_from_bytes(items[i].embedding or b"") for i in picks]
    founders = [
        items[i].confidence >= FOUNDING_CONFIDENCE or linked[slot] is not None
        for slot, i in enumerate(picks)
    ]
    decisions = assign_photo(context.gallery, vectors, categories, linked, blocked, founders)
    seen = []
    for i, (key, score) in zip(picks, decisions, strict=True):
        placed[i].profile, placed[i].score = key, score
        if key is None:
            continue
        prior = placed[i].prior
        if prior and prior.deer_id:
            context.priors.setdefault(key, set()).add(prior.deer_id)
        seen.append(Seen(items[i].box, items[i].category, key))
    return seen


def _constrain(
    context: BatchContext,
    prior: OldDetection | None,
    category: str,
    linked: list[int | None],
    slot: int,
    kept_places: set[int],
) -> set[int]:
    """The human decisions one detection carries from ``prior``, the detection at its place
    before: it keeps its profile (unless the run rebuilds them), always a verified one
    (``linked[slot]`` is set), and it may not join a profile said to differ from its old one
    (returned: the profiles it is blocked from)."""
    gallery, priors = context.gallery, context.priors
    banned = context.not_same.get(prior.deer_id, set()) if prior and prior.deer_id else set()
    blocked = {k for k, held in priors.items() if held & banned} | banned
    if (
        context.clear_mode != ClearMode.ALL
        and prior is not None
        and prior.deer_id in gallery.profiles
        and prior.id not in kept_places
    ):
        # Profiles are kept: a deer found again where it was stays in its profile.
        linked[slot] = prior.deer_id
        kept_places.add(prior.id)
    verified_to = prior.deer_id if prior and prior.verified else None
    if verified_to is not None and verified_to in context.live:
        if verified_to not in gallery.profiles:  # a rebuild starts from the human's word
            gallery.profiles[verified_to] = GalleryProfile(
                verified_to, category, np.zeros((0, context.dim), dtype=np.float32), changed=True
            )
        priors.setdefault(verified_to, {verified_to})
        linked[slot] = verified_to
        blocked.discard(verified_to)
    return blocked


def taken_out(prior: OldDetection | None) -> bool:
    """Whether a human took the detection at this place out of every profile (``take_out``):
    the one that replaces it stays unplaced."""
    return prior is not None and prior.verified and prior.deer_id is None


def with_identity(item: Found, placed: Placed, profile: int | None) -> dict[str, Any]:
    """The human fields a new detection inherits from the one it replaces (``profile`` is the
    profile id it was given)."""
    prior = placed.prior
    keeps = prior is not None and prior.deer_id is not None and prior.deer_id == profile
    return {
        "verified": bool(keeps and prior is not None and prior.verified)
        or (profile is None and taken_out(prior)),
        "corrected_category": prior.corrected_category if prior is not None else None,
        "prior_deer_id": prior.deer_id if prior is not None else None,
    }
