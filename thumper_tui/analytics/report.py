"""The weekly report: one ISO week of the ranch in figures, as JSON or Markdown.

The profile trend over six weeks, the assignment rate, duplicate-profile candidates, GPU
utilisation and throughput from the workers' samples, failed photos grouped by reason, the
week's runs with what changed between them, the advisor's verdict, and the success metrics
against their targets (profiles under 50, 60 in the first month; assignment over 70%, 75% in
the first month; the GPU busy over 90% during runs; over 1,200 images/min; every profile
named; the weekly run done).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from thumper_tui.analytics.advisor import Advice
from thumper_tui.analytics.facts import RanchFacts, RecordedRun
from thumper_tui.analytics.readiness import on, system_moves
from thumper_tui.config import Settings
from thumper_tui.engine.alike import duplicate_candidates
from thumper_tui.engine.history import Day
from thumper_tui.store.models import Deer, Image, Telemetry
from thumper_tui.vocabulary.states import ImageStatus, ProfileStatus, RunTrigger

TREND_WEEKS = 6
FIRST_MONTH = timedelta(days=30)


@dataclass(frozen=True)
class Week:
    """An ISO week: Monday to Sunday in ranch time."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Week:
        """``2026-W48`` (raises ``ValueError`` for anything else)."""
        try:
            year, number = text.upper().split("-W")
            week = cls(int(year), int(number))
            week.monday  # noqa: B018 (validates the number)
        except ValueError:
            raise ValueError(f"expected a week like 2026-W48, got {text!r}") from None
        return week

    @classmethod
    def of(cls, day: date) -> Week:
        """The week ``day`` falls in."""
        year, number, _ = day.isocalendar()
        return cls(year, number)

    @property
    def monday(self) -> date:
        """Its first day."""
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> date:
        """Its last day."""
        return self.monday + timedelta(days=6)

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"


async def weekly_report(
    conn: AsyncConnection,
    *,
    week: Week,
    history: list[Day],
    facts: RanchFacts,
    advice: Advice,
    settings: Settings,
) -> dict[str, Any]:
    """The report of ``week`` as one JSON-ready dict (see :func:`to_markdown`)."""
    zone = settings.zone()
    start, end = _bounds(week, zone)
    trend = []
    for k in range(TREND_WEEKS - 1, -1, -1):
        w = Week.of(week.sunday - timedelta(days=7 * k))
        row = on(history, w.sunday)
        new = sum(d.new_profiles for d in history if w.monday <= d.day <= w.sunday)
        trend.append({"week": str(w), "profiles": row.total_profiles if row else 0, "new": new})
    last = on(history, week.sunday)
    runs = [r for r in facts.runs if start <= r.requested_at < end]
    # The first month of the ranch's own photos, not of the machine's clock.
    month_one = bool(history) and week.sunday - history[0].day < FIRST_MONTH
    report: dict[str, Any] = {
        "week": str(week),
        "from": week.monday.isoformat(),
        "to": week.sunday.isoformat(),
        "profile_trend": trend,
        "profiles": last.total_profiles if last else 0,
        "assignment_rate": last.assignment_rate if last else None,
        "system_moves": system_moves(facts, week.monday, week.sunday),
        "duplicate_candidates": [
            {"a": c.a, "b": c.b, "a_name": c.a_name, "b_name": c.b_name, "similarity": c.similarity}
            for c in await duplicate_candidates(conn)
        ],
        "gpu": await _gpu(conn, start, end),
        "failed_images": await _failures(conn),
        "runs": _runs(facts, runs),
        "advice": advice.to_json(),
    }
    report["metrics"] = await _metrics(conn, report, runs, settings, month_one)
    return report


def _bounds(week: Week, zone: tzinfo) -> tuple[datetime, datetime]:
    start = datetime.combine(week.monday, time(), zone).astimezone(UTC)
    return start, datetime.combine(week.sunday + timedelta(days=1), time(), zone).astimezone(UTC)


