"""Re-run the text checks on a project's stored answers, reporting which outcomes would flip."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crowdlens.schema import TextField
from crowdlens.store.annotations import list_annotations
from crowdlens.store.projects import get_project, project_schema
from crowdlens.store.tables import Annotation, AudioClip
from crowdlens.textqc.runner import QcContext, TextAnswer, passed, run_checks


@dataclass(frozen=True)
class Flip:
    """An answer whose outcome changes under the current checks."""

    annotation_id: int
    item_id: int
    field: str
    was_passed: bool
    now_passed: bool
    failed_checks: tuple[str, ...]


def recheck_project(
    session: Session, *, project: str, config: Mapping[str, Any] | None = None
) -> list[Flip]:
    """Run ``config`` (default: the project's ``qc:``) on every stored text answer.

    The old outcome is the stored verdicts (all passed) or, without any, the status not being
    ``rejected``. Nothing is written.
    """
    row = get_project(session, name=project)
    schema = project_schema(row)
    config = schema.qc if config is None else config
    fields = [f for f in schema.fields if isinstance(f, TextField)]
    annotations = list_annotations(session, project_id=row.id)
    seconds = _clip_seconds(session, row.id)
    flips = []
    for field in fields:
        texts = _texts_by_item(annotations, field.name)
        for annotation in annotations:
            text = annotation.answers.get(field.name)
            if not isinstance(text, str):
                continue
            answer = TextAnswer(
                text=text,
                seconds=seconds.get((annotation.item_id, annotation.annotator_id, field.name)),
                spoken=field.spoken,
            )
            verdicts = run_checks(config, answer, _context(annotation, texts))
            flip = _flip(annotation, field.name, passed(verdicts), verdicts)
            if flip is not None:
                flips.append(flip)
    return flips


def _texts_by_item(
    annotations: list[Annotation], field: str
) -> dict[int, list[tuple[int, str, str]]]:
    texts: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for a in annotations:
        if isinstance(a.answers.get(field), str):
            texts[a.item_id].append((a.id, a.status, a.answers[field]))
    return texts


def _context(annotation: Annotation, texts: dict[int, list[tuple[int, str, str]]]) -> QcContext:
    peers = [(s, t) for i, s, t in texts[annotation.item_id] if i != annotation.id]
    return QcContext(
        accepted=[t for s, t in peers if s == "accepted"],
        others=[t for s, t in peers if s != "accepted"],
    )


def _clip_seconds(session: Session, project_id: int) -> dict[tuple[Any, Any, Any], float]:
    query = select(AudioClip).where(AudioClip.project_id == project_id)
    return {(c.item_id, c.annotator_id, c.field): c.duration_s for c in session.scalars(query)}


def _flip(annotation: Annotation, field: str, now: bool, verdicts: list[Any]) -> Flip | None:
    stored = [v for v in annotation.qc if isinstance(v, dict)]
    was = all(v.get("passed") for v in stored) if stored else annotation.status != "rejected"
    if was == now:
        return None
    failed = tuple(v.name for v in verdicts if not v.passed)
    return Flip(annotation.id, annotation.item_id, field, was, now, failed)
