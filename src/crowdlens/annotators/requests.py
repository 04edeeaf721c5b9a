"""Which items (or regions) a run asks about, and which fields."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from crowdlens.annotators.base import AnnotationRequest, ModelAnnotator, Region
from crowdlens.errors import ConfigError
from crowdlens.schema import LabelField, LabelSchema
from crowdlens.store.items import list_items, list_regions
from crowdlens.store.media import MediaStore
from crowdlens.store.tables import Annotation, Item, Project


def select_fields(
    schema: LabelSchema, names: Sequence[str] | None, annotator: ModelAnnotator
) -> list[LabelField]:
    """The fields to ask (all the model can answer when ``names`` is None), checked."""
    if names:
        chosen = [schema.field(name) for name in names]
        annotator.capabilities.check(chosen, with_image=True, who=annotator.describe())
        return chosen
    kinds = annotator.capabilities.field_kinds
    chosen = [f for f in schema.fields if f.kind in kinds]
    if not chosen:
        raise ConfigError(
            f"expected a field that {annotator.describe()} can answer "
            f"({', '.join(sorted(kinds))}), got only {', '.join(f.kind for f in schema.fields)}"
        )
    annotator.capabilities.check(chosen, with_image=True, who=annotator.describe())
    return chosen


def annotation_key(
    annotator_key: str, item_id: int, region_id: int | None, fields: Sequence[str]
) -> str:
    """The idempotency key of one model annotation: annotator, item, region, fields."""
    raw = f"{annotator_key}|{item_id}|{region_id}|{','.join(fields)}"
    return "model:" + hashlib.sha256(raw.encode()).hexdigest()


def build_requests(
    session: Session,
    media: MediaStore,
    *,
    project: Project,
    schema: LabelSchema,
    fields: list[LabelField],
    annotator_key: str,
    regions: bool = False,
    limit: int | None = None,
) -> tuple[list[AnnotationRequest], int]:
    """Requests for items (or their regions) not yet answered; and how many were skipped."""
    names = [f.name for f in fields]
    candidates: list[AnnotationRequest] = []
    for item in list_items(session, project_id=project.id):
        for region in _regions(session, item, regions):
            candidates.append(_request(media, item, schema, fields, region))
    keys = {
        annotation_key(annotator_key, r.item_id, r.region.id if r.region else None, names): r
        for r in candidates
    }
    answered = _existing_keys(session, list(keys))
    todo = [request for key, request in keys.items() if key not in answered]
    skipped = len(candidates) - len(todo)
    return (todo if limit is None else todo[:limit]), skipped


def _regions(session: Session, item: Item, regions: bool) -> list[Region | None]:
    if not regions:
        return [None]
    return [
        Region(x=r.x, y=r.y, w=r.w, h=r.h, id=r.id) for r in list_regions(session, item_id=item.id)
    ]


def _request(
    media: MediaStore,
    item: Item,
    schema: LabelSchema,
    fields: list[LabelField],
    region: Region | None,
) -> AnnotationRequest:
    return AnnotationRequest(
        item_id=item.id,
        image_sha256=item.sha256,
        load_image=_loader(media, item.media_key),
        schema=schema,
        fields=fields,
        region=region,
        source_name=item.source_name,
        external_id=item.external_id,
    )


def _loader(media: MediaStore, key: str) -> Callable[[], bytes]:
    return lambda: media.read(key)


def _existing_keys(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        query = select(Annotation.idempotency_key).where(Annotation.idempotency_key.in_(chunk))
        found.update(k for k in session.scalars(query) if k is not None)
    return found