async def _gpu(conn: AsyncConnection, start: datetime, end: datetime) -> dict[str, Any]:
    """Utilisation while workers were processing, and their throughput, over the week."""
    rows = (
        await conn.execute(
            select(Telemetry.util_percent, Telemetry.images_per_min, Telemetry.gpu_index).where(
                Telemetry.ts >= start, Telemetry.ts < end
            )
        )
    ).all()
    busy = [r for r in rows if r.images_per_min]
    utils = [r.util_percent for r in busy if r.util_percent is not None]
    rates = [r.images_per_min for r in busy if r.images_per_min]
    return {
        "samples": len(rows),
        "samples_during_runs": len(busy),
        "mean_util_percent": round(sum(utils) / len(utils), 1) if utils else None,
        "mean_images_per_min": round(sum(rates) / len(rates), 1) if rates else None,
        "peak_images_per_min": round(max(rates), 1) if rates else None,
        "gpu_seen": any(r.gpu_index is not None for r in rows),
    }


async def _failures(conn: AsyncConnection) -> list[dict[str, Any]]:
    """Photos whose processing failed, grouped by their reason, most common first."""
    reasons = Counter(
        str(error or "unknown")
        for error in await conn.scalars(
            select(Image.error).where(Image.status == ImageStatus.FAILED.value)
        )
    )
    return [{"reason": r, "images": n} for r, n in reasons.most_common()]


def _runs(facts: RanchFacts, runs: list[RecordedRun]) -> list[dict[str, Any]]:
    """The week's runs, each with what changed in its recipe since the run before it."""
    by_id = {r.id: i for i, r in enumerate(facts.runs)}
    out = []
    for run in runs:
        i = by_id[run.id]
        before = next((r for r in reversed(facts.runs[:i]) if r.recipe.model_sha256), None)
        changes = (
            [f"{c.field}: {c.before} → {c.after}" for c in before.recipe.diff(run.recipe)]
            if before is not None and run.recipe.model_sha256
            else []
        )
        pace = run.images_per_min
        out.append(
            {
                "id": run.id,
                "kind": run.kind,
                "clear_mode": run.clear_mode,
                "trigger": run.trigger,
                "status": run.status,
                "images_done": run.images_done,
                "images_failed": run.images_failed,
                "new_profiles": run.new_profiles,
                "images_per_min": round(pace, 1) if pace else None,
                "schedule_slot": run.schedule_slot,
                "changed_since_previous": changes,
            }
        )
    return out


async def _metrics(
    conn: AsyncConnection,
    report: dict[str, Any],
    runs: list[RecordedRun],
    settings: Settings,
    month_one: bool,
) -> list[dict[str, Any]]:
    """Each success metric with its value, its target and whether it was met."""
    live, named = (
        await conn.execute(
            select(func.count(), func.count(Deer.name)).where(
                Deer.status == ProfileStatus.ACTIVE.value
            )
        )
    ).one()
    max_profiles = 60 if month_one else settings.ready_max_profiles
    min_rate = 0.75 if month_one else settings.ready_min_assignment
    rate = report["assignment_rate"]
    gpu = report["gpu"]
    busy = gpu["mean_util_percent"]
    pace = max((r.images_per_min or 0 for r in runs), default=0) or None
    weekly = [r for r in runs if r.trigger == RunTrigger.SCHEDULE and r.status == "done"]
    suffix = " (first month)" if month_one else ""

    def metric(name: str, value: Any, target: str, met: bool | None) -> dict[str, Any]:
        return {"name": name, "value": value, "target": target, "met": met}

    return [
        metric(
            "profiles",
            report["profiles"],
            f"< {max_profiles}{suffix}",
            report["profiles"] < max_profiles,
        ),
        metric(
            "assignment rate",
            rate,
            f"> {min_rate:.0%}{suffix}",
            None if rate is None else rate > min_rate,
        ),
        metric(
            "GPU busy during runs",
            None if busy is None else busy / 100,
            f"> {settings.target_gpu_busy:.0%}",
            None if busy is None else busy / 100 > settings.target_gpu_busy,
        ),
        metric(
            "throughput (images/min)",
            None if pace is None else round(pace, 1),
            f"> {settings.target_images_per_min:,}",
            None if pace is None else pace > settings.target_images_per_min,
        ),
        metric(
            "named profiles",
            round(named / live, 4) if live else None,
            "100%",
            None if not live else named == live,
        ),
        metric(
            "weekly run done",
            weekly[-1].id if weekly else None,
            "a scheduled run, done",
            bool(weekly),
        ),
    ]


