"""Re-identification quality over several synthetic ranches, through the engine.

For each seed: draw a ranch of 30 deer and 1,500 photos at 1920x1080 (kept in ``--work`` and
reused), ``thumper import`` and ``thumper process`` it into a fresh SQLite database, then
``thumper eval reid``. Prints each ranch's profiles, B-cubed F1 and profiles mixing a true buck
and a true doe, and the totals. One ranch takes about two and a half minutes on two cores.

    .venv/bin/python benchmarks/reid_ranches.py --seeds 4500-4509 [--work build/reid-ranches]

The seeds 4500-4509 are the validation ranches the consolidation weights were chosen on
(docs/reid.md); 4000 is the target ranch, used for nothing else.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path


def thumper(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "thumper_tui", *args], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"thumper {' '.join(args)} failed:\n{done.stderr.strip()}")
    return done.stdout


def seeds(text: str) -> list[int]:
    seeds: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        seeds.extend(range(int(first), int(last or first) + 1))
    return seeds


def sqlite_url(database: Path) -> str:
    """The URL of the SQLite database file ``database``."""
    return f"sqlite+aiosqlite:///{database.resolve()}"


def draw_ranch(work: Path, seed: int) -> Path:
    """The ranch of ``seed`` (30 deer, 1,500 photos at 1920x1080), drawn where ``work`` lacks it."""
    ranch = work / f"ranch-{seed}"
    if not (ranch / "truth.json").exists():
        size = ("--images", "1500", "--deer", "30")
        thumper("synth", "--out", str(ranch), *size, "--seed", str(seed))
    return ranch


def ranch_report(work: Path, seed: int) -> dict[str, float]:
    """The ``eval reid`` report of one ranch, drawn and processed where ``work`` lacks it."""
    ranch = draw_ranch(work, seed)
    database = work / f"ranch-{seed}.db"
    for stale in work.glob(f"ranch-{seed}.db*"):
        stale.unlink()
    url = sqlite_url(database)
    thumper("--database-url", url, "import", str(ranch))
    thumper("--database-url", url, "process")
    report: dict[str, float] = json.loads(
        thumper("--database-url", url, "eval", "reid", "--truth", str(ranch), "--json")
    )
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="4500-4509", help="e.g. 4500-4509 or 4000,4500")
    parser.add_argument("--work", type=Path, default=Path("build/reid-ranches"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    buck_doe, f1s = 0, []
    print(f"{'seed':>6} {'profiles':>9} {'deer':>5} {'F1':>6} {'buck-doe':>9} {'mixed':>6}")
    for seed in seeds(args.seeds):
        r = ranch_report(args.work, seed)
        print(
            f"{seed:>6} {r['profiles']:>9} {r['individuals']:>5} {r['bcubed_f1']:>6.3f} "
            f"{r['buck_doe_profiles']:>9} {r['mixed_category_profiles']:>6}",
            flush=True,
        )
        buck_doe += int(r["buck_doe_profiles"])
        f1s.append(float(r["bcubed_f1"]))
    mean = sum(f1s) / max(len(f1s), 1)
    print(f"{'total':>6} buck-doe profiles {buck_doe}, mean F1 {mean:.3f} over {len(f1s)} ranches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
