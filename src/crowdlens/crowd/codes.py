"""Completion codes: unguessable, stored with the one assignment (and so worker) they end.

A code is 80 random bits from :mod:`secrets`, written as 16 characters of Crockford-style
base32 in groups of four (``CL-7KQ2-…``), easy to copy and to read aloud.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crowdlens.store.tables import Annotator, Assignment

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "CL"


def new_code() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(16))
    return "-".join([PREFIX, *(chars[i : i + 4] for i in range(0, 16, 4))])


def normalize_code(code: str) -> str:
    return code.strip().upper().replace(" ", "")


@dataclass(frozen=True)
class CodeCheck:
    """The answer to "is this code real?": which assignment and worker it belongs to."""

    valid: bool
    assignment_id: int | None = None
    project_id: int | None = None
    platform: str | None = None
    worker_id: str | None = None
    external: dict[str, str] | None = None


def verify_code(session: Session, *, code: str, worker_id: str | None = None) -> CodeCheck:
    """Check ``code``; with ``worker_id`` it must also belong to that worker."""
    query = (
        select(Assignment, Annotator)
        .join(Annotator, Annotator.id == Assignment.annotator_id)
        .where(Assignment.completion_code == normalize_code(code))
    )
    row = session.execute(query).one_or_none()
    if row is None:
        return CodeCheck(valid=False)
    assignment, annotator = row
    if worker_id is not None and not hmac.compare_digest(
        (annotator.worker_id or "").encode(), worker_id.strip().encode()
    ):
        return CodeCheck(valid=False)
    return CodeCheck(
        valid=True,
        assignment_id=assignment.id,
        project_id=assignment.project_id,
        platform=annotator.platform,
        worker_id=annotator.worker_id,
        external=dict(assignment.external or {}),
    )
