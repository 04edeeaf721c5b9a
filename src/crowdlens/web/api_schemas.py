"""Request and response bodies of the REST API: ``…Create`` in, ``…Public`` out."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProjectPublic(BaseModel):
    name: str
    title: str
    items: int
    annotations: int
    cost_usd: float
    worker_url: str
    config: dict[str, Any]


class ItemPublic(BaseModel):
    id: int
    sha256: str
    source_name: str
    width: int
    height: int
    mime_type: str
    external_id: str | None
    gold: dict[str, Any]


class ImportPublic(BaseModel):
    added: int
    existing: int
    skipped: list[str]
    item_ids: list[int]


class AnnotatorRef(_Body):
    kind: Literal["human", "model"]
    platform: str | None = None
    worker_id: str | None = None
    backend: str | None = None
    model: str | None = None
    prompt_version: str | None = None


class AnnotationCreate(_Body):
    item_id: int
    annotator: AnnotatorRef
    answers: dict[str, Any]
    confidence: dict[str, float] = Field(default_factory=dict)
    idempotency_key: str | None = Field(default=None, max_length=200)


class AnnotationPublic(BaseModel):
    id: int
    item_id: int
    annotator_id: int
    assignment_id: int | None
    answers: dict[str, Any]
    status: str
    attempt: int
    qc: list[Any]
    time_spent_s: float | None
    cost_usd: float
    created_at: datetime


class ConsensusPublic(BaseModel):
    item_id: int
    field: str
    value: Any
    confidence: float | None
    method: str
    n_annotations: int


class CodeCheckPublic(BaseModel):
    valid: bool
    assignment_id: int | None = None
    worker_id: str | None = None
    platform: str | None = None
    external: dict[str, str] | None = None


class AssignmentCreate(_Body):
    platform: Literal["web", "mturk", "prolific"] = "web"
    worker_id: str = Field(min_length=1, max_length=128)
    external: dict[str, str] = Field(default_factory=dict)


class AssignmentItemPublic(BaseModel):
    item_id: int
    image_url: str
    done: bool
    attempts: int


class AssignmentPublic(BaseModel):
    token: str
    assignment_id: int
    status: str
    expires_at: datetime
    completion_code: str | None
    items: list[AssignmentItemPublic]


class AnswerCreate(_Body):
    item_id: int
    answers: dict[str, Any]
    key: str = Field(min_length=1, max_length=64, description="Same key, same outcome.")
    signals: dict[str, Any] = Field(default_factory=dict)


class OutcomePublic(BaseModel):
    annotation_id: int
    item_id: int
    status: str
    passed: bool
    attempt: int
    attempts_left: int
    reasons: list[str]
    verdicts: list[dict[str, Any]]
    completion_code: str | None
