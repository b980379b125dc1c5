"""The reprocess advisor: from the run recipes and the configuration, what to do now and why.

The decision tree, in order (each branch names the facts that fired it):

0. A run is queued, running or paused: wait for it (a second run cannot start meanwhile).
1. A full reprocess now when the model file's hash or the pipeline version (a fix that
   changes results) differs from the last full run's (else the first run's), the identity
   embedder or the re-ID threshold (by more than 0.05) differs from the last run that
   re-identified every detection (a full or reid-only run), or more than 10,000 photos arrived
   at once. A new detector or
   pipeline redoes every image (clear mode ``all``); a new threshold or embedder only
   re-identifies the stored detections (``reid-only``, clear mode ``all``).
2. Else, photos never processed (or failed): fewer than 1,000 are processed incrementally now;
   more wait for the weekly slot.
3. Else, smaller changes (a threshold nudge of 0.05 or less): no full reprocess; the weekly
   slot picks them up.
4. Else nothing: every photo is processed with the recipe the configuration would use.

Logging, the dashboard, the database schema and the hardware never count: only what a run
records in its recipe does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from thumper_tui.analytics.facts import RanchFacts, short
from thumper_tui.vocabulary.durations import format_moment
from thumper_tui.vocabulary.states import ClearMode, RunKind

THRESHOLD_MOVE = 0.05
MANY_AT_ONCE = 10_000
FEW_NEW = 1_000


class Action(StrEnum):
    FULL = "full"
    INCREMENTAL = "incremental"
    WAIT = "wait"
    NOTHING = "nothing"


@dataclass(frozen=True)
class Plan:
    """The run the advice stands for."""

    kind: RunKind
    clear_mode: ClearMode
    images: int


@dataclass(frozen=True)
class Advice:
    """What to do, why (each reason a sentence with its facts), and how long it would take."""

    action: Action
    reasons: list[str]
    plan: Plan | None = None
    estimate_s: float | None = None
    next_scheduled: str | None = None
    changes: list[str] = field(default_factory=list)  # every recipe difference, even small ones

    def to_json(self) -> dict[str, Any]:
        """The ``thumper advise --json`` shape."""
        plan = self.plan
        return {
            "action": self.action.value,
            "reasons": self.reasons,
            "plan": None
            if plan is None
            else {
                "kind": plan.kind.value,
                "clear_mode": plan.clear_mode.value,
                "images": plan.images,
            },
            "estimate_s": None if self.estimate_s is None else round(self.estimate_s),
            "next_scheduled": self.next_scheduled,
            "changes": self.changes,
        }


def advise(facts: RanchFacts, next_scheduled: str | None = None) -> Advice:
    """Walk the decision tree over ``facts``."""
    if facts.total_images == 0:
        return Advice(Action.NOTHING, ["no photos imported yet"], next_scheduled=next_scheduled)
    current, base, new = facts.current, facts.baseline, facts.new_images
    active = facts.active_run
    if active is not None:
        handled = active.images_done + active.images_failed
        reasons = [
            f"run {active.id} ({active.kind}) is {active.status}: "
            f"{handled:,} photos handled so far; let it finish first"
        ]
        return Advice(Action.WAIT, reasons, next_scheduled=next_scheduled)
    if base is None:
        plan = Plan(RunKind.INCREMENTAL, ClearMode.NONE, new)
        reasons = [f"{new:,} photos never processed: the first run takes them all"]
        return _with_estimate(facts, Advice(Action.INCREMENTAL, reasons, plan), next_scheduled)
    reid_base = facts.reid_baseline or base
    since, reid_since = f"since run {base.id}", f"since run {reid_base.id}"
    redo, reidentify, small = [], [], []
    if current.model_problem:
        return Advice(Action.NOTHING, [current.model_problem], next_scheduled=next_scheduled)
    if base.recipe.model_sha256 != current.model_sha256:
        redo.append(
            f"model sha256 {short(base.recipe.model_sha256)} → {short(current.model_sha256)} "
            f"{since} ({current.model_path})"
        )
    for name, before, after in current.detection.changes(base.recipe) if current.detection else []:
        redo.append(f"{name} {before} → {after} {since}")
    if base.recipe.pipeline_version != current.pipeline_version:
        redo.append(
            f"pipeline version {base.recipe.pipeline_version or 'unrecorded'} → "
            f"{current.pipeline_version} {since} (a fix that changes results)"
        )
    if new > MANY_AT_ONCE:
        redo.append(f"{new:,} new photos arrived at once (more than {MANY_AT_ONCE:,})")
    if reid_base.recipe.embedder != current.embedder:
        reidentify.append(
            f"identity embedder {reid_base.recipe.embedder or 'unrecorded'} → "
            f"{current.embedder} {reid_since}"
        )
    moved = current.reid_threshold - reid_base.recipe.reid_threshold
    threshold = (
        f"re-ID threshold {reid_base.recipe.reid_threshold:g} → {current.reid_threshold:g} "
        f"({current.threshold_source}) {reid_since}"
    )
    if abs(moved) > THRESHOLD_MOVE + 1e-9:
        reidentify.append(f"{threshold}: moved {abs(moved):.2f}, more than {THRESHOLD_MOVE}")
    elif abs(moved) > 1e-9:
        small.append(f"{threshold}: a nudge of {abs(moved):.2f}, no full reprocess")
    changes = redo + reidentify + small
    if redo or reidentify:
        # Re-identifying alone suffices for a new threshold or embedder, unless there are
        # photos to detect in too: a reid-only run takes only the photos already processed.
        plan = (
            Plan(RunKind.FULL, ClearMode.ALL, facts.total_images)
            if redo or new
            else Plan(RunKind.REID_ONLY, ClearMode.ALL, facts.images.get("done", 0))
        )
        return _with_estimate(
            facts, Advice(Action.FULL, redo + reidentify, plan, changes=changes), next_scheduled
        )
    if new:
        if new < FEW_NEW:
            plan = Plan(RunKind.INCREMENTAL, ClearMode.NONE, new)
            reasons = [f"{new:,} new or failed photos (fewer than {FEW_NEW:,}): process them now"]
            return _with_estimate(
                facts,
                Advice(Action.INCREMENTAL, reasons + small, plan, changes=changes),
                next_scheduled,
            )
        slot = (
            f"the weekly run ({format_moment(next_scheduled)})"
            if next_scheduled
            else "a weekly run"
        )
        reasons = [f"{new:,} new photos ({FEW_NEW:,} or more): {slot} takes them"]
        plan = Plan(RunKind.INCREMENTAL, ClearMode.NONE, new)
        return _with_estimate(
            facts, Advice(Action.WAIT, reasons + small, plan, changes=changes), next_scheduled
        )
    if small:
        slot = (
            f"the weekly run ({format_moment(next_scheduled)})"
            if next_scheduled
            else "the next full run"
        )
        return Advice(
            Action.WAIT,
            [*small, f"{slot} picks it up"],
            changes=changes,
            next_scheduled=next_scheduled,
        )
    reasons = [f"every photo is processed with the current recipe (run {reid_base.id} on)"]
    return Advice(Action.NOTHING, reasons, next_scheduled=next_scheduled)


def _with_estimate(facts: RanchFacts, advice: Advice, next_scheduled: str | None) -> Advice:
    """``advice`` with how long its plan would take at the pace measured on this ranch."""
    plan = advice.plan
    estimate = None
    if plan is not None:
        pace = facts.pace(plan.kind) or facts.pace()
        estimate = plan.images / pace * 60 if pace else None
    return Advice(advice.action, advice.reasons, plan, estimate, next_scheduled, advice.changes)
