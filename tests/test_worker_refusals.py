"""What the CLI says when a worker may not run or does not stop: the run it leaves queued, the
detached worker that outlives ``--stop``."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from tests.helpers import make_jpeg, run_cli, run_json
from thumper_tui.engine import daemon
from thumper_tui.engine.runs import get_run
from thumper_tui.engine.workers import register_worker
from thumper_tui.store.engine import make_engine
from thumper_tui.store.models import Worker
from thumper_tui.store.types import utcnow

# Ignores SIGTERM, as a worker stuck in a long call would seem to.
DEAF = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print(1, flush=True); time.sleep(60)"
)


async def test_process_beside_a_sqlite_worker_follows_its_run_and_takes_it_over(
    tmp_path: Path,
) -> None:
    """A worker that holds the SQLite database but stops beating: ``process`` follows the run
    (it may not serve beside it), and serves the run itself once that worker has gone stale."""
    for n in range(3):
        make_jpeg(
            tmp_path / "photos" / "Cam" / f"IMG_{n:04d}.jpg",
            datetime_original=f"2025:10:0{n + 1} 06:00:00",
        )
    url = f"sqlite:///{tmp_path / 'one.db'}"
    await asyncio.to_thread(run_json, "import", str(tmp_path / "photos"), database_url=url)
    engine = make_engine(url)
    try:
        other = await register_worker(engine, "cpu")  # this test's own process: alive
        async with engine.begin() as conn:  # its last beat, 20 s ago: stale 10 s from now
            beat = utcnow() - timedelta(seconds=20)
            await conn.execute(update(Worker).where(Worker.id == other).values(heartbeat_at=beat))
        result = await asyncio.to_thread(
            run_cli, "process", "--allow-demo-model", "--json", database_url=url
        )
        assert result.exit_code == 0, result.output
        assert "SQLite allows one worker at a time" in result.stderr
        assert "following run 1 to its end" in result.stderr
        report = json.loads(result.stdout)
        assert report["status"] == "done" and report["images"]["done"] == 3
        assert "the other worker stopped; serving run 1 here" in result.stderr
        assert report["followed"] is False and report["this_process"]["images"] == 3
        run = await get_run(engine, 1)
        assert run is not None and run.status == "done" and run.images_done == 3
    finally:
        await engine.dispose()


def test_a_detached_worker_that_outlives_stop_keeps_its_pid_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    deaf = subprocess.Popen([sys.executable, "-c", DEAF], stdout=subprocess.PIPE)
    try:
        assert deaf.stdout is not None and deaf.stdout.readline()  # its handler is set
        daemon.pid_file().parent.mkdir(parents=True, exist_ok=True)
        daemon.pid_file().write_text(str(deaf.pid))
        started = time.monotonic()
        with pytest.raises(daemon.StillRunning) as stuck:
            daemon.stop(timeout=0.5)
        assert stuck.value.pid == deaf.pid and time.monotonic() - started < 5
        assert daemon.running_pid() == deaf.pid  # not forgotten: no second one starts beside it
        monkeypatch.setattr(daemon, "STOP_TIMEOUT_S", 0.5)
        again = run_cli("worker", "--stop")
        assert again.exit_code == 1
        assert f"pid {deaf.pid}) has not exited 0.5 s after it was asked to stop" in again.output
        assert f"kill -9 {deaf.pid}" in again.output
        deaf.send_signal(signal.SIGKILL)
        deaf.wait()
        assert daemon.stop(timeout=0.5) is None  # gone: the pid file names no live worker
    finally:
        deaf.kill()
        deaf.wait()


def test_stop_reaps_a_worker_this_process_started() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    daemon.pid_file().parent.mkdir(parents=True, exist_ok=True)
    daemon.pid_file().write_text(str(child.pid))
    started = time.monotonic()
    assert daemon.stop(timeout=30) == child.pid
    # A zombie answers signals: without reaping, stop would wait out its whole timeout.
    assert time.monotonic() - started < 15
    assert not daemon.pid_file().exists()


def test_contradictory_worker_options_are_a_usage_error() -> None:
    refused = run_cli("worker", "--detach", "--stop")
    assert refused.exit_code == 2
    assert refused.stderr == "thumper: --stop stops the detached worker and takes no other option\n"
