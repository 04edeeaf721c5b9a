"""The model response cache: a raw response stored under the sha256 of its request.

A request's key covers everything that determines the answer (endpoint, model, prompt
version, image, fields, parameters), so a re-run or a resumed job never pays twice.
Reads and writes are single Core statements: a model run makes one of each per call.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from crowdlens.store.tables import ResponseCache, utcnow


def get_cached(session: Session, *, key: str) -> dict[str, Any] | None:
    """The stored response for ``key`` (body and token usage), or None."""
    query = select(ResponseCache.response).where(ResponseCache.key == key)
    found = session.execute(query).scalar_one_or_none()
    return None if found is None else dict(found)


def put_cached(
    session: Session,
    *,
    key: str,
    endpoint: str,
    model: str,
    prompt_version: str,
    response: dict[str, Any],
    image_sha256: str | None = None,
) -> None:
    """Store ``response`` under ``key``; a second write of the same key keeps the first."""
    put_cached_many(
        session,
        entries=[
            {
                "key": key,
                "endpoint": endpoint,
                "model": model,
                "prompt_version": prompt_version,
                "image_sha256": image_sha256,
                "response": response,
            }
        ],
    )


def put_cached_many(session: Session, *, entries: list[dict[str, Any]]) -> None:
    """Store many responses (dicts of :func:`put_cached` arguments) in one statement."""
    if not entries:
        return
    now = utcnow()
    rows = [
        {
            "key": entry["key"],
            "endpoint": entry["endpoint"][:300],
            "model": entry["model"][:200],
            "prompt_version": entry["prompt_version"][:60],
            "image_sha256": entry.get("image_sha256"),
            "response": entry["response"],
            "created_at": now,
        }
        for entry in entries
    ]
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(ResponseCache).on_conflict_do_nothing(), rows)


def cached_keys(session: Session, *, model: str) -> set[str]:
    """The keys of every response cached for ``model``."""
    query = select(ResponseCache.key).where(ResponseCache.model == model)
    return set(session.scalars(query))


def count_cached(session: Session, *, model: str | None = None) -> int:
    """How many responses are stored (for one model when given)."""
    query = select(func.count()).select_from(ResponseCache)
    if model is not None:
        query = query.where(ResponseCache.model == model)
    return int(session.execute(query).scalar_one())
