"""profile_history: per-day detection counts and the run that last changed the row; runs: the
schedule slot each was queued for (unique: no slot runs twice) and how far the run moved the
count of deer already seen

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("profile_history", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("deer_detections", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "placed_detections", sa.Integer(), server_default=sa.text("0"), nullable=False
            )
        )
        batch_op.add_column(sa.Column("run_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("schedule_slot", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("profiles_shift", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint("uq_runs_schedule_slot", ["schedule_slot"])


def downgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_constraint("uq_runs_schedule_slot", type_="unique")
        batch_op.drop_column("profiles_shift")
        batch_op.drop_column("schedule_slot")
    with op.batch_alter_table("profile_history", schema=None) as batch_op:
        batch_op.drop_column("run_id")
        batch_op.drop_column("placed_detections")
        batch_op.drop_column("deer_detections")
