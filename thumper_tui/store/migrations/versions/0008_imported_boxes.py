"""imported_boxes: the boxes of a detections file, held for the run that re-identifies them

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "imported_boxes",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("image_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("boxes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.id"],
            name=op.f("fk_imported_boxes_run_id_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["images.id"],
            name=op.f("fk_imported_boxes_image_id_images"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "image_id", name=op.f("pk_imported_boxes")),
    )
    op.create_index(
        op.f("ix_imported_boxes_image_id"), "imported_boxes", ["image_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_imported_boxes_image_id"), table_name="imported_boxes")
    op.drop_table("imported_boxes")
