"""Readiness, the advisor and the schedule against real runs of the engine (the shipped
detector and embedder) on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.helpers import ok, query, run_json
from thumper_tui.store.models import Image, ProfileHistory, Run
from thumper_tui.store.types import utcnow
from thumper_tui.synth.ranch import RanchOptions

pytestmark = pytest.mark.slow  # real models, workers or terminals: `make test-fast` skips it

RANCH = RanchOptions(cameras=2, deer=5, days=2, images=36, size=(960, 540), seed=91)


def history(url: str) -> list[tuple[Any, ...]]:
    rows = query(url, select(ProfileHistory.__table__).order_by(ProfileHistory.day))
    return [tuple(r) for r in rows]


def substance(readiness: dict[str, Any]) -> list[Any]:
    """The verdict and every criterion's figures (the advisor's wording names the newest full
    run, which a reprocess changes)."""
    return [
        readiness["ready"],
        readiness["verdict"],
        *[(c["name"], c["value"], c["threshold"], c["passed"]) for c in readiness["criteria"]],
        [c["detail"] for c in readiness["criteria"][:3]],
    ]


def test_runs_write_the_history_and_the_advisor_follows_the_recipe(
    ranch: Path, database_url: str
) -> None:
    ok("import", str(ranch), url=database_url)
    ok("process", url=database_url)
    first = history(database_url)
    assert first and {r.run_id for r in query(database_url, select(ProfileHistory.run_id))} == {1}
    last_day = max(r[0] for r in first).isoformat()
    ready = run_json("readiness", "--as-of", last_day, database_url=database_url)
    assert run_json("advise", database_url=database_url)["action"] == "nothing"

    # A full reprocess of unchanged inputs regroups nothing: history and readiness stay.
    ok("reprocess", "--clear-mode", "all", url=database_url)
    assert history(database_url) == first
    again = run_json("readiness", "--as-of", last_day, database_url=database_url)
    assert substance(again) == substance(ready)
    shifts = dict(query(database_url, select(Run.id, Run.profiles_shift)))
    assert shifts == {1: None, 2: 0}

    # A threshold that joins every deer to the nearest profile moves the count of deer seen.
    ok("reprocess", "--clear-mode", "all", "--threshold", "-1", url=database_url)
    shift = dict(query(database_url, select(Run.id, Run.profiles_shift)))[3]
    assert shift is not None and shift < 0
    moved = run_json("readiness", database_url=database_url)  # as of today: the run is this week
    stable = next(c for c in moved["criteria"] if c["name"] == "stable_count")
    assert f"run 3 moved the count of deer already seen by {shift:+d}" in stable["detail"]
    assert "reid_threshold 0.8 → -1.0" in stable["detail"]
    advice = run_json("advise", database_url=database_url)
    assert advice["action"] == "full" and advice["plan"]["kind"] == "reid-only"
    assert "re-ID threshold -1 → 0.8" in advice["reasons"][0] and advice["estimate_s"] > 0

    # --if-advised runs what the advisor says, and then nothing is left to advise.
    out = ok("reprocess", "--if-advised", url=database_url)
    assert "advice: full" in out and "run 4 queued" in out and "run 4 done" in out
    run4 = query(database_url, select(Run.kind, Run.clear_mode, Run.trigger).where(Run.id == 4))
    assert tuple(run4[0]) == ("reid-only", "all", "advisor")
    assert run_json("advise", database_url=database_url)["action"] == "nothing"
    assert "nothing to run now" in ok("reprocess", "--if-advised", url=database_url)


def test_a_worker_runs_a_missed_slot_once(ranch: Path, database_url: str) -> None:
    ok("import", str(ranch), url=database_url)
    # The photos came in weeks ago and the machine was off for every slot since.
    query(database_url, update(Image).values(imported_at=utcnow() - timedelta(days=30)))
    ok("worker", "--exit-when-idle", url=database_url)
    runs = query(database_url, select(Run.trigger, Run.status, Run.kind, Run.schedule_slot))
    assert len(runs) == 1 and tuple(runs[0])[:3] == ("schedule", "done", "incremental")
    ok("worker", "--exit-when-idle", url=database_url)  # the slot is taken: nothing more
    assert len(query(database_url, select(Run.id))) == 1


def test_the_configured_threshold_is_what_runs_record(
    ranch: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok("import", str(ranch), url=database_url)
    monkeypatch.setenv("THUMPER_REID_THRESHOLD", "0.85")
    ok("process", url=database_url)
    (run,) = run_json("runs", database_url=database_url)
    assert run["reid_threshold"] == 0.85
    # The advisor compares with the same setting: nothing is due.
    assert run_json("advise", database_url=database_url)["action"] == "nothing"
    monkeypatch.setenv("THUMPER_REID_THRESHOLD", "0.8")
    nudged = run_json("advise", database_url=database_url)
    assert nudged["action"] == "wait" and "0.85 → 0.8" in nudged["reasons"][0]
