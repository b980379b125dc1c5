"""The real ``thumper`` binary in a real terminal (tmux): start it, see the panels, start a run
with keys, leave; the run goes on. Leaving by ``q`` and by losing the terminal (SIGHUP, as when
an SSH connection drops) are both tried."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import eventually, run_cli, run_json
from thumper_tui.engine import daemon

pytestmark = pytest.mark.slow  # real models, workers or terminals: `make test-fast` skips it

THUMPER = Path(sys.executable).with_name("thumper")


@pytest.fixture
def ranch_db(tmp_path: Path) -> str:
    """Six synthetic photos imported into a fresh SQLite database."""
    url = f"sqlite:///{tmp_path / 'thumper.db'}"
    ranch = tmp_path / "ranch"
    assert run_cli("synth", "--out", str(ranch), "--images", "6", "--seed", "4242").exit_code == 0
    assert run_cli("import", str(ranch), database_url=url).exit_code == 0
    return url


def _screen(tmux: list[str]) -> str:
    return subprocess.run(
        [*tmux, "capture-pane", "-p", "-t", "dash"], capture_output=True, text=True
    ).stdout


def _wait_screen(tmux: list[str], *needles: str, within: float = 60) -> str:
    def shown() -> str | None:
        text = _screen(tmux)
        return text if all(n in text for n in needles) else None

    return eventually(shown, within=within, every=0.2, what=f"{needles} on screen")


def _start_dashboard(tmux: list[str], url: str) -> int:
    env = " ".join(
        f"{k}={v}" for k, v in os.environ.items() if k.startswith(("XDG_", "HOME", "PATH"))
    )
    command = f"exec env {env} TERM=xterm-256color {THUMPER} --database-url {url}"
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "dash", "-x", "120", "-y", "40", command], check=True
    )
    pid = subprocess.run(
        [*tmux, "display-message", "-p", "-t", "dash", "#{pane_pid}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return int(pid)


def _start_run_with_keys(tmux: list[str]) -> None:
    _wait_screen(tmux, "Workers", "Database", "images 6:", "Alerts", "Throughput")
    subprocess.run([*tmux, "send-keys", "-t", "dash", "r"], check=True)
    _wait_screen(tmux, "Incremental: new and failed images")
    subprocess.run([*tmux, "send-keys", "-t", "dash", "Enter"], check=True)
    _wait_screen(tmux, "Process 6 new or failed images")
    subprocess.run([*tmux, "send-keys", "-t", "dash", "Enter"], check=True)
    _wait_screen(tmux, "run 1 queued")


def _gone(pid: int, within: float = 20) -> bool:
    def gone() -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    return eventually(gone, within=within, what=f"process {pid} gone")


def _run_finishes(url: str, within: float = 180) -> dict[str, object]:
    def finished() -> dict[str, object] | None:
        runs = run_json("runs", database_url=url)
        ended = runs and runs[0]["status"] in ("done", "failed", "cancelled")
        return dict(runs[0]) if ended else None

    return eventually(finished, within=within, every=1.0, what="the run to finish")


@pytest.mark.parametrize("leave", ["q", "SIGHUP"])
def test_start_a_run_from_the_dashboard_and_leave(
    tmux: list[str], ranch_db: str, leave: str
) -> None:
    pid = _start_dashboard(tmux, ranch_db)
    _start_run_with_keys(tmux)
    assert daemon.running_pid() is not None  # no worker was alive: the dashboard started one
    if leave == "q":
        subprocess.run([*tmux, "send-keys", "-t", "dash", "q"], check=True)
    else:
        os.kill(pid, signal.SIGHUP)
    assert _gone(pid), "the dashboard did not exit"
    run = _run_finishes(ranch_db)
    assert run["status"] == "done" and run["images"] == {"total": 6, "done": 6, "failed": 0}
    status = run_json("status", database_url=ranch_db)
    assert status["images"]["done"] == 6 and status["active_run"] is None


def test_name_a_deer_in_a_plain_terminal_with_its_photo_in_half_blocks(
    tmux: list[str], tmp_path: Path
) -> None:
    from tests.conftest import run_async
    from tests.photo_herd import photo_herd
    from thumper_tui.store.engine import make_engine
    from thumper_tui.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'herd.db'}"

    async def seed() -> list[int]:
        engine = make_engine(url)
        await upgrade(engine)
        ids = await photo_herd(engine, tmp_path / "photos", [2, 1])
        await engine.dispose()
        return ids

    ids = run_async(seed)
    pid = _start_dashboard(tmux, url)
    _wait_screen(tmux, "Workers", "Database")
    subprocess.run([*tmux, "send-keys", "-t", "dash", "4"], check=True)
    # tmux answers no graphics query: the photo is drawn in half-blocks, the strip beside it.
    _wait_screen(tmux, "Profiles", "(unnamed)", "detection #", "▀", "▶ #")
    subprocess.run([*tmux, "send-keys", "-t", "dash", "n"], check=True)
    _wait_screen(tmux, "Tab: next of")
    subprocess.run([*tmux, "send-keys", "-t", "dash", "Tab", "Enter"], check=True)

    def named() -> list[dict[str, object]] | None:
        given = [p for p in run_json("profiles", database_url=url) if p["name"]]
        return given or None

    [profile] = eventually(named, within=30, what="a name in the database")
    assert profile["id"] in ids and profile["name"] == "Elsa"  # the second doe suggestion
    _wait_screen(tmux, "Elsa")
    subprocess.run([*tmux, "send-keys", "-t", "dash", "q"], check=True)
    assert _gone(pid), "the dashboard did not exit"
