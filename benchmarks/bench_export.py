"""Export sizes, times and memory at a season's scale, against a tenth of it.

Seeds a processed herd straight into the database (tests/seeded_herd.py: photos done, two
detections each, four placed cameras) at 10,000 and 100,000 detections, in SQLite or the
PostgreSQL database given, and writes each export (MegaDetector JSON, Camtrap DP with its
frictionless check, CSV). Prints, for each, the time, the size, the rows per second and how far
the process's resident memory rose above where it stood before the export (sampled every 10
ms). Streaming holds if the rise at 100,000 is about that at 10,000.

    .venv/bin/python benchmarks/bench_export.py [--database-url URL] [--detections 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.seeded_herd import seed_herd
from thumper_tui.interop.camtrap.validate import validate_package
from thumper_tui.interop.camtrap.writer import export_camtrap
from thumper_tui.interop.megadetector.writer import export_megadetector
from thumper_tui.interop.tables import export_tables
from thumper_tui.store.engine import make_engine
from thumper_tui.store.migrate import upgrade


class PeakRss:
    """The highest resident memory of this process while the block runs, in MB."""

    def __enter__(self) -> PeakRss:
        self.process = psutil.Process()
        self.before = self.peak = self.process.memory_info().rss
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self) -> None:
        while self.running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.01)

    def __exit__(self, *exc: object) -> None:
        self.running = False
        self.thread.join()

    @property
    def rise_mb(self) -> float:
        return (self.peak - self.before) / 1e6


async def measure(url: str, detections: int, out: Path) -> dict[str, Any]:
    engine = make_engine(url)
    await upgrade(engine)
    if url.startswith("postgresql"):
        async with engine.begin() as conn:
            await conn.execute(text("TRUNCATE cameras, images, detections, deer, runs CASCADE"))
    started = time.perf_counter()
    seeded = await seed_herd(engine, photos=detections // 2)
    seed_s = time.perf_counter() - started
    figures: dict[str, Any] = {"detections": seeded, "seed_s": round(seed_s, 1)}
    exports: dict[str, Callable[[], Awaitable[Any]]] = {
        "megadetector": lambda: export_megadetector(engine, out / "md.json", root="/srv/cards"),
        "camtrap-dp": lambda: export_camtrap(engine, out / "dp", root="/srv/cards"),
        "csv": lambda: export_tables(engine, out / "csv", root="/srv/cards"),
    }
    for name, run in exports.items():
        with PeakRss() as rss:
            exported = await run()
        row = {
            "seconds": round(exported.seconds, 2),
            "mb": round(exported.bytes / 1e6, 1),
            "rows_per_s": round(exported.detections / exported.seconds),
            "rss_rise_mb": round(rss.rise_mb, 1),
        }
        if name == "camtrap-dp":
            checked = time.perf_counter()
            problems = validate_package(out / "dp" / "datapackage.json")
            row["validation"] = "valid" if not problems else problems[:3]
            row["validate_s"] = round(time.perf_counter() - checked, 1)
        figures[name] = row
    await engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--detections", type=int, default=100_000)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in (args.detections // 10, args.detections):
            folder = Path(tmp) / str(size)
            folder.mkdir()
            url = args.database_url or f"sqlite:///{folder / 'thumper.db'}"
            results[size] = asyncio.run(measure(url, size, folder))
    small, large = results[args.detections // 10], results[args.detections]
    for name in ("megadetector", "camtrap-dp", "csv"):
        a, b = small[name], large[name]
        pace = b["rows_per_s"] / a["rows_per_s"]
        print(
            f"{name:12} {large['detections']:>7,} detections: {b['seconds']:6.1f} s, "
            f"{b['mb']:6.1f} MB, {b['rows_per_s']:>7,} rows/s (x{pace:.2f} "
            f"of the tenth), memory +{b['rss_rise_mb']:.0f} MB (tenth: +{a['rss_rise_mb']:.0f} MB)"
            + (f", check {b['validation']} in {b['validate_s']} s" if "validation" in b else "")
        )
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
