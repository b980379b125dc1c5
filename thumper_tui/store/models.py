"""The data model as typed SQLAlchemy 2 mappings (docs/architecture.md, "Data model").

States are stored as short strings (the ``StrEnum`` values below) rather than database enums,
so adding a state later is a code change, not a migration on both dialects.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Uuid,
    and_,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from thumper_tui.store.types import UTCDateTime, utcnow
from thumper_tui.vocabulary.categories import DEER_CATEGORIES
from thumper_tui.vocabulary.states import (
    ImageStatus,
    ProfileStatus,
    RunStatus,
)

# BIGINT primary keys on PostgreSQL; SQLite only auto-increments a plain INTEGER primary key.
BigId = BigInteger().with_variant(Integer(), "sqlite")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with portable type mapping and stable constraint names."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        uuid.UUID: Uuid(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }


class Camera(Base):
    """A trail camera; images take their camera from the folder they were imported from."""

    __tablename__ = "cameras"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Image(Base):
    """One photo file. ``sha256`` is unique: the same photo under a second path is one image."""

    __tablename__ = "images"
    __table_args__ = (
        Index(None, "status"),
        Index(None, "camera_id", "taken_at"),
        Index(None, "lease_expires_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    path: Mapped[str] = mapped_column(Text, unique=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id"))
    taken_at: Mapped[datetime]
    timestamp_source: Mapped[str] = mapped_column(String(8))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    file_size: Mapped[int] = mapped_column(BigInteger)
    # Marked by ``thumper synth``; NULL for photos imported before the mark was read.
    synthetic: Mapped[bool | None] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16), default=ImageStatus.PENDING.value)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    processed_by_run: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    lease_owner: Mapped[uuid.UUID | None]
    lease_expires_at: Mapped[datetime | None]
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class Run(Base):
    """A processing run: what was asked, with every setting that shapes its results."""

    __tablename__ = "runs"
    __table_args__ = (Index(None, "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    clear_mode: Mapped[str] = mapped_column(String(16), default="none")
    trigger: Mapped[str] = mapped_column(String(16), default="cli")
    model_path: Mapped[str | None] = mapped_column(Text)
    model_sha256: Mapped[str | None] = mapped_column(String(64))
    model_classes: Mapped[list[str] | None]
    reid_threshold: Mapped[float | None] = mapped_column(Float)
    settings: Mapped[dict[str, Any] | None]
    pipeline_version: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.QUEUED.value)
    images_total: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    images_done: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    images_failed: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    detections: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    new_profiles: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # deer detections consolidation took out of every profile (their sex in doubt)
    held_detections: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    timings: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    # the schedule slot this run was queued for (unique: no slot runs twice), e.g. 2026-W48
    schedule_slot: Mapped[str | None] = mapped_column(String(32), unique=True)
    # how far the run moved the profile count of the days it found in the history
    profiles_shift: Mapped[int | None] = mapped_column(Integer)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class Worker(Base):
    """A worker process; ``heartbeat_at`` says whether it is alive."""

    __tablename__ = "workers"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    device: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default="idle")


class Detection(Base):
    """One box in one image, with its category, embedding and profile assignment."""

    __tablename__ = "detections"
    __table_args__ = (Index(None, "image_id"), Index(None, "deer_id"), Index(None, "run_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    x1: Mapped[float] = mapped_column(Float)
    y1: Mapped[float] = mapped_column(Float)
    x2: Mapped[float] = mapped_column(Float)
    y2: Mapped[float] = mapped_column(Float)
    confidence: Mapped[float] = mapped_column(Float)
    class_name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(16))
    # How sure the category is when something other than the detector's class decided it: the
    # crop classifier's probability, or a detections file's classification confidence.
    category_confidence: Mapped[float | None] = mapped_column(Float)
    species: Mapped[str | None] = mapped_column(String(100))
    is_duplicate: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    embedding_version: Mapped[str | None] = mapped_column(String(32))
    deer_id: Mapped[int | None] = mapped_column(ForeignKey("deer.id", ondelete="SET NULL"))
    match_score: Mapped[float | None] = mapped_column(Float)
    burst_id: Mapped[str | None] = mapped_column(String(64))
    corrected_category: Mapped[str | None] = mapped_column(String(16))
    verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # The profile the detection at this place in this photo belonged to before a reprocess
    # replaced it: how a rebuild maps its new clusters onto the old profiles.
    prior_deer_id: Mapped[int | None] = mapped_column(Integer)
    # the run whose end took this detection out of every profile (its sex in doubt)
    held_by_run: Mapped[int | None] = mapped_column(Integer)

    @classmethod
    def box_columns(cls) -> tuple[Any, Any, Any, Any]:
        """The box's columns in order (x1, y1, x2, y2), for selects."""
        return cls.x1, cls.y1, cls.x2, cls.y2

    @classmethod
    def is_deer_sighting(cls) -> Any:
        """The condition for a deer detection that counts as a sighting: a deer category, not a
        duplicate box over a better one."""
        return and_(cls.category.in_(DEER_CATEGORIES), cls.is_duplicate.is_(False))


