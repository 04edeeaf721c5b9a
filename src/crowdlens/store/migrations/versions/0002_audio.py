"""audio clips: stored spoken answers and their transcription state

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audio_clips",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "media_key",
            sa.String(length=200),
            nullable=False,
            comment="path inside the media folder",
        ),
        sa.Column(
            "audio_format", sa.String(length=10), nullable=False, comment="wav, ogg, webm, mp3, m4a"
        ),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column(
            "duration_s", sa.Float(), nullable=False, comment="measured from the decoded samples"
        ),
        sa.Column(
            "speech_s", sa.Float(), nullable=False, comment="seconds above the silence level"
        ),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("annotator_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "error", sa.Text(), nullable=True, comment="last failure, readable by the worker"
        ),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("transcript", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column(
            "backend", sa.String(length=100), nullable=True, comment="transcriber that finished"
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["annotator_id"],
            ["annotators.id"],
            name=op.f("fk_audio_clips_annotator_id_annotators"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_audio_clips_item_id_items"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_audio_clips_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audio_clips")),
        sa.UniqueConstraint("sha256", name=op.f("uq_audio_clips_sha256")),
    )
    with op.batch_alter_table("audio_clips", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audio_clips_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audio_clips_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audio_clips", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audio_clips_state"))
        batch_op.drop_index(batch_op.f("ix_audio_clips_project_id"))
    op.drop_table("audio_clips")
