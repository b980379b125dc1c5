"""Name the whole demo ranch, from the keyboard and with ``names apply``, then reprocess it.

Draws the ``make demo`` ranch (300 photos, seed 7; kept in ``--work`` and reused), imports and
processes it into a fresh SQLite database, then drives the real dashboard headless with keys
only: names the first ``--by-key`` profiles from the suggestions (``n``, Enter, ``N``), writes a
note, picks the second crop as a primary photo, corrects a profile's category, merges the last
profile into the first, and splits two crops off another. ``thumper names apply --all-unnamed``
names the rest. A full ``thumper reprocess --clear-mode all`` follows, and every decision is
looked for again: each name, note, primary photo (by its place in its photo), correction,
merge and split. Prints what was kept, as JSON.

    .venv/bin/python benchmarks/name_demo_ranch.py [--work build/name-demo] [--by-key 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from textual.widgets import Input

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.dashboard_app import make_app, until
from tests.photo_herd import opened, shown
from thumper_tui.store.engine import make_engine
from thumper_tui.store.models import Deer, Detection
from thumper_tui.ui.screens.ask import AskScreen
from thumper_tui.ui.screens.choose import ChooseScreen
from thumper_tui.ui.screens.profile_picker import ProfilePicker
from thumper_tui.vocabulary.boxes import iou

OTHER = {"buck": ("d", "doe"), "doe": ("f", "fawn"), "fawn": ("d", "doe"), "unknown": ("d", "doe")}


def thumper(url: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "thumper_tui", "--database-url", url, *args],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        raise SystemExit(f"thumper {' '.join(args)} failed:\n{done.stderr.strip()}")
    return done.stdout


async def state(url: str) -> dict[str, Any]:
    """Profiles and deer detections as they are now."""
    engine = make_engine(url)
    async with engine.connect() as conn:
        deer = {r.id: r._asdict() for r in await conn.execute(select(
            Deer.id, Deer.name, Deer.notes, Deer.category, Deer.status, Deer.merged_into,
            Deer.primary_detection_id))}  # fmt: skip
        found = [r._asdict() for r in await conn.execute(select(
            Detection.id, Detection.image_id, Detection.x1, Detection.y1, Detection.x2,
            Detection.y2, Detection.deer_id, Detection.corrected_category, Detection.verified,
        ).where(Detection.species == "deer", Detection.is_duplicate.is_(False)))]  # fmt: skip
    await engine.dispose()
    return {"deer": deer, "detections": found}


def at(detections: list[dict[str, Any]], place: dict[str, Any]) -> dict[str, Any] | None:
    """The detection at ``place`` (same photo, IoU >= 0.5), if any."""
    box = (place["x1"], place["y1"], place["x2"], place["y2"])
    best = max(
        (d for d in detections if d["image_id"] == place["image_id"]),
        key=lambda d: iou((d["x1"], d["y1"], d["x2"], d["y2"]), box),
        default=None,
    )
    if best is None or iou((best["x1"], best["y1"], best["x2"], best["y2"]), box) < 0.5:
        return None
    return best


async def name_by_keys(url: str, by_key: int) -> dict[str, Any]:
    """The keyboard session; returns what it decided."""
    app = make_app(url, photos="halfblock", database_interval=1.5)
    made: dict[str, Any] = {"named": {}}
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await shown(pilot)
        for _ in range(by_key):
            ask = await opened(pilot, "n", AskScreen)
            name = ask.query_one(Input).value
            profile = screen.detail["id"]  # type: ignore[index]
            await pilot.press("enter")
            await until(
                pilot, lambda p=profile: any(x.id == p and x.name for x in screen.profiles), 30
            )
            made["named"][profile] = name
            await pilot.press("N")
            await shown(pilot)
        await pilot.press("ctrl+home")
        screen = await shown(pilot)
        first = screen.detail["id"]  # type: ignore[index]
        await opened(pilot, "e", AskScreen)
        await pilot.press(*"white throat, limps", "enter")
        await until(pilot, lambda: screen.detail["notes"] == "white throat, limps", 30)  # type: ignore[index]
        await pilot.press("right")
        made["primary"] = (first, screen.photos[1]["detection"])
        await pilot.press("p")
        await until(
            pilot,
            lambda: (screen.detail["primary_photo"] or {}).get("detection") == made["primary"][1],
            30,
        )  # type: ignore[index]
        await pilot.press("j")
        screen = await shown(pilot)
        corrected = screen.detail["id"]  # type: ignore[index]
        key, category = OTHER[screen.detail["category"]]  # type: ignore[index]
        await opened(pilot, "c", ChooseScreen)
        await pilot.press(key)
        await until(pilot, lambda: screen.detail["category"] == category, 30)  # type: ignore[index]
        made["corrected"] = (corrected, category)
        await pilot.press("ctrl+end")
        screen = await shown(pilot)
        gone = screen.detail["id"]  # type: ignore[index]
        picker = await opened(pilot, "m", ProfilePicker)
        await pilot.press(*str(first))
        await until(pilot, lambda: bool(picker._shown) and picker._shown[0].id == first, 30)
        await pilot.press("enter")
        await until(pilot, lambda: all(p.id != gone for p in screen.profiles), 30)
        made["merged"] = (gone, first)
        await pilot.press("ctrl+home", "j", "j")
        screen = await shown(pilot)
        source = screen.detail["id"]  # type: ignore[index]
        split = [screen.photos[0]["detection"], screen.photos[1]["detection"]]
        await pilot.press("space", "right", "space", "s")
        await until(
            pilot, lambda: any(p.sightings == 2 and p.id > source for p in screen.profiles), 30
        )
        made["split"] = (source, split)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("build/name-demo"))
    parser.add_argument("--by-key", type=int, default=10)
    args = parser.parse_args()
    ranch, database = args.work / "ranch", args.work / "thumper.db"
    if not (ranch / "truth.json").exists():
        synth = ["synth", "--out", str(ranch), "--images", "300", "--seed", "7"]
        subprocess.run([sys.executable, "-m", "thumper_tui", *synth], check=True)
    database.unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    began = time.perf_counter()
    thumper(url, "import", str(ranch))
    thumper(url, "process")
    processed = time.perf_counter() - began
    began = time.perf_counter()
    made = asyncio.run(name_by_keys(url, args.by_key))
    by_keys = time.perf_counter() - began
    thumper(url, "names", "apply", "--all-unnamed")
    before = asyncio.run(state(url))
    live = {i: d for i, d in before["deer"].items() if d["status"] == "active"}
    assert all(d["name"] for d in live.values()), "names apply left a profile unnamed"
    places = {d["id"]: d for d in before["detections"]}
    began = time.perf_counter()
    thumper(url, "reprocess", "--clear-mode", "all")
    reprocessed = time.perf_counter() - began
    after = asyncio.run(state(url))
    deer, found = after["deer"], after["detections"]

    names_kept = sum(
        1 for i, d in live.items() if deer.get(i, {}).get("name") == d["name"]
        and deer[i]["status"] == "active"
    )  # fmt: skip
    first, photo = made["primary"]
    primary_place = at(found, places[photo])
    corrected, category = made["corrected"]
    corrected_places = [p for p in before["detections"] if p["deer_id"] == corrected]
    gone, survivor = made["merged"]
    merged_places = [p for p in before["detections"] if p["deer_id"] == survivor]
    _, split = made["split"]
    new = places[split[0]]["deer_id"]

    def kept(wanted: list[dict[str, Any]], key: str, value: Any) -> bool:
        return all((at(found, p) or {}).get(key) == value for p in wanted)

    report = {
        "photos": 300,
        "live_profiles": len(live),
        "named_by_keys": len(made["named"]),
        "named_by_names_apply": len(live) - len(made["named"]),
        "names_kept": f"{names_kept}/{len(live)}",
        "notes_kept": deer[first]["notes"] == "white throat, limps",
        "primary_kept": primary_place is not None
        and deer[first]["primary_detection_id"] == primary_place["id"],
        "correction_kept": deer[corrected]["category"] == category
        and kept(corrected_places, "corrected_category", category),
        "merge_kept": deer[gone]["status"] == "merged" and kept(merged_places, "deer_id", survivor),
        "split_kept": kept([places[d] for d in split], "deer_id", new)
        and deer[new]["status"] == "active",
        "seconds": {
            "import_and_process": round(processed, 1),
            "keyboard_session": round(by_keys, 1),
            "full_reprocess": round(reprocessed, 1),
        },
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
