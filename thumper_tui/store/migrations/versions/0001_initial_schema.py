"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import thumper_tui.store.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("ts", thumper_tui.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("deer_id", sa.Integer(), nullable=True),
        sa.Column("detection_id", sa.BigInteger(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("undone_at", thumper_tui.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_deer_id"), ["deer_id"], unique=False)

    op.create_table(
        "cameras",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("(true)"), nullable=False),
        sa.Column("created_at", thumper_tui.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cameras")),
        sa.UniqueConstraint("name", name=op.f("uq_cameras_name")),
    )
    op.create_table(
        "deer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "primary_detection_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("first_seen", thumper_tui.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_seen", thumper_tui.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sightings", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("prototype", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", thumper_tui.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("named_at", thumper_tui.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["merged_into"], ["deer.id"], name=op.f("fk_deer_merged_into_deer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deer")),
    )
    with op.batch_alter_table("deer", schema=None) as batch_op:
        batch_op.create_index(
            "uq_deer_live_name",
            ["name"],
            unique=True,
            sqlite_where=sa.text("status = 'active' AND name IS NOT NULL"),
            postgresql_where=sa.text("status = 'active' AND name IS NOT NULL"),
        )

    op.create_table(
        "profile_history",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("total_profiles", sa.Integer(), nullable=False),
        sa.Column("new_profiles", sa.Integer(), nullable=False),
        sa.Column("assignment_rate", sa.Float(), nullable=True),
        sa.Column("images_done", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_profile_history")),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("clear_mode", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("model_path", sa.Text(), nullable=True),
        sa.Column("model_sha256", sa.String(length=64), nullable=True),
        sa.Column("model_classes", sa.JSON(), nullable=True),
        sa.Column("reid_threshold", sa.Float(), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=True),
        sa.Column("pipeline_version", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("images_total", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("images_done", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("images_failed", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("detections", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("new_profiles", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("timings", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "requested_at", thumper_tui.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("started_at", thumper_tui.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", thumper_tui.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_runs_status"), ["status"], unique=False)

    op.create_table(
        "workers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("device", sa.String(length=100), nullable=False),
        sa.Column("started_at", thumper_tui.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "heartbeat_at", thumper_tui.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workers")),
    )
    op.create_table(
        "images",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("taken_at", thumper_tui.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("timestamp_source", sa.String(length=8), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("processed_by_run", sa.Integer(), nullable=True),
        sa.Column("lease_owner", sa.Uuid(), nullable=True),
        sa.Column(
            "lease_expires_at", thumper_tui.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "imported_at", thumper_tui.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_images_camera_id_cameras")
        ),
        sa.ForeignKeyConstraint(
            ["processed_by_run"],
            ["runs.id"],
            name=op.f("fk_images_processed_by_run_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_images")),
        sa.UniqueConstraint("path", name=op.f("uq_images_path")),
        sa.UniqueConstraint("sha256", name=op.f("uq_images_sha256")),
    )
    with op.batch_alter_table("images", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_images_camera_id_taken_at"), ["camera_id", "taken_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_images_lease_expires_at"), ["lease_expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_images_status"), ["status"], unique=False)

    op.create_table(
        "telemetry",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("ts", thumper_tui.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("worker_id", sa.Uuid(), nullable=True),
        sa.Column("gpu_index", sa.Integer(), nullable=True),
        sa.Column("util_percent", sa.Float(), nullable=True),
        sa.Column("memory_used", sa.BigInteger(), nullable=True),
        sa.Column("memory_total", sa.BigInteger(), nullable=True),
        sa.Column("temperature_c", sa.Float(), nullable=True),
        sa.Column("power_w", sa.Float(), nullable=True),
        sa.Column("images_per_min", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["workers.id"],
            name=op.f("fk_telemetry_worker_id_workers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telemetry")),
    )
    with op.batch_alter_table("telemetry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_telemetry_ts"), ["ts"], unique=False)

    op.create_table(
        "detections",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("image_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("x1", sa.Float(), nullable=False),
        sa.Column("y1", sa.Float(), nullable=False),
        sa.Column("x2", sa.Float(), nullable=False),
        sa.Column("y2", sa.Float(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("class_name", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("species", sa.String(length=100), nullable=True),
        sa.Column("is_duplicate", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.Column("embedding_version", sa.String(length=32), nullable=True),
        sa.Column("deer_id", sa.Integer(), nullable=True),
        sa.Column("match_score", sa.Float(), nullable=True),
        sa.Column("burst_id", sa.String(length=64), nullable=True),
        sa.Column("corrected_category", sa.String(length=16), nullable=True),
        sa.Column("verified", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.ForeignKeyConstraint(
            ["deer_id"], ["deer.id"], name=op.f("fk_detections_deer_id_deer"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["images.id"],
            name=op.f("fk_detections_image_id_images"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_detections_run_id_runs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detections")),
    )
    with op.batch_alter_table("detections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_detections_deer_id"), ["deer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_detections_image_id"), ["image_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_detections_run_id"), ["run_id"], unique=False)

    # deer and detections point at each other, so this key can only come once both exist.
    with op.batch_alter_table("deer", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_deer_primary_detection_id_detections"),
            "detections",
            ["primary_detection_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("deer", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_deer_primary_detection_id_detections"), type_="foreignkey"
        )
    with op.batch_alter_table("detections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_detections_run_id"))
        batch_op.drop_index(batch_op.f("ix_detections_image_id"))
        batch_op.drop_index(batch_op.f("ix_detections_deer_id"))

    op.drop_table("detections")
    with op.batch_alter_table("telemetry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_telemetry_ts"))

    op.drop_table("telemetry")
    with op.batch_alter_table("images", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_images_status"))
        batch_op.drop_index(batch_op.f("ix_images_lease_expires_at"))
        batch_op.drop_index(batch_op.f("ix_images_camera_id_taken_at"))

    op.drop_table("images")
    op.drop_table("workers")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_runs_status"))

    op.drop_table("runs")
    op.drop_table("profile_history")
    with op.batch_alter_table("deer", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_deer_live_name",
            sqlite_where=sa.text("status = 'active' AND name IS NOT NULL"),
            postgresql_where=sa.text("status = 'active' AND name IS NOT NULL"),
        )

    op.drop_table("deer")
    op.drop_table("cameras")
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_deer_id"))

    op.drop_table("audit")
