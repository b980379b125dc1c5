"""The real ``thumper`` binary in a real terminal (tmux at 80x24 and 50x20) and under signals:
a progress bar that never wraps, tables that line up in cells, Ctrl+C that leaves the run
resumable, and ``process`` following a run another worker serves."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len
from sqlalchemy import func, select

from tests.helpers import eventually, ok, query, run_cli, run_json
from thumper_tui.store.models import Image

pytestmark = pytest.mark.slow  # real models, workers or terminals: `make test-fast` skips it

THUMPER = Path(sys.executable).with_name("thumper")


def _ranch(tmp_path: Path, images: int, seed: int) -> str:
    """A synthetic ranch of small photos imported into a fresh SQLite database."""
    url = f"sqlite:///{tmp_path / 'thumper.db'}"
    ranch = tmp_path / "ranch"
    made = run_cli(
        "synth", "--out", str(ranch), "--images", str(images), "--size", "320x180",
        "--seed", str(seed), "--deer", "8",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    ok("import", str(ranch), url=url)
    return url


def _env() -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k.startswith(("XDG_", "HOME", "PATH"))}
    return {**keep, "TERM": "xterm-256color"}


def _in_tmux(tmux: list[str], width: int, height: int, command: str) -> None:
    env = " ".join(f"{k}={v}" for k, v in _env().items())
    shell = f"env {env} {command}; echo EXIT=$?; sleep 600"
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "cli", "-x", str(width), "-y", str(height), shell],
        check=True,
    )


def _screen(tmux: list[str], joined: bool = False) -> str:
    flags = ["-J"] if joined else []  # -J: lines the terminal wrapped come back as one
    return subprocess.run(
        [*tmux, "capture-pane", "-p", *flags, "-t", "cli"], capture_output=True, text=True
    ).stdout


def _finished(tmux: list[str], within: float = 240) -> str:
    def ended() -> str | None:
        text = _screen(tmux, joined=True)
        return text if "EXIT=" in text else None

    return eventually(ended, within=within, every=0.3, what="the command to end")


@pytest.mark.parametrize(("width", "height"), [(80, 24), (50, 20)])
def test_process_draws_one_bar_that_fits_the_terminal(
    tmux: list[str], tmp_path: Path, width: int, height: int
) -> None:
    url = _ranch(tmp_path, 40, seed=81)
    _in_tmux(tmux, width, height, f"{THUMPER} --database-url {url} process")
    screen = _finished(tmux)
    lines = [line.rstrip() for line in screen.splitlines() if line.strip()]
    assert "EXIT=0" in screen and "Traceback" not in screen
    too_long = [line for line in lines if cell_len(line) > width]
    assert too_long == [], f"lines wider than {width} columns (each wrapped)"
    bars = [line for line in lines if line.startswith("Processing")]
    assert len(bars) == 1, f"the bar was redrawn below itself: {bars}"
    assert "40/40" in bars[0] or width < 60  # at 50 columns the count may give way to the bar
    assert any(line.startswith("run 1 done: 40 images done, 0 failed") for line in lines)
    print("\n".join(lines))  # the capture the closing note shows (pytest -s)


def test_profiles_line_up_in_cells_at_80_columns(tmux: list[str], tmp_path: Path) -> None:
    url = _ranch(tmp_path, 40, seed=82)
    ok("process", url=url)
    first, second, *_ = (p["id"] for p in run_json("profiles", database_url=url))
    ok("name", str(first), "Bambi 🦌", url=url)
    ok("name", str(second), "小鹿斑比", url=url)
    ok("note", str(second), "always at the salt lick before dawn, with a limp " * 3, url=url)
    _in_tmux(tmux, 80, 24, f"{THUMPER} --database-url {url} profiles")
    screen = _finished(tmux)
    lines = [line.rstrip() for line in screen.splitlines() if line.strip()]
    header, *rows = lines[: lines.index(next(x for x in lines if x.endswith(" profiles")))]
    assert header.split()[:5] == ["id", "name", "category", "sightings", "last", "seen"][:5]
    assert all(cell_len(line) <= 80 for line in lines)
    # The sightings column ends at one cell for every row, wide characters or not.
    edge = cell_len(header[: header.index("sightings") + len("sightings")])
    for row in rows:
        sightings = re.search(r" (\d[\d,]*)  +\d{4}-\d\d-\d\d", row)
        assert sightings is not None, row
        assert cell_len(row[: sightings.end(1)]) == edge, row
    assert any("Bambi 🦌" in row for row in rows) and any("小鹿斑比" in row for row in rows)
    assert any(row.endswith("…") for row in rows)  # the long note is cut to the width
    print(screen)


def test_colour_only_on_a_terminal_and_never_with_no_color(tmux: list[str], tmp_path: Path) -> None:
    url = _ranch(tmp_path, 12, seed=85)
    ok("process", url=url)
    command = f"{THUMPER} --database-url {url} runs"
    _in_tmux(tmux, 80, 24, f"{command}; NO_COLOR=1 {command}")
    _finished(tmux)
    shown = subprocess.run(  # -e: with the escape sequences the terminal was sent
        [*tmux, "capture-pane", "-p", "-e", "-t", "cli"], capture_output=True, text=True
    ).stdout
    _, first, second = re.split(r"^.*id.*status.*kind.*$", shown.split("EXIT=")[0], flags=re.M)
    assert "\x1b[32m" in first  # the done run in green on a terminal
    assert "\x1b[32m" not in second and "done" in second  # NO_COLOR: the same table, no colour
    piped = run_cli("runs", database_url=url)  # not a terminal: no escape at all
    assert "\x1b[" not in piped.stdout and "done" in piped.stdout


def test_ctrl_c_leaves_the_run_resumable(tmp_path: Path) -> None:
    url = _ranch(tmp_path, 150, seed=83)
    env = {**_env(), "THUMPER_BATCH_SIZE": "2"}
    process = subprocess.Popen(
        [str(THUMPER), "--database-url", url, "process"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )

    def some_done() -> bool:
        (done,) = query(url, select(func.count()).where(Image.status == "done"))[0]
        return done > 0

    eventually(some_done, within=120, every=0.2, what="a first batch done")
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted; run 1 stays resumable: `thumper process` goes on" in stderr
    assert "Traceback" not in stderr
    resumed = run_cli("process", "--json", database_url=url)
    assert resumed.exit_code == 0, resumed.output
    report = json.loads(resumed.stdout)
    assert report["run"] == 1 and report["status"] == "done"
    assert report["images"] == {"total": 150, "done": 150, "failed": 0}
    # This invocation counts only what it did itself, not what the interrupted one did.
    assert 0 < report["this_process"]["images"] < 150


def test_process_follows_a_run_another_worker_serves(tmp_path: Path) -> None:
    url = _ranch(tmp_path, 150, seed=84)
    queued = run_json("reprocess", "--clear-mode", "none", "--queue-only", database_url=url)
    worker = subprocess.Popen(
        [str(THUMPER), "--database-url", url, "worker", "--exit-when-idle"],
        env={**_env(), "THUMPER_BATCH_SIZE": "2"},
        stderr=subprocess.DEVNULL,
    )
    try:

        def started() -> bool:
            run = run_json("runs", database_url=url)[0]
            return bool(run["images"]["done"])

        eventually(started, within=120, every=0.2, what="the worker's first batch")
        result = subprocess.run(
            [str(THUMPER), "--database-url", url, "process", "--json"],
            env=_env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        worker.wait(timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"following run {queued['run']} to its end" in result.stderr
    report = json.loads(result.stdout)
    assert report["run"] == queued["run"] and report["status"] == "done"
    assert report["followed"] is True and report["this_process"]["images"] == 0
    assert report["images"] == {"total": 150, "done": 150, "failed": 0}
    assert len(run_json("runs", database_url=url)) == 1  # no second run was queued
