"""Repository functions for items (images) and their regions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crowdlens.errors import NotFound
from crowdlens.store.tables import Item, Region


def items_by_sha256(
    session: Session, *, project_id: int, sha256s: Iterable[str]
) -> dict[str, Item]:
    """Existing items of a project among ``sha256s``, keyed by sha256."""
    wanted = list(set(sha256s))
    found: dict[str, Item] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(Item).where(Item.project_id == project_id, Item.sha256.in_(chunk))
        found.update((item.sha256, item) for item in session.scalars(query))
    return found


def add_items(session: Session, *, project_id: int, rows: Sequence[dict[str, Any]]) -> list[Item]:
    """Insert items (dicts of :class:`Item` columns) into a project in one flush."""
    items = [Item(project_id=project_id, **row) for row in rows]
    session.add_all(items)
    session.flush()
    return items


def get_item(session: Session, *, item_id: int) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(f"expected an existing item id, got {item_id}")
    return item


def list_items(
    session: Session, *, project_id: int, offset: int = 0, limit: int | None = None
) -> list[Item]:
    query = select(Item).where(Item.project_id == project_id).order_by(Item.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def count_items(session: Session, *, project_id: int) -> int:
    query = select(func.count()).select_from(Item).where(Item.project_id == project_id)
    return int(session.scalar(query) or 0)


def add_region(
    session: Session,
    *,
    item_id: int,
    box: tuple[float, float, float, float],
    label: str | None = None,
    source_annotation_id: int | None = None,
) -> Region:
    """Add a box ``(x, y, w, h)`` in pixels to an item."""
    x, y, w, h = box
    region = Region(
        item_id=item_id, x=x, y=y, w=w, h=h, label=label, source_annotation_id=source_annotation_id
    )
    session.add(region)
    session.flush()
    return region


def list_regions(session: Session, *, item_id: int) -> list[Region]:
    return list(
        session.scalars(select(Region).where(Region.item_id == item_id).order_by(Region.id))
    )
