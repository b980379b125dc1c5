"""How fast the profiles screen opens and answers on a season's herd.

Seeds a ranch of 60 profiles and 20,000 deer detections (10,000 photos, each a link to one
real camera-trap frame) in SQLite, or the PostgreSQL database given, and drives the real app
headless (half-block photos, 120x40): pressing ``4`` until the first profile's photo and crop
strip are drawn, ``j`` to the next profile drawn, ``→`` to the next crop, and naming a profile
(``n``, Enter) until the name is in the database and on screen. The baseline, measured the
same way in the same run, is the same screen on a herd a hundredth the size.

    .venv/bin/python benchmarks/bench_profiles_screen.py [--database-url URL] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.dashboard_app import make_app, until
from tests.photo_herd import PHOTO, idle
from thumper_tui.engine.profiles import refresh_profiles
from thumper_tui.store.engine import make_engine
from thumper_tui.store.migrate import upgrade
from thumper_tui.store.models import Camera, Deer, Detection, Image
from thumper_tui.ui.screens.profiles import ProfilesScreen
from thumper_tui.vocabulary.codec import vector_to_bytes

START = datetime(2026, 9, 1, tzinfo=UTC)


async def seed(url: str, folder: Path, profiles: int, detections: int) -> None:
    """``profiles`` does and ``detections`` detections, two per photo, over four cameras."""
    engine = make_engine(url)
    await upgrade(engine)
    rng = np.random.default_rng(7)
    photos = detections // 2
    async with engine.begin() as conn:
        if url.startswith("postgresql"):
            await conn.execute(text("TRUNCATE cameras, images, detections, deer, audit CASCADE"))
        cameras = [
            (
                await conn.execute(insert(Camera).values(name=f"Cam {c}").returning(Camera.id))
            ).scalar_one()
            for c in range(4)
        ]
        deer = []
        for _ in range(profiles):
            v = rng.normal(size=128)
            deer.append(
                (
                    await conn.execute(
                        insert(Deer)
                        .values(category="doe", prototype=vector_to_bytes(v / np.linalg.norm(v)),
                                bank_version="thumper-reid-v2")
                        .returning(Deer.id)
                    )
                ).scalar_one()
            )  # fmt: skip
        rows = []
        for i in range(photos):
            link = folder / f"p{i:05d}.jpg"
            if not link.exists():
                link.symlink_to(PHOTO)
            when = START + timedelta(minutes=7 * i)
            rows.append({
                "path": str(link), "sha256": f"{i:064x}", "camera_id": cameras[i % 4],
                "taken_at": when, "timestamp_source": "exif", "width": 2048, "height": 1536,
                "file_size": 870726, "status": "done", "imported_at": when,
            })  # fmt: skip
        await conn.execute(insert(Image), rows)
        ids = list(await conn.scalars(select(Image.id).order_by(Image.id)))
        found = []
        for n, image_id in enumerate(ids):
            for k in range(2):
                x = 0.1 + 0.45 * k
                found.append({
                    "image_id": image_id, "x1": x, "y1": 0.3, "x2": x + 0.3, "y2": 0.7,
                    "confidence": float(rng.uniform(0.5, 0.99)), "class_name": "doe",
                    "category": "doe", "species": "deer", "deer_id": deer[(2 * n + k) % profiles],
                    "match_score": float(rng.uniform(0.6, 0.95)),
                })  # fmt: skip
        await conn.execute(insert(Detection), found)
        await refresh_profiles(conn, deer)
    await engine.dispose()


async def measure(url: str) -> dict[str, float]:
    """Seconds: open, next profile, next crop, name."""
    app = make_app(url, photos="halfblock", database_interval=1.5)  # the dashboard's own pace
    async with app.run_test(size=(120, 40)) as pilot:
        began = time.perf_counter()
        await pilot.press("4")
        await until(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        screen: Any = app.screen

        def drawn() -> bool:
            return screen.detail is not None and bool(screen.photos) and idle(screen)

        await until(pilot, drawn, within=120)
        opened = time.perf_counter() - began
        first = screen.detail["id"]
        began = time.perf_counter()
        await pilot.press("j")
        await until(pilot, lambda: drawn() and screen.detail["id"] != first, within=60)
        step = time.perf_counter() - began
        began = time.perf_counter()
        await pilot.press("right")
        await until(pilot, lambda: screen.shown == 1 and idle(screen), within=60)
        crop = time.perf_counter() - began
        began = time.perf_counter()
        await pilot.press("n")
        await until(pilot, lambda: app.screen is not screen, within=60)
        await pilot.press("enter")
        target = screen.detail["id"]
        await until(
            pilot,
            lambda: (
                drawn()
                and any(p.id == target and p.name for p in screen.profiles)
                and screen.detail["name"] is not None
            ),
            within=60,
        )
        named = time.perf_counter() - began
    return {"open_s": opened, "next_profile_s": step, "next_crop_s": crop, "name_s": named}


def run(
    url: str | None, folder: Path, profiles: int, detections: int, repeat: int
) -> dict[str, Any]:
    target = url or f"sqlite:///{folder / 'thumper.db'}"
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    asyncio.run(seed(target, folder / "photos", profiles, detections))
    seeded = time.perf_counter() - began
    samples = []
    for _ in range(repeat):
        samples.append(asyncio.run(measure(target)))
        asyncio.run(_unname(target))
    out: dict[str, Any] = {
        k: round(statistics.median(s[k] for s in samples), 3) for k in samples[0]
    }
    return {"profiles": profiles, "detections": detections, "seed_s": round(seeded, 1), **out}


async def _unname(url: str) -> None:
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE deer SET name = NULL"))
        await conn.execute(text("DELETE FROM audit"))
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL database to fill (it is emptied)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as small_dir, tempfile.TemporaryDirectory() as big_dir:
        baseline = run(args.database_url, Path(small_dir), 6, 200, args.repeat)
        season = run(args.database_url, Path(big_dir), 60, 20_000, args.repeat)
    ratios = {
        k: round(season[k] / baseline[k], 2)
        for k in ("open_s", "next_profile_s", "next_crop_s", "name_s")
    }
    result = {"baseline": baseline, "season": season, "ratio_season_vs_baseline": ratios}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{'':14} {'baseline':>10} {'season':>10} {'ratio':>7}")
    print(f"{'herd':14} {'6 / 200':>10} {'60 / 20k':>10}")
    for k, ratio in ratios.items():
        print(f"{k:14} {baseline[k]:>10.3f} {season[k]:>10.3f} {ratio:>7.2f}")


if __name__ == "__main__":
    main()