class Deer(Base):
    """An individual deer profile; its id is stable for life, its name unique among live ones."""

    __tablename__ = "deer"
    __table_args__ = (
        # Names are unique among live profiles whatever their case: "Bambi" and "bambi" clash.
        Index(
            "uq_deer_live_name",
            text("lower(name)"),
            unique=True,
            sqlite_where=text("status = 'active' AND name IS NOT NULL"),
            postgresql_where=text("status = 'active' AND name IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str | None] = mapped_column(Text)
    primary_detection_id: Mapped[int | None] = mapped_column(
        ForeignKey("detections.id", ondelete="SET NULL", use_alter=True)
    )
    status: Mapped[str] = mapped_column(String(16), default=ProfileStatus.ACTIVE.value)
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("deer.id"))
    first_seen: Mapped[datetime | None]
    last_seen: Mapped[datetime | None]
    sightings: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    prototype: Mapped[bytes | None] = mapped_column(LargeBinary)
    exemplars: Mapped[bytes | None] = mapped_column(LargeBinary)  # float16 rows, bank_version
    bank_version: Mapped[str | None] = mapped_column(String(32))
    built_by_run: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    named_at: Mapped[datetime | None]


class NotSameDeer(Base):
    """A human decision that two profiles are different deer; clustering never joins them."""

    __tablename__ = "not_same_deer"

    deer_a: Mapped[int] = mapped_column(ForeignKey("deer.id", ondelete="CASCADE"), primary_key=True)
    deer_b: Mapped[int] = mapped_column(ForeignKey("deer.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProfileHistory(Base):
    """One row per ranch-local day of photos; readiness and trends read this, never
    ``deer.created_at``. ``total_profiles`` are the live profiles first seen (a photo time, which
    a reprocess keeps) by the end of the day, ``new_profiles`` those first seen that day,
    ``assignment_rate`` the share of deer detections in a profile up to that day; the
    detection and image counts are the day's own. ``run_id``: the run that last changed it."""

    __tablename__ = "profile_history"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    total_profiles: Mapped[int] = mapped_column(Integer)
    new_profiles: Mapped[int] = mapped_column(Integer)
    assignment_rate: Mapped[float | None] = mapped_column(Float)
    images_done: Mapped[int] = mapped_column(Integer)
    deer_detections: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    placed_detections: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    run_id: Mapped[int | None] = mapped_column(Integer)


class Telemetry(Base):
    """A GPU sample stored by a worker, so a dashboard on another host sees that GPU."""

    __tablename__ = "telemetry"
    __table_args__ = (Index(None, "ts"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ts: Mapped[datetime] = mapped_column(default=utcnow)
    worker_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL")
    )
    gpu_index: Mapped[int | None] = mapped_column(Integer)
    util_percent: Mapped[float | None] = mapped_column(Float)
    memory_used: Mapped[int | None] = mapped_column(BigInteger)
    memory_total: Mapped[int | None] = mapped_column(BigInteger)
    temperature_c: Mapped[float | None] = mapped_column(Float)
    power_w: Mapped[float | None] = mapped_column(Float)
    images_per_min: Mapped[float | None] = mapped_column(Float)


class Audit(Base):
    """Every human decision with before and after, so it can be undone and survives reprocessing."""

    __tablename__ = "audit"
    __table_args__ = (Index(None, "deer_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ts: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(32))
    deer_id: Mapped[int | None] = mapped_column(Integer)
    detection_id: Mapped[int | None] = mapped_column(BigInteger)
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    actor: Mapped[str | None] = mapped_column(String(100))
    undone_at: Mapped[datetime | None]


class ImportedBoxes(Base):
    """The boxes a detections file (MegaDetector JSON) gave one photo, held for the import
    run that embeds and re-identifies them; dropped when that run ends. ``boxes`` is a list of
    ``[class_name, confidence, x1, y1, x2, y2]``, normalised to the upright photo."""

    __tablename__ = "imported_boxes"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    image_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("images.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    boxes: Mapped[list[Any]] = mapped_column(JSON)
