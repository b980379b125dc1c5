"""Messages shared across the app, named for what has happened."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from thumper_tui.telemetry.snapshots import GpuState, HostSnapshot

if TYPE_CHECKING:  # what the database reads carry loads with the first read, after the paint
    from thumper_tui.analytics.advisor import Advice
    from thumper_tui.analytics.answers import RanchView
    from thumper_tui.monitor.overview import Overview


class TelemetrySampled(Message):
    """The GPUs and the host were read."""

    def __init__(self, gpus: GpuState, host: HostSnapshot) -> None:
        super().__init__()
        self.gpus = gpus
        self.host = host


class OverviewRead(Message):
    """The database was read."""

    def __init__(self, overview: Overview) -> None:
        super().__init__()
        self.overview = overview


class DatabaseUnreachable(Message):
    """Reading the database failed; the next try comes in ``retry_in`` seconds."""

    def __init__(self, reason: str, retry_in: float) -> None:
        super().__init__()
        self.reason = reason
        self.retry_in = retry_in


class RanchViewRead(Message):
    """Readiness, health, the history, the advice and the runs were read."""

    def __init__(self, view: RanchView) -> None:
        super().__init__()
        self.view = view


class AdviceRead(Message):
    """The advisor was asked; ``next_scheduled`` comes with it."""

    def __init__(self, advice: Advice) -> None:
        super().__init__()
        self.advice = advice
