"""Repository functions for annotators: people (platform + worker id) and models."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crowdlens.errors import NotFound
from crowdlens.store.tables import Annotator

AnnotatorKind = Literal["human", "model"]


def human_key(*, platform: str, worker_id: str) -> str:
    return f"human:{platform}:{worker_id}"


def model_key(*, backend: str, model: str, prompt_version: str) -> str:
    return f"model:{backend}:{model}:{prompt_version}"


def get_or_create_annotator(
    session: Session, *, key: str, kind: AnnotatorKind, **provenance: Any
) -> Annotator:
    """The annotator with ``key``, created with ``provenance`` columns if it is new.

    Safe under concurrency: a racing insert of the same key is caught and the winner returned.
    """
    found = find_annotator(session, key=key)
    if found is not None:
        return found
    annotator = Annotator(key=key, kind=kind, **provenance)
    try:
        with session.begin_nested():
            session.add(annotator)
    except IntegrityError:
        found = find_annotator(session, key=key)
        if found is None:
            raise
        return found
    return annotator


def get_or_create_human(session: Session, *, platform: str, worker_id: str) -> Annotator:
    key = human_key(platform=platform, worker_id=worker_id)
    return get_or_create_annotator(
        session, key=key, kind="human", platform=platform, worker_id=worker_id
    )


def get_or_create_model(
    session: Session,
    *,
    backend: str,
    model: str,
    prompt_version: str,
    params: dict[str, Any] | None = None,
) -> Annotator:
    key = model_key(backend=backend, model=model, prompt_version=prompt_version)
    return get_or_create_annotator(
        session,
        key=key,
        kind="model",
        backend=backend,
        model=model,
        prompt_version=prompt_version,
        params=params or {},
    )


def find_annotator(session: Session, *, key: str) -> Annotator | None:
    return session.scalars(select(Annotator).where(Annotator.key == key)).one_or_none()


def get_annotator(session: Session, *, annotator_id: int) -> Annotator:
    annotator = session.get(Annotator, annotator_id)
    if annotator is None:
        raise NotFound(f"expected an existing annotator id, got {annotator_id}")
    return annotator


def set_blocked(session: Session, *, annotator_id: int, blocked: bool = True) -> Annotator:
    annotator = get_annotator(session, annotator_id=annotator_id)
    annotator.blocked = blocked
    return annotator
