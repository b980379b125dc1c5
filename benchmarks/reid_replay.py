"""Replay the end of re-identification runs with other consolidation weights.

How the consolidation weights in docs/reid.md were chosen, reproducibly. Each ranch is drawn
(as ``reid_ranches.py`` draws it), imported and processed once through the engine, and its
SQLite database is captured at the moment the run's profiles are about to be consolidated
(``ranch-SEED.pre.db`` in ``--work``, kept and reused). Each set of weights is then written into
the run's settings of a copy of that capture, the engine's own consolidation
(``engine.consolidate.consolidate``) runs on it, and ``thumper eval reid`` scores the result.
The first row replays the weights the run recorded; it must equal what the engine itself gave
(the ``engine`` row), else the replay is not the engine's and the tool says so.

    .venv/bin/python benchmarks/reid_replay.py --seeds 4500-4509 --haunt-weight 0,0.05,0.1 \\
        [--first-pass-weight 0.2] [--small-pass-weight 0.2] [--head-votes 1] \\
        [--together-max-iou 0.4] [--sex-margin 0.05] [--work DIR]

Every weight option takes a comma-separated list; the rows are every combination
(``--together-max-iou``: two boxes of one photo keep their profiles apart below this IoU;
``--sex-margin``: a small profile whose likeness leaves its sex in doubt by this margin is held
back).
Capturing a ranch takes about two and a half minutes on two cores; a replay a few seconds. A
capture holds the engine's report of its day: after a change to the engine, delete the
``ranch-SEED.*`` databases and reports in ``--work`` to capture again.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import shutil
import sqlite3
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from reid_ranches import draw_ranch, seeds, sqlite_url, thumper
from sqlalchemy import select, update

from thumper_tui.cli import cli
from thumper_tui.engine import lifecycle
from thumper_tui.engine.consolidate import consolidate
from thumper_tui.engine.recipe import RunRecipe, recipe_columns
from thumper_tui.lab.reid.evaluate import evaluate_reid
from thumper_tui.reid.agglomerate import SEX_MARGIN
from thumper_tui.store.engine import make_engine
from thumper_tui.store.migrate import upgrade
from thumper_tui.store.models import Run
from thumper_tui.vocabulary.states import RunStatus

Weights = dict[str, float]


def capture(work: Path, seed: int) -> tuple[Path, Path, dict[str, Any]]:
    """The ranch, its database as the run's consolidation found it, and the engine's report."""
    ranch = draw_ranch(work, seed)
    pre = work / f"ranch-{seed}.pre.db"
    report_file = work / f"ranch-{seed}.engine.json"
    if pre.exists() and report_file.exists():
        return ranch, pre, json.loads(report_file.read_text())
    database = work / f"ranch-{seed}.capture.db"
    for stale in work.glob(f"ranch-{seed}.capture.db*"):
        stale.unlink()
    partial = pre.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    thumper("--database-url", sqlite_url(database), "import", str(ranch))
    original = lifecycle.consolidate

    async def snapshot_then_consolidate(conn: Any, run_id: int, *args: Any) -> int:
        # The run's batches are committed; the backup reads them, not this transaction.
        with (
            contextlib.closing(sqlite3.connect(database)) as source,
            contextlib.closing(sqlite3.connect(partial)) as target,
        ):
            source.backup(target)
        return await original(conn, run_id, *args)

    lifecycle.consolidate = snapshot_then_consolidate  # type: ignore[assignment]
    try:
        cli.main(
            ["--database-url", sqlite_url(database), "process"], "thumper", standalone_mode=False
        )
    finally:
        lifecycle.consolidate = original
    if not partial.exists():
        raise SystemExit(f"ranch {seed}: the run ended without consolidating; nothing captured")
    report = asyncio.run(_evaluate(database, ranch))
    partial.rename(pre)
    report_file.write_text(json.dumps(report))
    return ranch, pre, report


async def _evaluate(database: Path, ranch: Path) -> dict[str, Any]:
    engine = make_engine(sqlite_url(database))
    try:
        return await evaluate_reid(engine, ranch)
    finally:
        await engine.dispose()


async def replay(pre: Path, ranch: Path, weights: Weights | None) -> dict[str, Any]:
    """The ``eval reid`` report after consolidating a copy of ``pre`` with ``weights``.

    ``None``: the weights the run recorded."""
    with tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / "replay.db"
        shutil.copyfile(pre, database)
        engine = make_engine(sqlite_url(database))
        try:
            await upgrade(engine)  # a capture made before a migration
            async with engine.begin() as conn:
                row = (
                    await conn.execute(
                        select(
                            Run.id, Run.settings, *(getattr(Run, c) for c in recipe_columns())
                        ).where(Run.status == RunStatus.RUNNING.value)
                    )
                ).one()
                run_id = row.id
                if weights is not None:
                    recipe = RunRecipe.from_row(row)
                    weighed = replace(
                        recipe.consolidation,
                        haunt_weight=weights["haunt_weight"],
                        together_max_iou=weights["together_max_iou"],
                        sex_margin=weights["sex_margin"],
                        first_pass_sex_weight=weights["first_pass_weight"],
                        small_pass_sex_weight=weights["small_pass_weight"],
                        head_votes=weights["head_votes"],
                    )
                    settings = replace(recipe, consolidation=weighed).settings_json()
                    await conn.execute(
                        update(Run)
                        .where(Run.id == run_id)
                        .values(settings={**(row.settings or {}), **settings})
                    )
                await consolidate(conn, run_id)
            return await evaluate_reid(engine, ranch)
        finally:
            await engine.dispose()


def _floats(text: str) -> list[float]:
    return [float(part) for part in text.split(",")]


def _line(label: str, reports: list[dict[str, Any]]) -> str:
    f1s = [float(r["bcubed_f1"]) for r in reports]
    profiles = [int(r["profiles"]) for r in reports]
    mixed = sum(int(r["mixed_category_profiles"]) for r in reports)
    unassigned = sum(int(r.get("unassigned_deer_detections", 0)) for r in reports)
    return (
        f"{label:<48} {sum(int(r['buck_doe_profiles']) for r in reports):>8} {mixed:>5} "
        f"{unassigned:>10} "
        f"{sum(f1s) / len(f1s):>7.3f} {min(f1s):>7.3f} {min(profiles):>4}-{max(profiles):<4} "
        + " ".join(str(r["buck_doe_profiles"]) for r in reports)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="4500-4509", help="e.g. 4500-4509 or 4500,4508")
    parser.add_argument("--work", type=Path, default=Path("build/reid-ranches"))
    parser.add_argument("--haunt-weight", type=_floats, default=[0.1])
    parser.add_argument("--first-pass-weight", type=_floats, default=[0.2])
    parser.add_argument("--small-pass-weight", type=_floats, default=[0.2])
    parser.add_argument("--head-votes", type=_floats, default=[1.0])
    parser.add_argument("--together-max-iou", type=_floats, default=[0.4])
    parser.add_argument("--sex-margin", type=_floats, default=[SEX_MARGIN])
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    ranches = [capture(args.work, seed) for seed in seeds(args.seeds)]
    print(
        f"{'weights':<48} {'buck-doe':>8} {'mixed':>5} {'unassigned':>10} {'mean F1':>7} "
        f"{'low F1':>7} "
        f"{'profiles':<9} buck-doe per ranch"
    )
    print(_line("engine", [report for _, _, report in ranches]))
    recorded = [asyncio.run(replay(pre, ranch, None)) for ranch, pre, _ in ranches]
    print(_line("replay, the run's own weights", recorded), flush=True)
    # Captures made before a report gained a figure lack it: compare what both hold.
    if any(
        {k: v for k, v in mine.items() if k in engine} != engine
        for mine, (_, _, engine) in zip(recorded, ranches, strict=True)
    ):
        print("the replay differs from the engine: the figures below are not the engine's")
        return 1
    names = (
        "haunt_weight",
        "first_pass_weight",
        "small_pass_weight",
        "head_votes",
        "together_max_iou",
        "sex_margin",
    )
    for values in itertools.product(
        args.haunt_weight,
        args.first_pass_weight,
        args.small_pass_weight,
        args.head_votes,
        args.together_max_iou,
        args.sex_margin,
    ):
        weights = dict(zip(names, values, strict=True))
        reports = [asyncio.run(replay(pre, ranch, weights)) for ranch, pre, _ in ranches]
        label = "haunt {} first {} small {} head {} iou {} margin {}".format(*values)
        print(_line(label, reports), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
