"""The ``clip`` backend: zero-shot answers from a local CLIP or SigLIP checkpoint.

The checkpoint is a folder in Hugging Face format (``config.json``, weights, tokenizer and
image-processor files). Each class gets a text prompt; the image's similarity to the prompts
gives class probabilities, stored as the answer's confidence:

- ``choice``: a softmax over the class prompts;
- ``binary``: the field's definition against its negation;
- ``tags``: each label against its negation, kept when its probability passes ``tags_threshold``.

torch and transformers are imported only when the model is loaded
(``pip install 'crowdlens[clip]'``).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
from collections.abc import AsyncGenerator, Sequence
from pathlib import Path
from typing import Any, ClassVar

from PIL import Image
from pydantic import BaseModel, ConfigDict, Field

from crowdlens.annotators.base import (
    AnnotationRequest,
    AnnotationResult,
    CallServices,
    Capabilities,
    ModelAnnotator,
)
from crowdlens.annotators.images import crop
from crowdlens.errors import ConfigError, ImageRejected
from crowdlens.schema import BinaryField, ChoiceField, LabelField, TagsField

ZERO_SHOT = frozenset({"binary", "choice", "tags"})


class ClipConfig(BaseModel):
    """A local checkpoint and the prompts that turn classes into text."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    checkpoint: Path = Field(description="Folder of a CLIP or SigLIP model in HF format.")
    template: str = Field(default="a photo of {}.", description="Prompt for a class or label.")
    negative_template: str = Field(default="a photo without {}.", description="Its negation.")
    prompts: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="Prompts by field and class, replacing the template."
    )
    tags_threshold: float = Field(default=0.5, gt=0, lt=1)
    batch_size: int = Field(default=16, ge=1)


