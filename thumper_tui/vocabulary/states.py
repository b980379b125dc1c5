"""The states images, runs, workers and profiles are in, stored as these short strings.

They are plain ``StrEnum`` values rather than database enums, so adding a state later is a
code change, not a migration on both dialects; they live here, below the store, so a command
can offer them as choices without loading the database layer.
"""

from __future__ import annotations

from enum import StrEnum


class ImageStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"


class TimestampSource(StrEnum):
    EXIF = "exif"
    FILENAME = "filename"
    MTIME = "mtime"


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.PAUSED)
ENDED_STATUSES = (RunStatus.DONE, RunStatus.FAILED, RunStatus.CANCELLED)


class RunKind(StrEnum):
    INCREMENTAL = "incremental"  # new and failed images
    FULL = "full"  # every image
    REID_ONLY = "reid-only"  # every done image's stored detections, re-identified
    IMPORTED = "imported"  # a detections file's boxes, embedded and re-identified here


class ClearMode(StrEnum):
    NONE = "none"  # only new or failed images
    DETECTIONS = "detections"  # redo detection and re-ID; profiles and human decisions kept
    ALL = "all"  # rebuild the profiles too, mapped back onto the old ones


class RunTrigger(StrEnum):
    MANUAL = "manual"
    SCHEDULE = "schedule"
    ADVISOR = "advisor"
    CLI = "cli"


class WorkerState(StrEnum):
    IDLE = "idle"
    PROCESSING = "processing"
    PAUSED = "paused"
    STOPPED = "stopped"


class ProfileStatus(StrEnum):
    ACTIVE = "active"
    MERGED = "merged"


STAGES = ("decode", "detect", "embed", "reid", "write")  # a run's stages, in their order
START_WORKER = "start_worker"  # the action an alert offers when no worker serves the runs
HEARTBEAT_SECONDS = 5  # a worker's heartbeat interval
STALE_SECONDS = 30  # a worker silent this long is stale: another may take its images
