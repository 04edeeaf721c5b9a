"""The database tables, as SQLAlchemy 2 typed models.

Changing a table means adding an Alembic migration in ``store/migrations/versions``;
a test compares these models with the migrated database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

Json = JSON().with_variant(JSONB(), "postgresql")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: Json,
        list[Any]: Json,
        datetime: DateTime(timezone=True),
    }


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    config: Mapped[dict[str, Any]] = mapped_column(comment="the LabelSchema as JSON")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Item(Base):
    """One image of a project, content-addressed by the sha256 of the stored bytes."""

    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("project_id", "sha256", name="uq_items_project_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64))
    media_key: Mapped[str] = mapped_column(String(200), comment="path inside the media folder")
    mime_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int]
    height: Mapped[int]
    byte_size: Mapped[int]
    external_id: Mapped[str | None] = mapped_column(String(200), index=True)
    source_name: Mapped[str] = mapped_column(String(300), comment="file name it was imported from")
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    gold: Mapped[dict[str, Any]] = mapped_column(default=dict, comment="known answers by field")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Region(Base):
    """A box on an item's image, in pixels; answers can be about a region instead of the image."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    w: Mapped[float] = mapped_column(Float)
    h: Mapped[float] = mapped_column(Float)
    label: Mapped[str | None] = mapped_column(String(100))
    # The annotation that drew this box; a plain id, not a foreign key, because annotations
    # also point at regions and a cycle of foreign keys complicates deletes and migrations.
    source_annotation_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Annotator(Base):
    """Who answers: a person (platform + worker id) or a model (backend + model + prompt)."""

    __tablename__ = "annotators"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True, comment="human:<platform>:<id> …")
    kind: Mapped[str] = mapped_column(String(10), comment="human or model")
    platform: Mapped[str | None] = mapped_column(String(40))
    worker_id: Mapped[str | None] = mapped_column(String(200))
    backend: Mapped[str | None] = mapped_column(String(60))
    model: Mapped[str | None] = mapped_column(String(200))
    prompt_version: Mapped[str | None] = mapped_column(String(60))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Assignment(Base):
    """A batch of items leased to one worker, ending in a completion code."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="leased", index=True)
    leased_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    completion_code: Mapped[str | None] = mapped_column(String(64), unique=True)
    external: Mapped[dict[str, Any]] = mapped_column(
        default=dict, comment="platform ids: assignmentId, hitId, STUDY_ID …"
    )


class AssignmentItem(Base):
    __tablename__ = "assignment_items"

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer)


class Annotation(Base):
    """One annotator's answers for one item (or region), with provenance and QC verdicts."""

    __tablename__ = "annotations"
    __table_args__ = (Index("ix_annotations_project_item", "project_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="SET NULL"), index=True
    )
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"))
    answers: Mapped[dict[str, Any]] = mapped_column(comment="field: value, validated")
    confidence: Mapped[dict[str, Any]] = mapped_column(default=dict, comment="field: probability")
    raw_response: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    qc: Mapped[list[Any]] = mapped_column(default=list, comment="QC verdicts")
    attempt: Mapped[int] = mapped_column(default=1)
    time_spent_s: Mapped[float | None] = mapped_column(Float)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Consensus(Base):
    """The merged answer for one item and field, with its confidence and method."""

    __tablename__ = "consensus"
    __table_args__ = (UniqueConstraint("item_id", "field", name="uq_consensus_item_field"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(64))
    value: Mapped[dict[str, Any]] = mapped_column(comment='{"value": …}')
    confidence: Mapped[float | None] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(40))
    n_annotations: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Job(Base):
    """A long-running piece of work (a model run, an import), resumable after a crash."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CostEntry(Base):
    """One line of spending: model tokens, a worker's reward, a platform fee."""

    __tablename__ = "cost_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    annotator_id: Mapped[int | None] = mapped_column(ForeignKey("annotators.id"))
    annotation_id: Mapped[int | None] = mapped_column(
        ForeignKey("annotations.id", ondelete="SET NULL")
    )
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40), comment="model_tokens, human_reward, fee")
    amount_usd: Mapped[float] = mapped_column(Float)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ResponseCache(Base):
    """A model's raw response, keyed by all that determines it: no paid call runs twice."""

    __tablename__ = "response_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True, comment="sha256 of the request")
    endpoint: Mapped[str] = mapped_column(String(300))
    model: Mapped[str] = mapped_column(String(200))
    prompt_version: Mapped[str] = mapped_column(String(60))
    image_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    response: Mapped[dict[str, Any]] = mapped_column(comment="body and token usage")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AudioClip(Base):
    """A spoken answer: stored audio, its measured duration and its transcription state.

    States: ``pending`` → ``transcribing`` → ``done``, or ``failed`` after the last attempt.
    A failed attempt that may be retried goes back to ``pending`` with ``error`` set.
    """

    __tablename__ = "audio_clips"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    media_key: Mapped[str] = mapped_column(String(200), comment="path inside the media folder")
    audio_format: Mapped[str] = mapped_column(String(10), comment="wav, ogg, webm, mp3, m4a")
    byte_size: Mapped[int]
    duration_s: Mapped[float] = mapped_column(Float, comment="measured from the decoded samples")
    speech_s: Mapped[float] = mapped_column(Float, comment="seconds above the silence level")
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    annotator_id: Mapped[int | None] = mapped_column(ForeignKey("annotators.id"))
    field: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text, comment="last failure, readable by the worker")
    next_attempt_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    transcript: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    backend: Mapped[str | None] = mapped_column(String(100), comment="transcriber that finished")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
