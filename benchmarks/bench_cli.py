"""How quickly the command line answers: ``thumper --help`` and ``thumper status --json``.

Scripts and shell loops call these often. Each is timed as a fresh process (the median of
several runs, after one to warm the page cache), beside the baseline measured in the same run:
a bare ``python -c "import click"`` with the same interpreter, the floor for any click CLI.
Targets (issue 19): ``--help`` within 3x and ``status --json`` within 5x of the baseline.

    .venv/bin/python benchmarks/bench_cli.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

THUMPER = Path(sys.executable).with_name("thumper")
FLOOR = "import click, sqlalchemy.ext.asyncio, aiosqlite"
TARGETS = {"--help": 3.0, "--version": 3.0, "status --json": 5.0}


def wall(argv: list[str], runs: int) -> float:
    """The median wall time of ``argv`` as a fresh process, in seconds."""
    subprocess.run(argv, capture_output=True, check=True)  # warm the page cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'thumper.db'}"
        subprocess.run([str(THUMPER), "--database-url", url, "db", "upgrade"], check=True,
                       capture_output=True)  # fmt: skip
        baseline = wall([sys.executable, "-c", "import click"], args.runs)
        print(f"baseline  python -c 'import click'  {baseline * 1000:7.1f} ms")
        # What no command that reads through SQLAlchemy's async engine can go below.
        floor = wall([sys.executable, "-c", FLOOR], args.runs)
        print(
            f"floor     import click + SQLAlchemy async + aiosqlite  {floor * 1000:7.1f} ms  "
            f"{floor / baseline:5.2f}x baseline"
        )
        commands = {
            "--help": [str(THUMPER), "--help"],
            "--version": [str(THUMPER), "--version"],
            "status --json": [str(THUMPER), "--database-url", url, "status", "--json"],
        }
        for label, argv in commands.items():
            seconds = wall(argv, args.runs)
            ratio = seconds / baseline
            verdict = "ok" if ratio <= TARGETS[label] else f"over the {TARGETS[label]:.0f}x target"
            print(
                f"thumper {label:<22} {seconds * 1000:7.1f} ms  {ratio:5.2f}x baseline  ({verdict})"
            )


if __name__ == "__main__":
    main()