class ClipAnnotator(ModelAnnotator):
    """Zero-shot ``binary``, ``choice`` and ``tags`` answers from image–text similarity."""

    backend: ClassVar[str] = "clip"
    config_model: ClassVar[type[ClipConfig]] = ClipConfig

    def __init__(self, config: ClipConfig) -> None:
        self.config = config
        self._loaded: tuple[Any, Any, tuple[Any, Any]] | None = None
        self._texts: dict[tuple[str, ...], Any] = {}

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(field_kinds=ZERO_SHOT)

    @property
    def model_name(self) -> str:
        return self.config.checkpoint.name

    def prompt_version(self, fields: Sequence[LabelField]) -> str:
        prompts = json.dumps(
            [self.config.template, self.config.negative_template, self.config.prompts],
            sort_keys=True,
        )
        return f"clip.v1+{hashlib.sha256(prompts.encode()).hexdigest()[:12]}"

    def params(self) -> dict[str, Any]:
        return {"checkpoint": str(self.config.checkpoint), "template": self.config.template}

    async def annotate(
        self, requests: Sequence[AnnotationRequest], services: CallServices
    ) -> AsyncGenerator[AnnotationResult, None]:
        size = self.config.batch_size
        for start in range(0, len(requests), size):
            batch = requests[start : start + size]
            for result in await asyncio.to_thread(self._answer_batch, batch):
                yield result

    def _answer_batch(self, batch: Sequence[AnnotationRequest]) -> list[AnnotationResult]:
        results = [AnnotationResult(item_id=r.item_id) for r in batch]
        images = []
        for request, result in zip(batch, results, strict=True):
            result.region_id = request.region.id if request.region else None
            try:
                images.append(_image(request))
            except ImageRejected as exc:
                result.failure = str(exc)
                images.append(None)
        usable = [i for i, image in enumerate(images) if image is not None]
        if usable:
            embeddings = self._embed_images([images[i] for i in usable])
            for row, index in enumerate(usable):
                self._fill(batch[index], results[index], embeddings[row : row + 1])
        return results

    def image_embedding(self, data: bytes) -> Any:
        """The normalized image embedding of image bytes, as a 1-D numpy array."""
        with Image.open(io.BytesIO(data)) as opened:
            image = opened.convert("RGB")
        return self._embed_images([image])[0].numpy().astype("float64")

    def _fill(self, request: AnnotationRequest, result: AnnotationResult, image: Any) -> None:
        for field in request.fields:
            value, confidence = self._field_answer(field, image)
            result.answers[field.name] = value
            result.confidence[field.name] = confidence
        result.answers = request.schema.validate_answers(result.answers, partial=True)

    def _field_answer(self, field: LabelField, image: Any) -> tuple[Any, float]:
        if isinstance(field, ChoiceField):
            probs = self._probabilities(image, [self._prompt(field, c) for c in field.classes])
            best = max(range(len(field.classes)), key=lambda i: probs[i])
            return field.classes[best], probs[best]
        if isinstance(field, BinaryField):
            text = field.definition or field.name.replace("_", " ")
            yes = self._yes(image, text)
            return yes >= 0.5, max(yes, 1 - yes)
        assert isinstance(field, TagsField)
        scores = {
            label: self._yes(image, self._prompt_text(field, label)) for label in field.vocabulary
        }
        chosen = [label for label, p in scores.items() if p >= self.config.tags_threshold]
        sure = min(max(p, 1 - p) for p in scores.values())
        return chosen, sure

    def _yes(self, image: Any, text: str) -> float:
        probs = self._probabilities(
            image, [self.config.template.format(text), self.config.negative_template.format(text)]
        )
        return probs[0]

    def _prompt(self, field: LabelField, name: str) -> str:
        return self.config.prompts.get(field.name, {}).get(name) or self.config.template.format(
            self._prompt_text(field, name)
        )

    def _prompt_text(self, field: LabelField, name: str) -> str:
        custom = self.config.prompts.get(field.name, {}).get(name)
        return custom or name.replace("_", " ").replace("-", " ")

    def _embed_images(self, images: list[Any]) -> Any:
        torch, model, (_tokenizer, processor) = self._model()
        inputs = processor(images=images, return_tensors="pt")
        with torch.no_grad():
            features = model.get_image_features(pixel_values=inputs["pixel_values"])
        features = getattr(features, "pooler_output", features)
        return features / features.norm(dim=-1, keepdim=True)

    def _probabilities(self, image: Any, texts: list[str]) -> list[float]:
        torch, model, _parts = self._model()
        texts_embedded = self._embed_texts(tuple(texts))
        with torch.no_grad():
            logits = model.logit_scale.exp() * image @ texts_embedded.T
        return [float(p) for p in logits.softmax(dim=-1)[0]]

    def _embed_texts(self, texts: tuple[str, ...]) -> Any:
        """Normalized text embeddings, computed once per set of prompts."""
        if texts not in self._texts:
            torch, model, (tokenizer, _processor) = self._model()
            tokens = tokenizer(list(texts), padding=True, return_tensors="pt")
            with torch.no_grad():
                text = model.get_text_features(
                    input_ids=tokens["input_ids"], attention_mask=tokens.get("attention_mask")
                )
            text = getattr(text, "pooler_output", text)
            self._texts[texts] = text / text.norm(dim=-1, keepdim=True)
        return self._texts[texts]

    def _model(self) -> tuple[Any, Any, tuple[Any, Any]]:
        if self._loaded is None:
            self._loaded = _load(self.config.checkpoint)
        torch, model, parts = self._loaded
        return torch, model, parts


def _image(request: AnnotationRequest) -> Any:
    try:
        with Image.open(io.BytesIO(request.load_image())) as opened:
            image = opened.convert("RGB")
    except (OSError, ValueError) as exc:
        raise ImageRejected(f"expected an image Pillow can read, got an error: {exc}") from None
    return crop(image, request.region) if request.region else image


def _load(checkpoint: Path) -> tuple[Any, Any, tuple[Any, Any]]:
    """torch, the model in eval mode, and its tokenizer and image processor."""
    if not (checkpoint / "config.json").is_file():
        raise ConfigError(
            f"expected a Hugging Face model folder with config.json at {checkpoint}, got none; "
            "save one with model.save_pretrained(folder) or point checkpoint at it"
        )
    try:
        import torch
        from transformers import AutoImageProcessor, AutoModel, AutoTokenizer
    except ImportError as exc:
        raise ConfigError(
            f"the clip backend needs torch and transformers ({exc.name} is missing); "
            "pip install 'crowdlens[clip]'"
        ) from None
    model = AutoModel.from_pretrained(checkpoint).eval()
    processor = AutoImageProcessor.from_pretrained(checkpoint)  # type: ignore[no-untyped-call]
    parts = (AutoTokenizer.from_pretrained(checkpoint), processor)
    return torch, model, parts
