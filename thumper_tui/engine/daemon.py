"""Detaching a worker from its terminal, so a dropped SSH session never stops a run.

The worker gets a new session (``setsid``), a pid file and a log file in the XDG state folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from thumper_tui import paths


def pid_file() -> Path:
    """``$XDG_STATE_HOME/thumper/worker.pid``."""
    return paths.state_dir() / "worker.pid"


def log_file() -> Path:
    """``$XDG_STATE_HOME/thumper/worker.log``."""
    return paths.state_dir() / "worker.log"


def running_pid() -> int | None:
    """The pid in the pid file if that process is alive, else ``None``."""
    try:
        pid = int(pid_file().read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs; a worker this process started is reaped once it exits (a
    zombie still answers signals, and would look alive until this process ends)."""
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return False
    except ChildProcessError:  # not this process's child: its own parent reaps it
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class StillRunning(Exception):
    """The detached worker was asked to stop and has not exited in time; its pid file stays."""

    def __init__(self, pid: int, timeout: float) -> None:
        super().__init__(
            f"the detached worker (pid {pid}) has not exited {timeout:g} s after it was asked "
            "to stop"
        )
        self.pid = pid


STOP_TIMEOUT_S = 30.0


def stop(timeout: float | None = None) -> int | None:
    """Ask the detached worker to stop (SIGTERM: it hands its images back first) and wait.

    Returns its pid once it has exited, or ``None`` when none was running. Raises
    :class:`StillRunning` when it is alive after ``timeout`` seconds (default
    :data:`STOP_TIMEOUT_S`): the pid file then stays, so ``--stop`` can be asked again and no
    second worker starts beside it.
    """
    pid = running_pid()
    if pid is None:
        return None
    timeout = STOP_TIMEOUT_S if timeout is None else timeout
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            break
        time.sleep(0.1)
    else:
        raise StillRunning(pid, timeout)
    pid_file().unlink(missing_ok=True)
    return pid


def detach(argv: list[str], env: dict[str, str] | None = None) -> int:
    """Start ``thumper ARGV`` in its own session, output to the log file; returns its pid.

    The child ignores the terminal's hang-up because it is no longer in the terminal's
    session; its standard input is /dev/null. ``env`` adds variables (secrets such as the
    database URL travel this way, never on a command line that ``ps`` shows).
    """
    state = paths.state_dir()
    state.mkdir(parents=True, exist_ok=True)
    with log_file().open("ab") as log, open(os.devnull, "rb") as devnull:
        child = subprocess.Popen(
            [sys.executable, "-m", "thumper_tui", *argv],
            stdin=devnull,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            env={**os.environ, **(env or {})},
        )
    pid_file().write_text(f"{child.pid}\n")
    return child.pid


def start_worker(database_url: str, config_file: Path | None = None) -> tuple[int, bool]:
    """Make sure a detached worker serves ``database_url``: (its pid, whether it was started now).

    The dashboard calls this when no worker has a fresh heartbeat. The URL travels in the
    environment, so a password in it never shows in ``ps``.
    """
    running = running_pid()
    if running is not None:
        return running, False
    env = {"THUMPER_DATABASE_URL": database_url}
    if config_file is not None:
        env["THUMPER_CONFIG"] = str(config_file)
    return detach(["worker"], env), True
