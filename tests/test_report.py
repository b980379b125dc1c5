"""The weekly report in JSON and Markdown, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.helpers import run_cli
from tests.herd_weeks import START, at_noon, current_recipe, finish_run, seed_days, settings_for
from thumper_tui.analytics.answers import current_report
from thumper_tui.analytics.report import Week, to_markdown
from thumper_tui.engine.workers import register_worker
from thumper_tui.store.models import Deer, Image, NotSameDeer, Telemetry

WEEK_2 = Week(2026, 42)  # 12-18 October: the herd's second week
NOW = at_noon(START + timedelta(days=15))


async def seed(engine: AsyncEngine, database_url: str) -> list[int]:
    settings = settings_for(database_url)
    profiles = await seed_days(engine, [5, 5, 5, 5, 5, 3, 2, 1, 0, 0, 2, 0, 0, 0])
    recipe = current_recipe(settings)
    first = await finish_run(engine, recipe, at_noon(START + timedelta(days=6)), images=7)
    await finish_run(
        engine,
        replace(recipe, reid_threshold=0.75),
        at_noon(START + timedelta(days=13)),
        images=7,
        minutes=0.5,
        trigger="schedule",
        schedule_slot="2026-10-18T02:00Z",
    )
    worker = await register_worker(engine, "cuda:0")
    async with engine.begin() as conn:
        await conn.execute(
            update(Image)
            .where(Image.id.in_([2, 3]))
            .values(status="failed", error="cannot decode: image file is truncated")
        )
        await conn.execute(update(Image).where(Image.id == 4).values(status="failed", error=None))
        moment = at_noon(START + timedelta(days=13))
        await conn.execute(
            insert(Telemetry),
            [
                {"ts": moment, "worker_id": worker, "gpu_index": 0, "util_percent": u,
                 "memory_used": 1, "memory_total": 2, "images_per_min": r}
                for u, r in ((95.0, 1300.0), (85.0, 1100.0), (3.0, 0.0))
            ],
        )  # fmt: skip
        await conn.execute(update(Deer).where(Deer.id == profiles[0]).values(name="Bambi"))
        await conn.execute(insert(NotSameDeer).values(deer_a=profiles[1], deer_b=profiles[2]))
    assert first == 1
    return profiles


async def test_the_weekly_report_in_both_formats(engine: AsyncEngine, database_url: str) -> None:
    profiles = await seed(engine, database_url)
    report = await current_report(engine, settings_for(database_url), NOW, WEEK_2)
    assert (report["week"], report["from"], report["to"]) == (
        "2026-W42",
        "2026-10-12",
        "2026-10-18",
    )
    assert [t["profiles"] for t in report["profile_trend"]][-2:] == [30, 33]
    assert report["profile_trend"][-1] == {"week": "2026-W42", "profiles": 33, "new": 3}
    assert report["profiles"] == 33 and 0.9 < report["assignment_rate"] < 1
    assert [r["id"] for r in report["runs"]] == [2]
    assert report["runs"][0]["changed_since_previous"] == ["reid_threshold: 0.8 → 0.75"]
    assert report["runs"][0]["images_per_min"] == 14.0
    assert report["failed_images"] == [
        {"reason": "cannot decode: image file is truncated", "images": 2},
        {"reason": "unknown", "images": 1},
    ]
    assert (
        report["gpu"]["mean_util_percent"] == 90.0 and report["gpu"]["peak_images_per_min"] == 1300
    )
    pairs = {(c["a"], c["b"]) for c in report["duplicate_candidates"]}
    assert len(pairs) == 10 and (profiles[1], profiles[2]) not in pairs  # said to differ
    metrics = {m["name"]: m for m in report["metrics"]}
    assert metrics["profiles"]["target"] == "< 60 (first month)" and metrics["profiles"]["met"]
    assert (
        metrics["GPU busy during runs"]["value"] == 0.9
        and not metrics["GPU busy during runs"]["met"]
    )
    assert metrics["named profiles"]["value"] == round(1 / 33, 4)
    assert metrics["weekly run done"] == {
        "name": "weekly run done", "value": 2, "target": "a scheduled run, done", "met": True,
    }  # fmt: skip
    assert metrics["throughput (images/min)"]["met"] is False  # 14 images/min
    text = to_markdown(report)
    for heading in (
        "# Thumper weekly report 2026-W42 (2026-10-12 to 2026-10-18)",
        "## Success metrics",
        "| named profiles | 3.0% | 100% | no |",
        "## Profile trend",
        "| 2026-W42 | 33 | 3 |",
        "- run 2 (full, clear mode all, schedule): done, 7 done, 0 failed, 14 images/min",
        "  - changed: reid_threshold: 0.8 → 0.75",
        "90% busy",
        "- 2 × cannot decode: image file is truncated",
    ):
        assert heading in text, heading
    # The CLI prints the same report.
    out = await asyncio.to_thread(
        run_cli, "report", "--week", "2026-W42", "--format", "json", database_url=database_url
    )
    assert out.exit_code == 0, out.output
    cli_report = json.loads(out.stdout)
    assert cli_report["profile_trend"] == report["profile_trend"]
    md = await asyncio.to_thread(run_cli, "report", "--week", "2026-w42", database_url=database_url)
    assert md.stdout.startswith("# Thumper weekly report 2026-W42")


def test_a_bad_week_is_a_usage_error(database_url: str) -> None:
    result = run_cli("report", "--week", "2026-W60", database_url=database_url)
    assert result.exit_code == 2 and "expected a week like 2026-W48" in result.output


async def test_an_empty_ranch_reports_without_data(engine: AsyncEngine, database_url: str) -> None:
    report = await current_report(
        engine, settings_for(database_url), datetime(2026, 11, 2, tzinfo=UTC)
    )
    assert report["profiles"] == 0 and report["runs"] == [] and report["assignment_rate"] is None
    text = to_markdown(report)
    assert "no deer detections yet" in text and "No run this week." in text
    assert "No worker samples this week." in text
