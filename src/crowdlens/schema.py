"""Label schemas: what a project asks, and validation of answers against it.

A project is declared in YAML (see docs/schema.md)::

    name: characters
    instructions: Describe the character in the picture.
    redundancy: 3
    fields:
      - {name: hat, kind: choice, classes: [none, cap, top-hat, beanie]}
      - {name: smiling, kind: binary, definition: The mouth is curved upwards.}

Answers from people and from models are validated by the same functions here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from crowdlens.errors import AnswerInvalid, SchemaError

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
PROJECT_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
FIELD_KINDS = ("binary", "choice", "tags", "text", "boxes")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


def _describe(value: object) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldBase(_Strict):
    """What every field has: a name (an identifier) and an optional help text."""

    name: str = Field(pattern=NAME_PATTERN)
    help: str = ""
    required: bool = True

    def validate_answer(self, value: Any) -> Any:
        """Return ``value`` normalized, or raise :class:`AnswerInvalid`."""
        raise AnswerInvalid(f"field {self.name!r}: kind has no validator")

    def parse_text(self, text: str) -> Any:
        """Parse an answer written as text (a CSV cell) and validate it."""
        return self.validate_answer(text)

    def _invalid(self, expected: str, value: object) -> AnswerInvalid:
        return AnswerInvalid(f"field {self.name!r}: expected {expected}, got {_describe(value)}")


class BinaryField(FieldBase):
    """A yes/no attribute, such as one of CelebA's 40."""

    kind: Literal["binary"] = "binary"
    definition: str = ""

    def validate_answer(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise self._invalid("true or false (yes/no)", value)


class ChoiceField(FieldBase):
    """Exactly one of a list of classes."""

    kind: Literal["choice"] = "choice"
    classes: list[str]

    @field_validator("classes")
    @classmethod
    def _two_distinct_classes(cls, classes: list[str]) -> list[str]:
        return _check_labels(classes, minimum=2, what="class")

    def validate_answer(self, value: Any) -> str:
        if isinstance(value, str) and value.strip() in self.classes:
            return value.strip()
        raise self._invalid(f"one of {', '.join(self.classes)}", value)


class TagLabel(_Strict):
    """One label of a tags vocabulary, with an optional one-line definition."""

    name: str = Field(min_length=1)
    definition: str = ""
    group: str | None = None


class TagsField(FieldBase):
    """Any number of labels from a vocabulary, optionally grouped.

    In YAML, give either ``labels`` (names or ``{name, definition}``) or ``groups``
    (``{name, labels}``), which fills in each label's group.
    """

    kind: Literal["tags"] = "tags"
    labels: list[TagLabel]
    separator: str = "|"

    @model_validator(mode="before")
    @classmethod
    def _flatten_groups(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "groups" not in data:
            return data
        data = dict(data)
        labels = list(data.get("labels") or [])
        for group in data.pop("groups") or []:
            if not isinstance(group, dict) or "name" not in group:
                raise ValueError(f"expected each group as {{name, labels}}, got {group!r}")
            for label in group.get("labels") or []:
                entry = {"name": label} if isinstance(label, str) else dict(label)
                labels.append({**entry, "group": group["name"]})
        data["labels"] = labels
        return data

    @field_validator("labels", mode="before")
    @classmethod
    def _names_to_labels(cls, labels: Any) -> Any:
        if isinstance(labels, list):
            return [{"name": x} if isinstance(x, str) else x for x in labels]
        return labels

    @field_validator("labels")
    @classmethod
    def _distinct_labels(cls, labels: list[TagLabel]) -> list[TagLabel]:
        _check_labels([label.name for label in labels], minimum=1, what="label")
        return labels

    @property
    def vocabulary(self) -> list[str]:
        return [label.name for label in self.labels]

    @property
    def groups(self) -> dict[str, list[str]]:
        """Label names by group, in vocabulary order (ungrouped labels under ``""``)."""
        grouped: dict[str, list[str]] = {}
        for label in self.labels:
            grouped.setdefault(label.group or "", []).append(label.name)
        return grouped

    def validate_answer(self, value: Any) -> list[str]:
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise self._invalid("a list of labels", value)
        unknown = sorted({v.strip() for v in value} - set(self.vocabulary))
        if unknown:
            raise AnswerInvalid(
                f"field {self.name!r}: expected labels from the vocabulary, "
                f"got unknown {', '.join(map(repr, unknown[:5]))}"
            )
        chosen = {v.strip() for v in value}
        return [name for name in self.vocabulary if name in chosen]

    def parse_text(self, text: str) -> list[str]:
        parts = [p.strip() for p in text.split(self.separator)]
        return self.validate_answer([p for p in parts if p])


class TextField(FieldBase):
    """A free answer to a question; ``spoken: true`` asks for a recorded answer."""

    kind: Literal["text"] = "text"
    question: str = Field(min_length=1)
    min_words: int = Field(default=0, ge=0)
    spoken: bool = False
    min_seconds: float = Field(default=0.0, ge=0)

    def validate_answer(self, value: Any) -> str:
        if not isinstance(value, str):
            raise self._invalid("text", value)
        if self.required and not value.strip():
            raise self._invalid("a non-empty answer", value)
        return value.strip()


class Box(_Strict):
    """One region in pixel coordinates of the item's image, with a class label."""

    x: float = Field(ge=0)
    y: float = Field(ge=0)
    w: float = Field(gt=0)
    h: float = Field(gt=0)
    label: str


class BoxesField(FieldBase):
    """Regions drawn on the image, each labelled with one of ``classes``."""

    kind: Literal["boxes"] = "boxes"
    classes: list[str]

    @field_validator("classes")
    @classmethod
    def _distinct_classes(cls, classes: list[str]) -> list[str]:
        return _check_labels(classes, minimum=1, what="class")

    def validate_answer(self, value: Any) -> list[dict[str, Any]]:
        if not isinstance(value, list):
            raise self._invalid("a list of boxes {x, y, w, h, label}", value)
        boxes = []
        for raw in value:
            try:
                box = Box.model_validate(raw)
            except ValidationError as exc:
                raise self._invalid("a box {x, y, w, h, label} with w, h > 0", raw) from exc
            if box.label not in self.classes:
                raise self._invalid(f"a box label in {', '.join(self.classes)}", box.label)
            boxes.append(box.model_dump())
        return boxes

    def parse_text(self, text: str) -> list[dict[str, Any]]:
        try:
            return self.validate_answer(yaml.safe_load(text))
        except yaml.YAMLError as exc:
            raise self._invalid("a JSON list of boxes", text) from exc


LabelField = Annotated[
    BinaryField | ChoiceField | TagsField | TextField | BoxesField, Field(discriminator="kind")
]

#: The routing policies a project can name, with the settings each one takes
#: (``crowdlens.policy.make_policy`` builds them; see docs/aggregation.md).
POLICY_SETTINGS: dict[str, tuple[str, ...]] = {
    "fixed": ("k",),
    "model_first": ("threshold", "max_human", "human_accuracy", "model_confidence"),
    "reannotate_disagreements": ("model_confidence",),
    "budgeted": ("budget", "batch", "human_accuracy", "model_confidence"),
}


class PolicyConfig(_Strict):
    """Who answers what next: ``{name: model_first, field: smiling, threshold: 0.9}``.

    ``field`` names the binary or choice field(s) the policy routes on; ``model_confidence`` is
    the probability given to a model answer stored without a confidence.
    """

    name: str
    field: str | list[str]
    k: int | None = Field(default=None, ge=0, le=100)
    threshold: float | None = Field(default=None, gt=0, le=1)
    max_human: int | None = Field(default=None, ge=1, le=100)
    human_accuracy: float | None = Field(default=None, gt=0, lt=1)
    budget: int | None = Field(default=None, ge=0)
    batch: int | None = Field(default=None, ge=0)
    model_confidence: float | None = Field(default=None, gt=0, lt=1)

    @field_validator("name")
    @classmethod
    def _known_policy(cls, name: str) -> str:
        if name not in POLICY_SETTINGS:
            raise ValueError(
                f"expected a policy in {', '.join(POLICY_SETTINGS)}, got {name!r}; "
                "check its spelling"
            )
        return name

    @model_validator(mode="after")
    def _settings_fit_the_policy(self) -> PolicyConfig:
        given = {k for k, v in self.model_dump(exclude={"name", "field"}).items() if v is not None}
        foreign = sorted(given - set(POLICY_SETTINGS[self.name]))
        if foreign:
            allowed = ", ".join(POLICY_SETTINGS[self.name]) or "no settings"
            raise ValueError(
                f"policy {self.name!r} takes {allowed}, got {', '.join(foreign)}; remove them"
            )
        if not self.fields:
            raise ValueError("expected field: a field name (or a list of them), got an empty list")
        if self.name == "budgeted" and self.budget is None:
            raise ValueError("policy 'budgeted' expected a budget (human answers), got none")
        return self

    @property
    def fields(self) -> list[str]:
        return [self.field] if isinstance(self.field, str) else list(self.field)

    def settings(self) -> dict[str, Any]:
        """The policy's own settings that were given (for ``make_policy``)."""
        return self.model_dump(exclude={"name", "field", "model_confidence"}, exclude_none=True)


class LabelSchema(_Strict):
    """A project's declaration: what is asked, how often, and for what reward."""

    name: str = Field(pattern=PROJECT_NAME_PATTERN, max_length=64)
    title: str = ""
    instructions: str = ""
    fields: list[LabelField] = Field(min_length=1)
    redundancy: int = Field(default=3, ge=1, le=100)
    reward_usd: float = Field(default=0.0, ge=0)
    items_per_assignment: int = Field(default=10, ge=1, le=500)
    qc: dict[str, Any] = Field(default_factory=dict)
    policy: PolicyConfig | None = None

    @field_validator("fields")
    @classmethod
    def _unique_field_names(cls, fields: list[FieldBase]) -> list[FieldBase]:
        seen: set[str] = set()
        for field in fields:
            if field.name in seen:
                raise ValueError(f"expected unique field names, got {field.name!r} twice")
            seen.add(field.name)
        return fields

    @model_validator(mode="after")
    def _policy_routes_on_label_fields(self) -> LabelSchema:
        kinds = {f.name: f.kind for f in self.fields}
        for name in self.policy.fields if self.policy else []:
            if kinds.get(name) not in ("binary", "choice"):
                raise ValueError(
                    f"policy.field: expected a binary or choice field of this project, got "
                    f"{name!r} ({kinds.get(name, 'no such field')})"
                )
        return self

    def field(self, name: str) -> LabelField:
        for field in self.fields:
            if field.name == name:
                return field
        known = ", ".join(f.name for f in self.fields)
        raise AnswerInvalid(f"expected a field of project {self.name!r} ({known}), got {name!r}")

    def validate_answers(
        self, answers: Mapping[str, Any], *, partial: bool = False
    ) -> dict[str, Any]:
        """Validate one annotator's answers for one item; return them normalized.

        With ``partial`` a required field may be missing (a model asked about some fields).
        """
        if not isinstance(answers, Mapping):
            raise AnswerInvalid(
                f"expected answers as an object of field: value, got {_describe(answers)}"
            )
        for name in answers:
            self.field(name)
        result: dict[str, Any] = {}
        for field in self.fields:
            value = answers.get(field.name)
            if value is None:
                if field.required and not partial:
                    raise AnswerInvalid(f"field {field.name!r}: expected an answer, got none")
                continue
            result[field.name] = field.validate_answer(value)
        return result


def _check_labels(names: list[str], *, minimum: int, what: str) -> list[str]:
    names = [n.strip() for n in names]
    if len(names) < minimum:
        raise ValueError(f"expected at least {minimum} {what} name(s), got {len(names)}")
    if any(not n for n in names):
        raise ValueError(f"expected non-empty {what} names")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"expected distinct {what} names, got {', '.join(duplicates)} twice")
    return names


def parse_schema(data: Any, *, source: str = "<schema>") -> LabelSchema:
    """Build a :class:`LabelSchema` from parsed YAML/JSON, with errors that name ``source``."""
    if not isinstance(data, dict):
        raise SchemaError(
            f"{source}: expected a mapping with name and fields, got {_describe(data)}"
        )
    try:
        return LabelSchema.model_validate(data)
    except ValidationError as exc:
        problems = [_explain(error, data) for error in exc.errors()]
        raise SchemaError(f"{source}: " + "; ".join(problems)) from None


def load_schema(path: str | Path) -> LabelSchema:
    """Read a project YAML file into a :class:`LabelSchema`."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SchemaError(
            f"{path}: cannot read the file ({exc.strerror}); check the path"
        ) from None
    except yaml.YAMLError as exc:
        raise SchemaError(f"{path}: not valid YAML: {exc}") from None
    return parse_schema(data, source=str(path))


def _explain(error: Any, data: dict[str, Any]) -> str:
    loc = list(error["loc"])
    where = "project"
    if len(loc) >= 2 and loc[0] == "fields" and isinstance(loc[1], int):
        raw = (data.get("fields") or [])[loc[1]]
        name = raw.get("name", f"#{loc[1] + 1}") if isinstance(raw, dict) else f"#{loc[1] + 1}"
        where = f"field {name!r}"
        loc = [part for part in loc[2:] if part not in FIELD_KINDS]
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "union_tag_invalid":
        kind = error.get("input", {}).get("kind") if isinstance(error.get("input"), dict) else None
        message = f"unknown kind {kind!r}; expected one of {', '.join(FIELD_KINDS)}"
    elif error["type"] == "union_tag_not_found":
        message = f"missing 'kind'; expected one of {', '.join(FIELD_KINDS)}"
    elif error["type"] == "missing":
        message = "this setting is required"
    elif error["type"] == "extra_forbidden":
        message = "unknown setting (check its spelling)"
    path = ".".join(str(part) for part in loc)
    return f"{where}: {path + ': ' if path else ''}{message}"


def field_names(schema: LabelSchema) -> list[str]:
    return [field.name for field in schema.fields]