def to_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown, for a terminal, a file or an e-mail."""
    lines = [f"# Thumper weekly report {report['week']} ({report['from']} to {report['to']})", ""]
    rate = report["assignment_rate"]
    lines += [
        f"**{report['profiles']} profiles**, "
        + (
            "no deer detections yet"
            if rate is None
            else f"**{rate:.1%}** of deer detections in a profile"
        )
        + ".",
        "",
        f"Advisor: **{report['advice']['action']}**: " + "; ".join(report["advice"]["reasons"]),
        "",
        "## Success metrics",
        "",
        "| metric | value | target | met |",
        "|---|---|---|---|",
    ]
    for m in report["metrics"]:
        met = {True: "yes", False: "no", None: "no data"}[m["met"]]
        lines.append(f"| {m['name']} | {_value(m['value'])} | {m['target']} | {met} |")
    lines += ["", "## Profile trend", "", "| week | profiles | new |", "|---|---|---|"]
    lines += [f"| {t['week']} | {t['profiles']} | {t['new']} |" for t in report["profile_trend"]]
    if report["system_moves"]:
        lines += ["", "Counts moved by the system, not by new deer:", ""]
        lines += [f"- {m}" for m in report["system_moves"]]
    lines += ["", "## Runs this week", ""]
    if not report["runs"]:
        lines.append("No run this week.")
    for r in report["runs"]:
        pace = f", {r['images_per_min']:,.0f} images/min" if r["images_per_min"] else ""
        lines.append(
            f"- run {r['id']} ({r['kind']}, clear mode {r['clear_mode']}, {r['trigger']}): "
            f"{r['status']}, {r['images_done']} done, {r['images_failed']} failed{pace}"
        )
        lines += [f"  - changed: {c}" for c in r["changed_since_previous"]]
    gpu = report["gpu"]
    lines += ["", "## GPU and throughput", ""]
    if not gpu["samples"]:
        lines.append("No worker samples this week.")
    else:
        util = "no GPU" if not gpu["gpu_seen"] else f"{gpu['mean_util_percent']:.0f}% busy"
        lines.append(
            f"{gpu['samples_during_runs']} samples while processing: {util}, "
            f"{_value(gpu['mean_images_per_min'])} images/min on average, "
            f"{_value(gpu['peak_images_per_min'])} at peak."
        )
    lines += ["", "## Duplicate-profile candidates", ""]
    if not report["duplicate_candidates"]:
        lines.append("None.")
    for c in report["duplicate_candidates"]:
        a = f"{c['a']} ({c['a_name']})" if c["a_name"] else str(c["a"])
        b = f"{c['b']} ({c['b_name']})" if c["b_name"] else str(c["b"])
        lines.append(f"- {a} and {b}: similarity {c['similarity']:.3f}")
    lines += ["", "## Failed photos", ""]
    if not report["failed_images"]:
        lines.append("None.")
    lines += [f"- {f['images']} × {f['reason']}" for f in report["failed_images"]]
    return "\n".join(lines) + "\n"


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and 0 <= value <= 1:
        return f"{value:.1%}"
    return f"{value:,}" if isinstance(value, int | float) else str(value)
