"""The dashboard's own cost: time to first paint, and CPU use idle and during a run.

Runs the real ``thumper`` in tmux (120x40) on a synthetic ranch in a temporary folder, finds
its process and reads its CPU time with psutil over a window (default 60 s): mean % of one
core. The baseline, measured the same way in the same run, is a bare Textual app showing one
line of text: the floor any Textual app pays.

    .venv/bin/python benchmarks/bench_dashboard.py [--images 1200] [--window 60]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

BIN = Path(sys.executable).parent
BARE_APP = (
    "from textual.app import App\n"
    "from textual.widgets import Static\n"
    "class Bare(App):\n"
    "    def compose(self):\n"
    "        yield Static('Workers')\n"
    "Bare().run()\n"
)


class Terminal:
    """One tmux server on a private socket."""

    def __init__(self, folder: Path) -> None:
        self.base = ["tmux", "-S", str(folder / "tmux.sock")]

    def start(self, name: str, command: str) -> int:
        subprocess.run(
            [*self.base, "new-session", "-d", "-s", name, "-x", "120", "-y", "40", command],
            check=True,
        )
        out = subprocess.run(
            [*self.base, "display-message", "-p", "-t", name, "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(out.stdout.strip())

    def wait_for(self, name: str, needle: str, within: float = 60) -> float:
        started = time.perf_counter()
        while time.perf_counter() - started < within:
            text = subprocess.run(
                [*self.base, "capture-pane", "-p", "-t", name], capture_output=True, text=True
            ).stdout
            if needle in text:
                return time.perf_counter() - started
            time.sleep(0.01)
        raise SystemExit(f"{needle!r} never appeared in {name}")

    def stop(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True)


def cpu_percent(pid: int, window: float) -> float:
    """Mean CPU use of ``pid`` over ``window`` seconds, in % of one core."""
    process = psutil.Process(pid)
    before = process.cpu_times()
    time.sleep(window)
    after = process.cpu_times()
    used = (after.user - before.user) + (after.system - before.system)
    return 100 * used / window


def thumper(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [str(BIN / "thumper"), *args], env=env, check=True, capture_output=True, text=True
    ).stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=1200)
    parser.add_argument("--window", type=float, default=60.0)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is needed (make tools installs it)")
    folder = Path(tempfile.mkdtemp(prefix="thumper-bench-dash-"))
    env = {
        **os.environ,
        "XDG_STATE_HOME": str(folder / "state"),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_DATA_HOME": str(folder / "data"),
        "THUMPER_DATABASE_URL": f"sqlite:///{folder / 'thumper.db'}",
        "TERM": "xterm-256color",
    }
    exports = " ".join(f"{k}={v}" for k, v in env.items() if k.startswith(("XDG_", "THUMPER_")))
    terminal = Terminal(folder)
    try:
        print(f"generating {args.images} photos ...", file=sys.stderr)
        thumper(env, "synth", "--out", str(folder / "ranch"), "--images", str(args.images))
        thumper(env, "import", str(folder / "ranch"))

        bare_pid = terminal.start("bare", f'exec {sys.executable} -c "{BARE_APP}"')
        bare_paint = terminal.wait_for("bare", "Workers")
        bare_cpu = cpu_percent(bare_pid, args.window)

        pid = terminal.start("dash", f"exec env {exports} TERM=xterm-256color {BIN / 'thumper'}")
        paint = terminal.wait_for("dash", "Workers")
        data = terminal.wait_for("dash", f"images {args.images:,}:")
        idle_cpu = cpu_percent(pid, args.window)

        thumper(env, "reprocess", "--clear-mode", "none", "--queue-only")
        thumper(env, "worker", "--detach")
        terminal.wait_for("dash", "· running", within=120)
        run_cpu = cpu_percent(pid, args.window)
        status = json.loads(thumper(env, "status", "--json"))
        still_running = status["active_run"] is not None
    finally:
        subprocess.run(
            [str(BIN / "thumper"), "worker", "--stop"], env=env, capture_output=True, check=False
        )
        terminal.stop()
        shutil.rmtree(folder, ignore_errors=True)

    print(f"dashboard, 120x40, {os.cpu_count()} cores, window {args.window:.0f} s")
    print(f"  first paint          {paint:6.2f} s   (bare Textual app {bare_paint:.2f} s)")
    print(f"  database panels      {paint + data:6.2f} s   after start")
    print(f"  CPU idle             {idle_cpu:6.2f} %   of one core")
    print(
        f"  CPU during a run     {run_cpu:6.2f} %   of one core"
        + ("" if still_running else "  (the run ended inside the window)")
    )
    ratio = idle_cpu / max(bare_cpu, 0.01)
    print(f"  baseline bare app    {bare_cpu:6.2f} %   ratio idle/bare {ratio:.1f}")


if __name__ == "__main__":
    main()
