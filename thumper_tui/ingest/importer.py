"""``thumper import``: scan, probe in threads, write in batches, summarise.

Each batch is one transaction. Paths already in the database are skipped before any file is
read, so re-importing a season is cheap; a photo whose content is already stored under another
path is reported as a duplicate and not imported twice.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from thumper_tui.ingest.probe import ProbedImage, probe
from thumper_tui.ingest.scan import Candidate, Failure, ScanResult, scan
from thumper_tui.store.dialect_insert import insert_ignoring_conflicts
from thumper_tui.store.models import Camera, Image
from thumper_tui.vocabulary.states import ImageStatus, TimestampSource

# Trail cameras take bursts of up to about five photos a trigger, often within one second.
BURST_MAX = 5


@dataclass(frozen=True)
class Duplicate:
    """A photo whose content is already imported under ``original``."""

    path: str
    original: str


@dataclass
class ImportSummary:
    """The outcome of one import; ``failures`` and ``duplicates`` name each path."""

    found: int = 0
    imported: int = 0
    already_known: int = 0
    duplicates: list[Duplicate] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    cameras_created: list[str] = field(default_factory=list)
    seconds: float = 0.0
    timestamp_sources: Counter[str] = field(default_factory=Counter)
    synthetic: int = 0
    instants: Counter[tuple[str, datetime]] = field(default_factory=Counter)

    def count_time(self, image: ProbedImage) -> None:
        """Tally an imported photo's timestamp source, its instant and its mark."""
        self.timestamp_sources[image.timestamp_source] += 1
        self.instants[(image.camera, image.taken_at)] += 1
        self.synthetic += image.synthetic

    @property
    def collapsed_times(self) -> list[tuple[str, datetime, int]]:
        """(camera, instant, photos) where more photos share one second than a burst takes:
        their clock, or the copy that gave them their file times, is wrong."""
        return sorted(
            (camera, instant, n) for (camera, instant), n in self.instants.items() if n > BURST_MAX
        )

    @property
    def from_file_times(self) -> int:
        """Photos whose time is their file's modification time (no camera time in them)."""
        return self.timestamp_sources.get(TimestampSource.MTIME.value, 0)

    @property
    def files_per_second(self) -> float:
        """Files handled (imported, known, duplicate or failed) per second of wall time."""
        return self.found / self.seconds if self.seconds > 0 else 0.0

    def as_json(self) -> dict[str, object]:
        """The summary as the public JSON shape of ``thumper import --json``."""
        return {
            "found": self.found,
            "imported": self.imported,
            "already_known": self.already_known,
            "duplicates": [{"path": d.path, "original": d.original} for d in self.duplicates],
            "failed": [{"path": f.path, "reason": f.reason} for f in self.failures],
            "cameras_created": self.cameras_created,
            "timestamp_sources": {
                source.value: self.timestamp_sources.get(source.value, 0)
                for source in TimestampSource
            },
            "collapsed_times": [
                {"camera": camera, "taken_at": instant.isoformat(), "photos": n}
                for camera, instant, n in self.collapsed_times
            ],
            "synthetic": self.synthetic,
            "seconds": round(self.seconds, 3),
            "files_per_second": round(self.files_per_second, 1),
        }


ProgressCallback = Callable[[int], None]


async def _camera_ids(
    conn: AsyncConnection, names: set[str], cache: dict[str, int], created: list[str]
) -> None:
    missing = sorted(names - cache.keys())
    if not missing:
        return
    await conn.execute(
        insert_ignoring_conflicts(conn, Camera, ["name"]),
        [{"name": n, "active": True, "created_at": datetime.now(UTC)} for n in missing],
    )
    rows = await conn.execute(select(Camera.name, Camera.id).where(Camera.name.in_(missing)))
    for name, camera_id in rows:
        if name not in cache:
            cache[name] = camera_id
    created.extend(missing)


