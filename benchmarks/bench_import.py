"""Import throughput on generated trail-camera JPEGs, SQLite and PostgreSQL.

Prints files/s for ``import_photos`` (what ``thumper import`` runs) and its ratio to a baseline
measured in the same process on the same files: reading and hashing every file with the same
thread count, the floor no import can beat. Files are warm in the page cache for every pass.

    .venv/bin/python benchmarks/bench_import.py [--photos 2000] [--size 1920x1080]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import shutil
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
from PIL import Image, ImageDraw

from thumper_tui.ingest.importer import ImportSummary, import_photos
from thumper_tui.store.engine import make_engine
from thumper_tui.store.migrate import upgrade

CAMERAS = ["Sanctuary2", "Hayfield", "Creek", "Feeder", "NorthGate", "Pond"]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
THREADS = 4


def _make_photo(args: tuple[Path, int, tuple[int, int]]) -> None:
    folder, index, (width, height) = args
    camera = folder.name
    base = Image.effect_noise((width // 4, height // 4), 40).resize((width, height))
    tint = Image.new("RGB", (width, height), (70 + index % 50, 90, 40 + (index * 7) % 60))
    img = Image.blend(base.convert("RGB"), tint, 0.6)
    draw = ImageDraw.Draw(img)
    x = (index * 37) % (width - 300)
    draw.ellipse((x, height // 2, x + 280, height // 2 + 160), fill=(120, 85, 55))
    draw.rectangle((0, height - 40, width, height), fill=(0, 0, 0))
    draw.text(
        (10, height - 30),
        f"{camera} 2025-11-02 13:{index // 60 % 60:02d}:{index % 60:02d}",
        fill=(255, 255, 255),
    )
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = (
        f"2025:11:{1 + index % 28:02d} 13:{index // 60 % 60:02d}:{index % 60:02d}"
    )
    name = (
        f"{camera}_202511{1 + index % 28:02d}_13{index // 60 % 60:02d}{index % 60:02d}"
        f"_{index:03d}.jpg"
        if index % 2
        else f"{camera.upper()}_{index:05d}.jpg"
    )
    img.save(folder / name, "JPEG", quality=85, exif=exif)


def generate(root: Path, photos: int, size: tuple[int, int]) -> list[Path]:
    """``photos`` unique JPEGs spread over six camera folders (kept between runs)."""
    marker = root / f".complete-{photos}-{size[0]}x{size[1]}"
    if not marker.exists():
        shutil.rmtree(root, ignore_errors=True)
        jobs = []
        for i in range(photos):
            folder = root / CAMERAS[i % len(CAMERAS)]
            folder.mkdir(parents=True, exist_ok=True)
            jobs.append((folder, i, size))
        print(f"generating {photos} photos at {size[0]}x{size[1]} in {root} …", flush=True)
        with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
            list(pool.map(_make_photo, jobs, chunksize=16))
        marker.touch()
    return sorted(root.rglob("*.jpg"))


def baseline(files: list[Path]) -> float:
    """Files/s for reading and hashing every file: the floor of any import."""

    def read_hash(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    start = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(read_hash, files))
    return len(files) / (time.perf_counter() - start)


async def import_once(url: str, root: Path) -> tuple[ImportSummary, ImportSummary]:
    engine = make_engine(url)
    try:
        await upgrade(engine)
        first = await import_photos(engine, [root], zone=ZoneInfo("UTC"), threads=THREADS)
        again = await import_photos(engine, [root], zone=ZoneInfo("UTC"), threads=THREADS)
        return first, again
    finally:
        await engine.dispose()


async def pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=2000)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--data", type=Path, default=Path("bench-data/import"))
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    files = generate(args.data, args.photos, (width, height))
    megabytes = sum(f.stat().st_size for f in files) / 2**20
    print(f"{len(files)} files, {megabytes:.0f} MiB, {THREADS} threads, {os.cpu_count()} cores")
    baseline(files)  # warm the page cache so every pass reads from memory
    floor = baseline(files)
    print(f"{'baseline: read + sha256':<34} {floor:8.0f} files/s   1.00x")

    targets = [("sqlite", None)]
    try:
        asyncio.run(pg_admin("SELECT 1"))
        targets.append(("postgresql", f"thumper_bench_{uuid.uuid4().hex[:8]}"))
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"postgresql: skipped ({exc})")
    for backend, pg_db in targets:
        with tempfile.TemporaryDirectory() as tmp:
            if pg_db:
                asyncio.run(pg_admin(f'CREATE DATABASE "{pg_db}"'))
                url = f"postgresql://postgres@127.0.0.1:5432/{pg_db}"
            else:
                url = f"sqlite:///{tmp}/bench.db"
            try:
                first, again = asyncio.run(import_once(url, args.data))
            finally:
                if pg_db:
                    asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{pg_db}" WITH (FORCE)'))
        assert first.imported == len(files), first.as_json()
        assert again.already_known == len(files), again.as_json()
        for label, summary in ((f"import, {backend}", first), (f"re-import, {backend}", again)):
            rate = summary.files_per_second
            print(f"{label:<34} {rate:8.0f} files/s   {rate / floor:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
