"""Is the herd ready to name? Four criteria, each with its value, threshold and verdict.

1. Fewer than ``ready_max_profiles`` (50) live profiles.
2. The profile count moved less than ``ready_max_weekly_change`` (5%) week over week, two
   weeks running, with photos in both weeks (a week without photos says nothing).
3. More than ``ready_min_assignment`` (70%) of the deer detections in a profile.
4. No reprocess due: the advisor says nothing is pending.

When the profiles rest on real photos, which the shipped identity embedder was never trained
on, the verdict carries that caution whatever the criteria say.

Counts come from the history by photo day (:mod:`thumper_tui.engine.history`), so a reprocess
that regroups nothing moves nothing. Where a run moved the count of deer already seen (a
threshold or model change, not new deer), the stability criterion says which run and what
changed in its recipe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from thumper_tui.analytics.advisor import Action, Advice
from thumper_tui.analytics.facts import RanchFacts
from thumper_tui.config import Settings
from thumper_tui.engine.history import Day
from thumper_tui.engine.provenance import reid_caution


@dataclass(frozen=True)
class Criterion:
    """One readiness check."""

    name: str
    value: Any
    threshold: Any
    passed: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        """The criterion as ``thumper readiness --json`` gives it."""
        return {
            "name": self.name,
            "value": self.value,
            "threshold": self.threshold,
            "passed": self.passed,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Readiness:
    """The four criteria and the verdict."""

    as_of: date
    criteria: list[Criterion]
    cautions: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """Every criterion passed."""
        return all(c.passed for c in self.criteria)

    @property
    def verdict(self) -> str:
        """One plain sentence."""
        caution = "; ".join(self.cautions)
        if self.ready and caution:
            return f"The herd's count has settled, but it cannot be trusted yet: {caution}."
        if self.ready:
            return "Ready to name: the herd's count has settled."
        failing = ", ".join(c.name.replace("_", " ") for c in self.criteria if not c.passed)
        verdict = f"Not ready to name yet ({failing}); naming is still allowed."
        return f"{verdict} And {caution}." if caution else verdict

    def to_json(self) -> dict[str, Any]:
        """The ``thumper readiness --json`` shape."""
        return {
            "ready": self.ready,
            "verdict": self.verdict,
            "criteria": [c.to_json() for c in self.criteria],
            "cautions": self.cautions,
            "as_of": self.as_of.isoformat(),
        }


def on(history: list[Day], day: date) -> Day | None:
    """The history as of the end of ``day``: its own row, else the last one before it."""
    before = [d for d in history if d.day <= day]
    return before[-1] if before else None


def photos_between(history: list[Day], first: date, last: date) -> int:
    """Photos processed with a photo day in ``first`` .. ``last``."""
    return sum(d.images_done for d in history if first <= d.day <= last)


def assess(
    history: list[Day], facts: RanchFacts, advice: Advice, settings: Settings, as_of: date
) -> Readiness:
    """The four criteria as of the end of ``as_of``."""
    now = on(history, as_of)
    total = now.total_profiles if now else 0
    rate = now.assignment_rate if now else None
    return Readiness(
        as_of,
        [
            Criterion(
                "profiles",
                total,
                settings.ready_max_profiles,
                total < settings.ready_max_profiles,
                f"{total} live profiles (fewer than {settings.ready_max_profiles} to pass)",
            ),
            _stability(history, facts, settings.ready_max_weekly_change, as_of),
            Criterion(
                "assignment_rate",
                rate,
                settings.ready_min_assignment,
                rate is not None and rate > settings.ready_min_assignment,
                "no deer detections yet"
                if rate is None
                else f"{rate:.1%} of deer detections in a profile "
                f"(more than {settings.ready_min_assignment:.0%} to pass)",
            ),
            Criterion(
                "no_reprocess_due",
                advice.action.value,
                Action.NOTHING.value,
                advice.action == Action.NOTHING,
                "; ".join(advice.reasons),
            ),
        ],
        [c for c in [reid_caution(facts.real_photos_with_deer)] if c],
    )


def _stability(history: list[Day], facts: RanchFacts, limit: float, as_of: date) -> Criterion:
    ends = [as_of - timedelta(days=7 * k) for k in (2, 1, 0)]
    totals = [(d.total_profiles if (d := on(history, end)) else 0) for end in ends]
    changes = [_change(totals[0], totals[1]), _change(totals[1], totals[2])]
    quiet = [end for end in ends[1:] if not photos_between(history, end - timedelta(days=6), end)]
    passed = not quiet and all(c is not None and abs(c) < limit for c in changes)
    shown = ", ".join("n/a" if c is None else f"{c:+.1%}" for c in changes)
    detail = f"{totals[0]} → {totals[1]} → {totals[2]} profiles at weekly steps ({shown})"
    if quiet:
        detail += "; no photos in the week to " + ", ".join(d.isoformat() for d in quiet)
    # The history is the data as it is now: a run after ``as_of`` that regrouped old deer shows
    # in these figures too, so every run since the first compared week counts.
    moves = system_moves(facts, ends[0])
    if moves:
        detail += "; " + "; ".join(moves)
    largest = max((abs(c) for c in changes if c is not None), default=None)
    value = None if largest is None else round(largest, 4)
    return Criterion("stable_count", value, limit, passed, detail)


def _change(before: int, after: int) -> float | None:
    return (after - before) / before if before else None


def system_moves(facts: RanchFacts, first: date, last: date | None = None) -> list[str]:
    """Runs finished in ``first`` .. ``last`` (no end: up to now) that moved the count of deer
    already seen, each with what changed in its recipe from the run before it."""
    out = []
    done = facts.done_runs
    for before, run in zip([None, *done], done, strict=False):
        if not run.profiles_shift or run.finished_at is None:
            continue
        finished = run.finished_at.date()
        if finished < first or (last is not None and finished > last):
            continue
        changed = before.recipe.diff(run.recipe) if before is not None else []
        why = (
            ", ".join(f"{c.field} {c.before} → {c.after}" for c in changed)
            or "the same recipe: re-ID regrouped deer seen before with the new photos"
        )
        out.append(
            f"run {run.id} moved the count of deer already seen by {run.profiles_shift:+d} ({why})"
        )
    return out
