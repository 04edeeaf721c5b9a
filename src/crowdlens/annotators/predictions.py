"""The ``predictions`` backend: another model's outputs, imported from a file.

One row per item and field, in JSONL or CSV::

    {"item": "char-00012.png", "field": "hat", "label": "cap", "confidence": 0.91}
    {"item": "char-00013", "field": "hat", "probs": {"cap": 0.7, "none": 0.3}}

    item,field,label,confidence          item,field,prob.cap,prob.none
    char-00012.png,hat,cap,0.91          char-00013,hat,0.7,0.3

``item`` is matched against the item's external id, then its file name, then its numeric id.
Probabilities give the label (the most likely) and its confidence. A row that cannot be read
(not JSON, no item or field) stops the import before anything is stored, naming its line; a
row whose label does not fit the schema fails its item with the reason, and the rest goes on.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
from collections import defaultdict
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from crowdlens.annotators.base import (
    AnnotationRequest,
    AnnotationResult,
    CallServices,
    Capabilities,
    ModelAnnotator,
)
from crowdlens.errors import AnswerInvalid, ConfigError
from crowdlens.schema import LabelField, LabelSchema


class PredictionsConfig(BaseModel):
    """Where the predictions are and whose they are."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path = Field(description="A .jsonl or .csv file of predictions.")
    model: str | None = Field(default=None, description="Whose predictions (default: file name).")
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)


@dataclass
class Row:
    """One prediction as read: where it came from, and either a label or probabilities."""

    line: int
    item: str
    field: str
    label: Any = None
    probs: dict[str, float] = dataclasses.field(default_factory=dict)
    confidence: float | None = None


class PredictionsAnnotator(ModelAnnotator):
    """Answers from a file of predictions, with the file's sha256 as provenance."""

    backend: ClassVar[str] = "predictions"
    config_model: ClassVar[type[PredictionsConfig]] = PredictionsConfig

    def __init__(self, config: PredictionsConfig) -> None:
        self.config = config
        self._data = _read_bytes(config.path)
        self._rows = parse_rows(self._data, config.path.suffix.lower())

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(field_kinds=frozenset({"binary", "choice", "tags", "text"}))

    @property
    def model_name(self) -> str:
        return self.config.model or self.config.path.stem

    def prompt_version(self, fields: Sequence[LabelField]) -> str:
        return f"file-{hashlib.sha256(self._data).hexdigest()[:16]}"

    def params(self) -> dict[str, Any]:
        return {"path": str(self.config.path), "rows": len(self._rows)}

    async def annotate(
        self, requests: Sequence[AnnotationRequest], services: CallServices
    ) -> AsyncGenerator[AnnotationResult, None]:
        by_item: dict[str, list[Row]] = defaultdict(list)
        for row in self._rows:
            by_item[row.item].append(row)
        for request in requests:
            yield self._answer(request, _rows_for(request, by_item))

    def _answer(self, request: AnnotationRequest, rows: list[Row]) -> AnnotationResult:
        result = AnnotationResult(item_id=request.item_id, raw_response=_raw(rows))
        wanted = {f.name for f in request.fields}
        for row in (r for r in rows if r.field in wanted):
            try:
                value, confidence = _value(request.schema, row)
            except AnswerInvalid as exc:
                result.problems.append(f"line {row.line}: {exc}")
                continue
            if confidence is None or confidence >= self.config.min_confidence:
                result.answers[row.field] = value
                if confidence is not None:
                    result.confidence[row.field] = confidence
        if result.problems and not result.answers:
            result.failure = "; ".join(result.problems)
        result.abstained = not result.answers and not result.problems
        return result


def _rows_for(request: AnnotationRequest, by_item: dict[str, list[Row]]) -> list[Row]:
    names = [request.external_id, request.source_name, Path(request.source_name).stem]
    for name in [*names, str(request.item_id)]:
        if name and name in by_item:
            return by_item[name]
    return []


def _value(schema: LabelSchema, row: Row) -> tuple[Any, float | None]:
    field_ = schema.field(row.field)
    if row.probs:
        label, confidence = max(row.probs.items(), key=lambda pair: pair[1])
        return field_.parse_text(label), confidence
    value = field_.parse_text(row.label) if isinstance(row.label, str) else row.label
    return schema.validate_answers({row.field: value}, partial=True)[row.field], row.confidence


def _raw(rows: list[Row]) -> str | None:
    if not rows:
        return None
    payload = [
        {"line": r.line, "field": r.field, "label": r.label, "probs": r.probs or None} for r in rows
    ]
    return json.dumps(payload, ensure_ascii=False)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"expected a predictions file at {path}, got: {exc.strerror}; check the path"
        ) from None


def parse_rows(data: bytes, suffix: str) -> list[Row]:
    """Rows of a ``.jsonl`` or ``.csv`` predictions file (pure; errors name the line)."""
    text = data.decode("utf-8-sig")
    if suffix == ".jsonl":
        return [_json_row(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if suffix == ".csv":
        reader = csv.DictReader(text.splitlines())
        return [_csv_row(n, row) for n, row in enumerate(reader, 2)]
    raise ConfigError(f"expected a predictions file ending in .jsonl or .csv, got {suffix!r}")


def _json_row(line: int, text: str) -> Row:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"line {line}: expected a JSON object, got invalid JSON ({exc.msg})"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"line {line}: expected a JSON object, got {type(data).__name__}")
    probs = data.get("probs") or {}
    return _row(line, data, probs if isinstance(probs, dict) else {})


def _csv_row(line: int, data: dict[str, Any]) -> Row:
    probs = {k.removeprefix("prob."): v for k, v in data.items() if k.startswith("prob.") and v}
    return _row(line, {k: v for k, v in data.items() if v not in (None, "")}, probs)


def _row(line: int, data: dict[str, Any], probs: dict[str, Any]) -> Row:
    if "item" not in data or "field" not in data:
        raise ConfigError(f"line {line}: expected 'item' and 'field', got {sorted(data)}")
    if "label" not in data and not probs:
        raise ConfigError(f"line {line}: expected a 'label' or class probabilities")
    try:
        floats = {str(k): float(v) for k, v in probs.items()}
        confidence = float(data["confidence"]) if "confidence" in data else None
    except (TypeError, ValueError):
        raise ConfigError(f"line {line}: expected numbers for probabilities") from None
    return Row(line, str(data["item"]), str(data["field"]), data.get("label"), floats, confidence)
