"""The ``learned`` backend: an auto-labeller trained on the answers people gave.

For every ``binary``, ``choice`` and ``tags`` field it trains a calibrated classifier on image
features of the items whose human answer is known, reports its cross-validated accuracy, and
answers only where its probability passes the threshold at which its cross-validated
answers reach ``target_accuracy`` — the rest stay for people. Its
prompt version names the training data, so a retrain as labels arrive is a new annotator.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncGenerator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from crowdlens.annotators.base import (
    AnnotationRequest,
    AnnotationResult,
    CallServices,
    Capabilities,
    ModelAnnotator,
    TrainingExample,
)
from crowdlens.annotators.classifiers import FieldModel, Targets, train_field
from crowdlens.annotators.clip_backend import ClipAnnotator, ClipConfig
from crowdlens.annotators.features import FEATURES_VERSION, image_features
from crowdlens.errors import AnswerInvalid, ConfigError
from crowdlens.schema import LabelField, LabelSchema

LEARNABLE = frozenset({"binary", "choice", "tags"})


class LearnedConfig(BaseModel):
    """How accurate the auto-labeller must be, and how much it needs to learn from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    target_accuracy: float = Field(
        default=0.95, gt=0.5, le=1.0, description="Accuracy its answers must reach in CV."
    )
    min_confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    min_examples: int = Field(default=10, ge=2)
    clip_checkpoint: Path | None = Field(
        default=None, description="Use this CLIP/SigLIP model's image embeddings as features."
    )
    folds: int = Field(default=5, ge=2, le=20)
    seed: int = 0


class LearnedAnnotator(ModelAnnotator):
    """Labels the confident items with classifiers trained on accepted human labels."""

    backend: ClassVar[str] = "learned"
    config_model: ClassVar[type[LearnedConfig]] = LearnedConfig

    def __init__(self, config: LearnedConfig) -> None:
        self.config = config
        self.models_: dict[str, FieldModel] = {}
        self.training_digest_ = "untrained"
        self._clip: ClipAnnotator | None = None

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(vision=True, field_kinds=LEARNABLE, needs_training=True)

    @property
    def model_name(self) -> str:
        if self.config.clip_checkpoint is not None:
            return f"clip-embeddings-{self.config.clip_checkpoint.name}"
        return f"features-{FEATURES_VERSION}"

    def _features(self, data: bytes) -> NDArray[np.float64]:
        """Grid features (numpy/Pillow), or CLIP image embeddings when a checkpoint is set."""
        if self.config.clip_checkpoint is None:
            return image_features(data)
        if self._clip is None:
            self._clip = ClipAnnotator(ClipConfig(checkpoint=self.config.clip_checkpoint))
        return np.asarray(self._clip.image_embedding(data), dtype=np.float64)

    def prompt_version(self, fields: Sequence[LabelField]) -> str:
        return f"learned.v1+a{self.config.target_accuracy:g}+{self.training_digest_}"

    def params(self) -> dict[str, Any]:
        return {
            "target_accuracy": self.config.target_accuracy,
            "fields": {name: model.report() for name, model in self.models_.items()},
        }

    def fit(self, schema: LabelSchema, examples: Sequence[TrainingExample]) -> dict[str, Any]:
        """Train one classifier per learnable field; returns the per-field report."""
        features = {e.item_id: self._features(e.load_image()) for e in examples}
        self.models_ = {}
        for field in schema.fields:
            labelled = [e for e in examples if field.name in e.answers]
            if field.kind not in LEARNABLE or len(labelled) < self.config.min_examples:
                continue
            matrix = np.stack([features[e.item_id] for e in labelled])
            answers = [e.answers[field.name] for e in labelled]
            model = train_field(field, matrix, answers, self._targets())
            if model is not None:
                self.models_[field.name] = model
        self.training_digest_ = _digest(examples)
        return {name: model.report() for name, model in self.models_.items()}

    def _targets(self) -> Targets:
        return Targets(
            accuracy=self.config.target_accuracy,
            min_confidence=self.config.min_confidence,
            folds=self.config.folds,
            seed=self.config.seed,
        )

    async def annotate(
        self, requests: Sequence[AnnotationRequest], services: CallServices
    ) -> AsyncGenerator[AnnotationResult, None]:
        for request in requests:
            yield await asyncio.to_thread(self._answer, request)

    def _answer(self, request: AnnotationRequest) -> AnnotationResult:
        result = AnnotationResult(item_id=request.item_id)
        result.region_id = request.region.id if request.region else None
        vector = self._features(request.load_image()).reshape(1, -1)
        for field in request.fields:
            model = self.models_.get(field.name)
            if model is None:
                continue
            value, confidence = model.predict(vector)
            if value is not None:
                result.answers[field.name] = value
                result.confidence[field.name] = confidence
        result.answers = _validated(request.schema, result.answers)
        result.abstained = not result.answers
        return result

    def check(self, fields: Sequence[LabelField], *, with_image: bool = True) -> None:
        super().check(fields, with_image=with_image)
        if not any(f.name in self.models_ for f in fields):
            raise ConfigError(
                f"expected enough human labels to learn one of {', '.join(f.name for f in fields)} "
                f"(at least {self.config.min_examples} items with two different answers), got none"
            )


def _validated(schema: LabelSchema, answers: dict[str, Any]) -> dict[str, Any]:
    try:
        return schema.validate_answers(answers, partial=True)
    except AnswerInvalid:
        return {}


def _digest(examples: Sequence[TrainingExample]) -> str:
    data = sorted((e.item_id, json.dumps(e.answers, sort_keys=True)) for e in examples)
    return "n" + str(len(examples)) + "-" + hashlib.sha256(repr(data).encode()).hexdigest()[:10]