class _BatchWriter:
    """Writes one batch of probed photos in one transaction and tallies the outcome."""

    def __init__(self, engine: AsyncEngine, summary: ImportSummary) -> None:
        self.engine = engine
        self.summary = summary
        self.cameras: dict[str, int] = {}

    async def known_paths(self, paths: Sequence[str]) -> set[str]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(Image.path).where(Image.path.in_(paths)))
            return {r[0] for r in rows}

    async def write(self, probed: list[ProbedImage]) -> None:
        # Two copies of one photo inside the batch: the first in path order is the original.
        by_hash: dict[str, ProbedImage] = {}
        copies: list[ProbedImage] = []
        for item in probed:
            if by_hash.setdefault(item.sha256, item) is not item:
                copies.append(item)
        originals = {sha: item.path for sha, item in by_hash.items()}
        if not by_hash:
            return
        async with self.engine.begin() as conn:
            rows = await conn.execute(
                select(Image.sha256, Image.path).where(Image.sha256.in_(list(by_hash)))
            )
            for sha, original in rows:
                item = by_hash.pop(sha)
                originals[sha] = original
                self.summary.duplicates.append(Duplicate(item.path, original))
            self.summary.duplicates.extend(Duplicate(c.path, originals[c.sha256]) for c in copies)
            fresh = list(by_hash.values())
            if not fresh:
                return
            await _camera_ids(
                conn, {p.camera for p in fresh}, self.cameras, self.summary.cameras_created
            )
            now = datetime.now(UTC)
            stmt = insert_ignoring_conflicts(conn, Image, None).returning(Image.path)
            result = await conn.execute(
                stmt,
                [
                    {
                        "path": p.path,
                        "sha256": p.sha256,
                        "camera_id": self.cameras[p.camera],
                        "taken_at": p.taken_at,
                        "timestamp_source": p.timestamp_source,
                        "width": p.width,
                        "height": p.height,
                        "file_size": p.file_size,
                        "synthetic": p.synthetic,
                        "status": ImageStatus.PENDING.value,
                        "attempts": 0,
                        "imported_at": now,
                    }
                    for p in fresh
                ],
            )
            inserted = {r[0] for r in result}
        self.summary.imported += len(inserted)
        for p in fresh:
            if p.path in inserted:
                self.summary.count_time(p)
        # Rows another importer wrote between our check and our insert.
        self.summary.already_known += len(fresh) - len(inserted)


async def import_photos(
    engine: AsyncEngine,
    roots: Sequence[Path],
    *,
    zone: tzinfo,
    camera: str | None = None,
    threads: int = 4,
    batch_size: int = 500,
    on_found: Callable[[int], None] | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Import every JPEG under ``roots``; one bad file never stops the rest.

    ``on_found`` is called once with the number of candidate files, ``on_progress`` with the
    number of files handled after each step, so a caller can draw a progress bar.
    """
    scanned = await asyncio.get_running_loop().run_in_executor(None, scan, list(roots), camera)
    return await import_scanned(
        engine,
        scanned,
        zone=zone,
        threads=threads,
        batch_size=batch_size,
        on_found=on_found,
        on_progress=on_progress,
    )


async def import_scanned(
    engine: AsyncEngine,
    scanned: ScanResult,
    *,
    zone: tzinfo,
    threads: int = 4,
    batch_size: int = 500,
    on_found: Callable[[int], None] | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Import the files of a scan (or of a list, :func:`thumper_tui.ingest.scan.listed`), as
    :func:`import_photos` does."""
    started = time.perf_counter()
    summary = ImportSummary()
    loop = asyncio.get_running_loop()
    summary.failures.extend(scanned.failures)
    summary.found = len(scanned.candidates) + len(scanned.failures)
    if on_found:
        on_found(summary.found)
    if on_progress and scanned.failures:
        on_progress(len(scanned.failures))
    writer = _BatchWriter(engine, summary)
    now = datetime.now(UTC)
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="thumper-probe") as pool:
        pending_write: asyncio.Task[None] | None = None
        for start in range(0, len(scanned.candidates), batch_size):
            batch = scanned.candidates[start : start + batch_size]
            known = await writer.known_paths([c.path for c in batch])
            summary.already_known += len(known)
            todo: list[Candidate] = [c for c in batch if c.path not in known]
            if on_progress and known:
                on_progress(len(known))
            futures = [loop.run_in_executor(pool, probe, c, zone, now) for c in todo]
            probed: list[ProbedImage] = []
            for future in asyncio.as_completed(futures):
                outcome = await future
                if isinstance(outcome, Failure):
                    summary.failures.append(outcome)
                else:
                    probed.append(outcome)
                if on_progress:
                    on_progress(1)
            probed.sort(key=lambda p: p.path)
            # Write this batch while the next one is read.
            if pending_write is not None:
                await pending_write
            pending_write = asyncio.create_task(writer.write(probed))
        if pending_write is not None:
            await pending_write
    summary.failures.sort(key=lambda f: f.path)
    summary.seconds = time.perf_counter() - started
    return summary
